"""Sign in and out, joining (by invitation or company address), the language switcher, own settings."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core import auth, services
from core.db import writes_on_get
from core.extensions import db, limiter
from core.forms import (
    AcceptInvitationForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    add_error,
)
from core.i18n import valid_timezone
from core.mail import queue_mail
from core.models import User

bp = Blueprint("auth", __name__)

CONFIRM_SALT = "confirm-email"
CONFIRM_MAX_AGE = 2 * 24 * 3600  # seconds


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site; None for anything that could leave it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    return target


def home_for(user) -> str:
    return url_for("queue.index") if user.is_staff else url_for("portal.index")


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, on the site's configured address rather than the request's host."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts count: a whole office signs in from one NAT address every morning.
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    target = safe_next(form.next.data) or safe_next(request.args.get("next"))
    if form.validate_on_submit():
        # Checked before the password: while locked, even the right one waits (that stops the guessing).
        if wait := auth.lockout_seconds(form.email.data):
            message = _(
                "Too many failed sign-ins to this account. Try again in %(minutes)d minutes, "
                "or choose a new password with “Forgot your password?”.",
                minutes=math.ceil(wait / 60),
            )
            form.form_errors.append(message)
            return render_template("core/login.html", form=form), 429
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AccountError as error:
            add_error(form, error)
        else:
            if user is not None:
                # The language picked before signing in becomes the account's, unless it has one.
                if user.locale is None and session.get("locale") in current_app.config["LANGUAGES"]:
                    user.locale = session["locale"]
                db.session.commit()
                auth.forget_failed_logins(form.email.data)
                login_user(user)
                return redirect(target or home_for(user), code=303)
            auth.note_failed_login(form.email.data)
            form.password.errors.append(_("Wrong email address or password."))
    elif current_user.is_authenticated and request.method == "GET":
        return redirect(target or home_for(current_user), code=303)
    return render_template("core/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
def logout():
    # The sign-in page that follows stays in the language the person was using.
    if current_user.is_authenticated and current_user.locale in current_app.config["LANGUAGES"]:
        session["locale"] = current_user.locale
    logout_user()
    flash(_("You are signed out."), "success")
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
        form.locale.data = current_user.locale or str(get_locale())
    if form.validate_on_submit():
        if not valid_timezone(form.timezone.data.strip()):
            form.timezone.errors.append(
                _("Unknown time zone; use a name like Asia/Shanghai or Europe/Berlin.")
            )
        else:
            services.update_user(
                current_user,
                name=(form.name.data or "").strip(),
                locale=form.locale.data,
                timezone=form.timezone.data.strip(),
            )
            db.session.commit()
            flash(_("Your settings were saved."), "success")
            return redirect(url_for("auth.profile"), code=303)
    return render_template("core/profile.html", form=form), 400 if form.errors else 200


# -- joining -----------------------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def register():
    """Join with a company address (confirmed by mail) or, with `?invite=`, by invitation."""
    token = request.args.get("invite")
    if token is not None:
        return _register_invited(token)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                user = services.register_by_domain(
                    form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    locale=str(get_locale()),
                )
        except services.AccountError as error:
            add_error(form, error)
        else:
            _mail_confirmation(user)
            db.session.commit()
            flash(
                _(
                    "We sent a link to %(email)s. Follow it within two days to finish joining.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.login"), code=303)
    return render_template("core/register.html", form=form), 400 if form.errors else 200


def _register_invited(token: str):
    try:
        invitation = services.check_invitation(token)
    except services.AccountError as error:
        return render_template("core/link_refused.html", message=str(error)), 410
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                user = services.accept_invitation(
                    invitation, name=form.name.data, password=form.password.data, locale=str(get_locale())
                )
        except services.AccountError as error:
            add_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome to Aftercare."), "success")
            return redirect(home_for(user), code=303)
    return render_template(
        "core/register.html", form=form, invitation=invitation, token=token
    ), 400 if form.errors else 200


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def _mail_confirmation(user: User) -> None:
    token = _serializer().dumps({"id": user.id, "email": user.email})
    body = _(
        "Hello %(name)s,\n\n"
        "follow this link within two days to confirm your address and finish joining Aftercare:\n\n"
        "%(link)s\n\n"
        "If you did not ask to join, ignore this mail: nothing happens without the link.",
        name=user.display_name,
        link=external_url("auth.confirm", token=token),
    )
    queue_mail(user.email, _("Confirm your Aftercare account"), body)


@bp.get("/register/confirm/<token>")
@writes_on_get
def confirm(token: str):
    """The link from the confirmation mail: activate the account and sign its owner in."""
    try:
        payload = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired:
        message = _("This confirmation link has expired. We can send you a new one.")
        return render_template("core/link_refused.html", message=message, resend_token=token), 410
    except BadSignature:
        message = _("This confirmation link is not valid. Check that you copied all of it.")
        return render_template("core/link_refused.html", message=message), 404
    try:
        user = services.confirm_registration(payload["id"], payload["email"])
    except services.AlreadyConfirmed as error:
        flash(str(error), "success")
        return redirect(url_for("auth.login"), code=303)
    except services.AccountError as error:
        return render_template("core/link_refused.html", message=str(error)), 410
    db.session.commit()
    login_user(user)
    flash(_("Your address is confirmed. Welcome to Aftercare."), "success")
    return redirect(home_for(user), code=303)


@bp.post("/register/confirm/<token>/resend")
@limiter.limit(_login_limit)
def resend_confirmation(token: str):
    """A new link for an expired one, sent to the same address (never to one given here)."""
    try:
        payload = _serializer().loads(token)  # no max_age: an expired link still names its account
    except BadSignature:
        return render_template(
            "core/link_refused.html", message=_("This confirmation link is not valid.")
        ), 404
    user = db.session.get(User, payload["id"])
    if user is not None and user.email == payload["email"] and not user.active and user.last_login_at is None:
        _mail_confirmation(user)
        db.session.commit()
        flash(_("We sent a new link to %(email)s.", email=user.email), "success")
    else:
        flash(_("There is nothing left to confirm for this link. Sign in, or register again."), "warning")
    return redirect(url_for("auth.login"), code=303)


# -- forgotten passwords -------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Mail a reset link. The answer is the same whether the address has an account or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = auth.reset_candidate(form.email.data)
        if user is not None and auth.may_send_reset_mail(user.email):
            _mail_reset_link(user)
            db.session.commit()
        flash(
            _(
                "If %(email)s belongs to an account, a link to choose a new password is on its way. "
                "It works for %(minutes)d minutes.",
                email=form.email.data,
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
            ),
            "success",
        )
        return redirect(url_for("auth.login"), code=303)
    return render_template("core/reset_request.html", form=form), 400 if form.errors else 200


def _mail_reset_link(user: User) -> None:
    config = current_app.config
    locale = user.locale if user.locale in config["LANGUAGES"] else str(get_locale())
    with force_locale(locale):
        body = render_template(
            "mail/password_reset.txt",
            user=user,
            link=external_url("auth.reset_password", token=auth.reset_token(user)),
            minutes=config["PASSWORD_RESET_MAX_AGE"] // 60,
        )
        queue_mail(user.email, _("Choose a new Aftercare password"), body.strip() + "\n")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def reset_password(token: str):
    """The link from the mail: choose a new password (the link then stops working)."""
    try:
        user = auth.user_for_reset_token(token)
    except auth.ResetLinkRefused as refused:
        return render_template("core/reset_password.html", refused=str(refused), form=None), refused.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if problem := auth.password_problem(form.password.data, user.email):
            form.password.errors.append(str(problem))
        else:
            services.set_password(user, form.password.data)
            db.session.commit()
            auth.forget_failed_logins(user.email)
            flash(_("Your password was changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("core/reset_password.html", form=form, refused=None), 400 if form.errors else 200
