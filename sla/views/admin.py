"""Admin pages for business calendars (with a due-time preview) and SLA policies (`/admin/sla`)."""

from __future__ import annotations

import holidays
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from core.auth import role_required
from core.db import utcnow
from core.extensions import db
from core.models import Team, User
from sla import queries, settings
from sla.clock import WEEKDAYS
from sla.forms import (
    CalendarForm,
    DeleteForm,
    MoveForm,
    PolicyForm,
    choices,
    format_duration,
    format_ranges,
    parse_dates,
)
from sla.models import Calendar, SlaPolicy
from sla.services import business_calendar
from support import queries as ticket_queries

bp = Blueprint("sla_admin", __name__, url_prefix="/admin/sla")


@bp.before_request
@role_required("admin")
def _admins_only():
    """Service levels are set by administrators."""


def _add_error(field, message) -> None:
    field.errors = [*field.errors, message]


def _show_error(form, exc: settings.SlaError) -> None:
    if exc.field in form._fields:
        _add_error(form[exc.field], str(exc))
    else:
        form.form_errors.append(str(exc))


# -- calendars -------------------------------------------------------------------------------------------


def _country_choices() -> list:
    names = get_locale().territories
    codes = holidays.list_supported_countries(include_aliases=False)
    pairs = sorted(((code, names.get(code, code)) for code in codes), key=lambda pair: pair[1])
    return choices(dict(pairs), _("None"))


def _calendar_data(calendar: Calendar) -> dict:
    data = {day: format_ranges(calendar.hours.get(day)) for day in WEEKDAYS}
    data.update(
        name=calendar.name,
        timezone=calendar.timezone,
        country=calendar.country or "",
        holidays="\n".join(calendar.holidays or ()),
        workdays="\n".join(calendar.workdays or ()),
    )
    return data


@bp.get("")
def index():
    return redirect(url_for(".policies"))


@bp.get("/calendars")
def calendars():
    return render_template("sla/calendars.html", rows=queries.calendars(), delete=DeleteForm())


@bp.route("/calendars/new", methods=["GET", "POST"])
def new_calendar():
    return _calendar_page(None)


@bp.route("/calendars/<int:calendar_id>", methods=["GET", "POST"])
def edit_calendar(calendar_id: int):
    return _calendar_page(db.session.get(Calendar, calendar_id) or abort(404))


def _calendar_page(calendar: Calendar | None):
    if calendar is None:
        blank = {day: "09:00-12:00, 13:00-18:00" for day in WEEKDAYS[:5]}
        form = CalendarForm(data={**blank, "timezone": current_app.config["DEFAULT_TIMEZONE"]})
    else:
        form = CalendarForm(data=_calendar_data(calendar))
    form.country.choices = _country_choices()
    now = utcnow()
    preview, status = None, 200
    if form.is_submitted():
        status = 400
        if form.validate():
            fields = {
                "timezone": form.timezone.data,
                "hours": form.hours(),
                "holidays": parse_dates(form.holidays.data),
                "workdays": parse_dates(form.workdays.data),
                "country": form.country.data or None,
            }
            try:
                if form.preview.data:
                    values = settings.check_calendar(**fields)
                    preview, status = queries.preview(settings.to_business_calendar(values), now), 200
                else:
                    saved = settings.save_calendar(calendar, name=form.name.data, now=now, **fields)
                    db.session.commit()
                    flash(_("Calendar %(name)s saved.", name=saved.name), "success")
                    return redirect(url_for(".edit_calendar", calendar_id=saved.id), code=303)
            except settings.SlaError as exc:
                db.session.rollback()
                _show_error(form, exc)
    elif calendar is not None:
        preview = queries.preview(business_calendar(calendar), now)
    html = render_template("sla/calendar_form.html", form=form, calendar=calendar, preview=preview, now=now)
    return html, status


@bp.post("/calendars/<int:calendar_id>/delete")
def delete_calendar(calendar_id: int):
    calendar = db.session.get(Calendar, calendar_id) or abort(404)
    if DeleteForm().validate():
        try:
            settings.delete_calendar(calendar)
            db.session.commit()
            flash(_("Calendar deleted."), "success")
        except settings.SlaError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for(".calendars"), code=303)


