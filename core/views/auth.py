"""Sign in and out, the language switcher, and a user's own settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from core import services
from core.extensions import db, limiter
from core.forms import LoginForm, ProfileForm
from core.i18n import valid_timezone

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site; None for anything that could leave it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


def home_for(user) -> str:
    return url_for("queue.index") if user.is_staff else url_for("portal.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            session.pop("locale", None)
            return redirect(safe_next(form.next.data) or home_for(user), code=303)
        form.password.errors.append(_("Wrong email address or password."))
    elif current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    return render_template("core/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth.login"), code=303)


@bp.post("/language/<code>")
def set_language(code: str):
    """The header's switcher: remember the choice in the session, and on the account when signed in."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("index"), code=303)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if not form.is_submitted():
        form.timezone.data = current_user.timezone or current_app.config["DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        if not valid_timezone(form.timezone.data):
            form.timezone.errors.append(
                _("Unknown time zone; use a name like Asia/Shanghai or Europe/Berlin.")
            )
        else:
            services.update_user(
                current_user, name=form.name.data or "", locale=form.locale.data, timezone=form.timezone.data
            )
            db.session.commit()
            flash(_("Your settings were saved."), "success")
            return redirect(url_for("auth.profile"), code=303)
    return render_template("core/profile.html", form=form), 400 if form.errors else 200


@bp.route("/register", methods=["GET", "POST"])
def register():
    return render_template("core/register.html")
