"""REST API for service levels under /api/v1: a ticket's SLA, and (for staff) policies and calendars.

A ticket's SLA is evaluated from its history at the moment of the request, exactly as the ticket page
shows it; whoever may read the ticket may read its SLA (customers: their organisation's tickets).
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from core.api import error_responses, require_token
from core.db import utcnow
from sla import queries
from sla.schemas import CalendarOut, PolicyOut, TicketSlaOut
from support import queries as ticket_queries
from support.schemas import MAX_ID

blp = Blueprint("sla_api", __name__, url_prefix="/api/v1", description="Service levels")


require_token(blp)


_errors = error_responses(blp)


def _staff_only() -> None:
    if not g.api_user.is_staff:
        abort(403, message=_("Only the support team can read service level settings."))


@blp.get(f"/tickets/<int(min=1, max={MAX_ID}):number>/sla")
@blp.response(200, TicketSlaOut)
@_errors(401, 404)
def ticket_sla(number: int):
    """Read a ticket's SLA

    Every clock (first response, each next reply, resolution): its phase (running, paused, stopped,
    completed), outcome (met, breached or not yet known), due time, business time used and left, and
    the run/pause segments that explain it. 404 when the ticket is not visible or no policy applies.
    """
    ticket = ticket_queries.ticket_for(g.api_user, number)
    if ticket is None:
        abort(404, message=_("No ticket #%(number)s.", number=number))
    found = queries.ticket_sla(ticket, now=utcnow())
    if found is None:
        abort(404, message=_("No service level applies to ticket #%(number)s.", number=number))
    return {
        "ticket": ticket.id,
        "evaluated_at": found.state.now,
        "status": found.state.status,
        "due_at": found.state.due_at,
        "policy": found.policy,
        "calendar": found.calendar,
        "clocks": found.state.clocks,
    }


@blp.get("/sla/policies")
@blp.response(200, PolicyOut(many=True))
@_errors(401, 403)
def policies():
    """List SLA policies (staff)

    In the order they are tried; the first active one that matches a ticket applies, else the default.
    """
    _staff_only()
    return queries.policies()


@blp.get("/sla/calendars")
@blp.response(200, CalendarOut(many=True))
@_errors(401, 403)
def calendars():
    """List business calendars (staff)"""
    _staff_only()
    return [calendar for calendar, _used in queries.calendars()]