# -- policies --------------------------------------------------------------------------------------------


@bp.get("/policies")
def policies():
    return render_template("sla/policies.html", policies=queries.policies(), move=MoveForm())


@bp.route("/policies/new", methods=["GET", "POST"])
def new_policy():
    return _policy_page(None)


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
def edit_policy(policy_id: int):
    return _policy_page(db.session.get(SlaPolicy, policy_id) or abort(404))


def _policy_data(policy: SlaPolicy) -> dict:
    return {
        "name": policy.name,
        "active": policy.active,
        "priorities": policy.priorities.split(),
        "kinds": policy.kinds.split(),
        "tiers": policy.tiers.split(),
        "calendar": str(policy.calendar_id),
        "first_response": format_duration(policy.first_response_minutes),
        "next_reply": format_duration(policy.next_reply_minutes),
        "resolution": format_duration(policy.resolution_minutes),
        "warn_percent": policy.warn_percent,
        "warn_before": format_duration(policy.warn_minutes),
        "pause_on_hold": policy.pause_on_hold,
        "warning_actions": policy.actions("warning"),
        "breach_actions": policy.actions("breach"),
        "lead": str(policy.lead_id or ""),
        "reassign_to": str(policy.reassign_to_id or ""),
        "reassign_team": str(policy.reassign_team_id or ""),
    }


def _policy_page(policy: SlaPolicy | None):
    form = PolicyForm(data=_policy_data(policy) if policy else {"warn_percent": 80})
    calendars = [calendar for calendar, _used in queries.calendars()]
    form.calendar.choices = choices({str(c.id): c.name for c in calendars})
    staff = {str(u.id): u.display_name for u in ticket_queries.staff_users()}
    for field in (form.lead, form.reassign_to):
        field.choices = choices(staff, _("Nobody"))
    teams = db.session.scalars(sa.select(Team).order_by(Team.name))
    form.reassign_team.choices = choices({str(t.id): t.name for t in teams}, _("No team"))
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                saved = settings.save_policy(
                    policy,
                    name=form.name.data,
                    calendar=next((c for c in calendars if str(c.id) == form.calendar.data), None),
                    active=form.active.data,
                    priorities=form.priorities.data or (),
                    kinds=form.kinds.data or (),
                    tiers=form.tiers.data or (),
                    first_response_minutes=form.first_response.minutes,
                    next_reply_minutes=form.next_reply.minutes,
                    resolution_minutes=form.resolution.minutes,
                    warn_percent=form.warn_percent.data,
                    warn_minutes=form.warn_before.minutes,
                    pause_on_hold=form.pause_on_hold.data,
                    warning_actions=form.warning_actions.data or (),
                    breach_actions=form.breach_actions.data or (),
                    lead=_person(form.lead.data),
                    reassign_to=_person(form.reassign_to.data),
                    reassign_team=_team(form.reassign_team.data),
                )
                db.session.commit()
                flash(
                    _("Policy %(name)s saved. Open tickets follow it within a minute.", name=saved.name),
                    "success",
                )
                return redirect(url_for(".policies"), code=303)
            except settings.SlaError as exc:
                db.session.rollback()
                _show_error(form, exc)
    return render_template("sla/policy_form.html", form=form, policy=policy), status


def _person(choice: str | None) -> User | None:
    return db.session.get(User, int(choice)) if choice and choice.isdigit() else None


def _team(choice: str | None) -> Team | None:
    return db.session.get(Team, int(choice)) if choice and choice.isdigit() else None


@bp.post("/policies/<int:policy_id>/move")
def move_policy(policy_id: int):
    policy = db.session.get(SlaPolicy, policy_id) or abort(404)
    form = MoveForm()
    if form.validate():
        settings.move_policy(policy, -1 if form.up.data else 1, now=utcnow())
        db.session.commit()
        flash(
            _("Policy “%(name)s” moved; the first policy that matches a ticket applies.", name=policy.name),
            "success",
        )
    return redirect(url_for(".policies"), code=303)
