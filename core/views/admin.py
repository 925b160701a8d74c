"""Administration of users, organisations, teams and invitations (admins only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from core import services
from core.auth import role_required
from core.db import utcnow
from core.extensions import db
from core.forms import (
    ROLE_LABELS,
    TIER_LABELS,
    InvitationForm,
    OrganisationForm,
    TeamForm,
    UserFilterForm,
    UserForm,
    add_error,
    choices,
)
from core.mail import queue_mail
from core.models import Invitation, Organisation, Role, Team, User
from sla.models import SlaPolicy

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.before_request
@role_required("admin")
def _admins_only():
    """Every page here is for admins: anonymous visitors go to sign in, everyone else gets 403."""


@bp.context_processor
def _labels():
    return {"ROLE_LABELS": ROLE_LABELS, "TIER_LABELS": TIER_LABELS}


@bp.get("")
def index():
    now = utcnow()
    counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
        "organisations": db.session.scalar(sa.select(sa.func.count(Organisation.id))),
        "invitations": db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(*_pending(now))),
    }
    return render_template("admin/index.html", counts=counts)


# -- users -------------------------------------------------------------------------------------------


@bp.get("/users")
def users():
    filters = UserFilterForm(request.args)
    filters.org.choices = choices([("", _("All organisations")), *_organisation_choices()])
    filters.validate()
    query = sa.select(User).options(joinedload(User.organisation)).order_by(User.email)
    if text := (filters.q.data or "").strip():
        text = text.lower()
        query = query.where(
            sa.or_(
                User.email.contains(text, autoescape=True),
                sa.func.lower(User.name).contains(text, autoescape=True),
            )
        )
    if filters.role.data in ROLE_LABELS:
        query = query.where(User.role == filters.role.data)
    if filters.org.data and filters.org.data > 0:
        query = query.where(User.organisation_id == filters.org.data)
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)  # the offset must fit a BIGINT
    rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/users.html",
        users=rows[:PAGE_SIZE],
        filters=filters,
        page=page,
        more=len(rows) > PAGE_SIZE,
        args=args,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    return _edit_user(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    return _edit_user(db.get_or_404(User, user_id))


def _edit_user(user: User | None):
    current = (
        {"email": user.email, "name": user.name, "role": user.role, "active": user.active} if user else {}
    )
    form = UserForm(data={**current, "organisation": user.organisation_id if user else None})
    form.organisation.choices = choices([("", "—"), *_organisation_choices()])
    if form.validate_on_submit():
        try:
            # A savepoint: a refused change leaves nothing half-done behind for the page rendered next.
            with db.session.begin_nested():
                _check_not_locking_out(user, form)
                organisation = (
                    db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
                )
                if user is None:
                    user = services.create_user(
                        form.email.data,
                        role=form.role.data,
                        name=form.name.data or "",
                        organisation=organisation,
                        password=form.password.data or None,
                        active=form.active.data,
                    )
                else:
                    services.update_user(
                        user,
                        email=form.email.data,
                        name=(form.name.data or "").strip(),
                        role=form.role.data,
                        organisation=organisation,
                        active=form.active.data,
                    )
                    if form.password.data:
                        services.set_password(user, form.password.data)
        except services.AccountError as error:
            add_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"), code=303)
    status = 400 if form.errors else 200
    return render_template("admin/user_form.html", form=form, user=user), status


def _check_not_locking_out(user: User | None, form: UserForm) -> None:
    # Without this an admin could leave the site with nobody able to administer it.
    if user is None or user.id != current_user.id:
        return
    if form.role.data != Role.admin:
        raise services.AccountError(_("You cannot take away your own admin rights."), "role")
    if not form.active.data:
        raise services.AccountError(_("You cannot deactivate your own account."), "active")


# -- organisations -----------------------------------------------------------------------------------


@bp.get("/organisations")
def organisations():
    members = (
        sa.select(sa.func.count(User.id))
        .where(User.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    rows = db.session.execute(sa.select(Organisation, members).order_by(Organisation.name)).all()
    return render_template("admin/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    return _edit_organisation(None)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def edit_organisation(org_id: int):
    return _edit_organisation(db.get_or_404(Organisation, org_id))


def _edit_organisation(org: Organisation | None):
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                org = services.save_organisation(
                    org, name=form.name.data, tier=form.tier.data, email_domains=form.email_domains.data or ""
                )
        except services.AccountError as error:
            add_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=org.name), "success")
            return redirect(url_for("admin.organisations"), code=303)
    status = 400 if form.errors else 200
    return render_template("admin/organisation_form.html", form=form, org=org), status


# -- teams -------------------------------------------------------------------------------------------


@bp.get("/teams")
def teams():
    rows = db.session.scalars(sa.select(Team).options(selectinload(Team.members)).order_by(Team.name)).all()
    return render_template("admin/teams.html", teams=rows)


@bp.route("/teams/new", methods=["GET", "POST"])
def new_team():
    return _edit_team(None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id: int):
    return _edit_team(db.get_or_404(Team, team_id))


def _edit_team(team: Team | None):
    current = (
        {"name": team.name, "description": team.description, "members": [u.id for u in team.members]}
        if team
        else None
    )
    form = TeamForm(data=current)
    # Current members stay listed even when they left the staff, so unticking them is possible.
    people = {u.id: u for u in _staff()} | {u.id: u for u in (team.members if team else ())}
    form.members.choices = choices(
        (u.id, u.display_name if u.active else _("%(name)s (inactive)", name=u.display_name))
        for u in sorted(people.values(), key=lambda u: (u.display_name.lower(), u.id))
    )
    if form.validate_on_submit():
        members = [people[user_id] for user_id in form.members.data or ()]
        try:
            with db.session.begin_nested():
                if team is None:
                    team = services.create_team(
                        form.name.data, description=form.description.data or "", members=members
                    )
                else:
                    services.update_team(team, name=form.name.data, description=form.description.data or "")
                    services.set_team_members(team, members)
        except services.AccountError as error:
            add_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved team %(name)s.", name=team.name), "success")
            return redirect(url_for("admin.teams"), code=303)
    status = 400 if form.errors else 200
    return render_template("admin/team_form.html", form=form, team=team), status


@bp.post("/teams/<int:team_id>/delete")
def delete_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    # Deleting it would quietly switch off that policy's reassignment; the admin decides there first.
    policy = db.session.scalar(
        sa.select(SlaPolicy.name).where(SlaPolicy.reassign_team_id == team.id).limit(1)
    )
    if policy is not None:
        flash(
            _(
                "The SLA policy %(policy)s reassigns tickets to %(team)s; choose another team there first.",
                policy=policy,
                team=team.name,
            ),
            "error",
        )
        return redirect(url_for("admin.edit_team", team_id=team.id), code=303)
    services.delete_team(team)
    db.session.commit()
    flash(_("Deleted team %(name)s.", name=team.name), "success")
    return redirect(url_for("admin.teams"), code=303)


def _staff() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.role.in_([Role.engineer, Role.admin]), User.active.is_(True))
        )
    )


# -- invitations -------------------------------------------------------------------------------------


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    form = InvitationForm()
    form.organisation.choices = choices([("", "—"), *_organisation_choices()])
    if not form.is_submitted() and request.args.get("org", type=int):
        form.organisation.data = request.args.get("org", type=int)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            token = services.create_invitation(form.email.data, organisation, invited_by=current_user)
        except services.AccountError as error:
            add_error(form, error)
        else:
            invitation = services.check_invitation(token)
            link = _external_url("auth.register", invite=token)
            _mail_invitation(invitation, link)
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            # Only the token's hash is kept, so this is the one moment the link can be shown.
            flash(link, "invitation-link")
            return redirect(url_for("admin.invitations"), code=303)
    pending = db.session.scalars(
        sa.select(Invitation)
        .where(*_pending(utcnow()))
        .options(joinedload(Invitation.organisation))
        .order_by(Invitation.created_at.desc())
    ).all()
    inviters = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.id.in_({i.invited_by_id for i in pending})))
    }
    status = 400 if form.errors else 200
    return render_template("admin/invitations.html", form=form, pending=pending, inviters=inviters), status


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int):
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.used_at is not None:
        abort(409)
    services.revoke_invitation(invitation)
    db.session.commit()
    flash(_("The invitation for %(email)s no longer works.", email=invitation.email), "success")
    return redirect(url_for("admin.invitations"), code=303)


def _pending(now) -> tuple:
    return Invitation.used_at.is_(None), Invitation.expires_at > now


def _organisation_choices() -> list[tuple[int, str]]:
    return [
        (org.id, org.name) for org in db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    ]


def _external_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _mail_invitation(invitation: Invitation, link: str) -> None:
    organisation = invitation.organisation
    body = _(
        "Hello,\n\n"
        "%(inviter)s invited you to follow the support tickets of %(org)s in Aftercare.\n"
        "Choose a name and a password here to join (the link works until %(date)s):\n\n"
        "%(link)s\n",
        inviter=current_user.display_name,
        org=organisation.name,
        date=format_date(invitation.expires_at, "long"),
        link=link,
    )
    queue_mail(
        invitation.email, _("You are invited to the support desk of %(org)s", org=organisation.name), body
    )
