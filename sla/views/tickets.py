"""A ticket's SLA explained (`/queue/tickets/<number>/sla`), and the SLA names every page may use."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from core.auth import role_required
from core.db import utcnow
from sla import labels, queries
from support import queries as ticket_queries

bp = Blueprint("sla", __name__)


@bp.record_once
def _sla_names(state) -> None:
    # Globals rather than a context processor: the queue imports the badge macro, and imported
    # macros see only globals.
    state.app.jinja_env.globals.update(labels.template_globals())


@bp.get("/queue/tickets/<int:number>/sla")
@role_required("staff")
def explain(number: int):
    ticket = ticket_queries.ticket_for(current_user, number)
    if ticket is None:
        abort(404)
    events = ticket_queries.history(ticket)
    sla = queries.ticket_sla(ticket, now=utcnow(), events=events, with_markers=True)
    return render_template(
        "sla/explain.html",
        ticket=ticket,
        sla=sla,
        explanations=queries.explain(sla) if sla else [],
        week=sla.clock.hours if sla else {},
    )
