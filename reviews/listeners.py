"""How the improvement loop follows the support desk: `support` sends signals, these react in the same
transaction (support never imports reviews).

- status_changed to resolved: the requester gets the satisfaction survey (reviews/surveys.py);
- ticket_opened: a new ticket that looks like an open known error gets it suggested, so its page
  shows the workaround and offers to link it. Intake must never fail over a suggestion, so an error
  there is logged and the ticket is filed without one.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from core.extensions import db
from reviews import services, surveys
from support import signals
from support.models import Ticket


def connect() -> None:
    signals.status_changed.connect(surveys.on_status_changed)
    signals.ticket_opened.connect(_on_ticket_opened)


def _on_ticket_opened(ticket: Ticket, *, now: datetime, **_details) -> None:
    try:
        with db.session.begin_nested():
            services.suggest_known_errors(ticket, now=now)
    except Exception:
        current_app.logger.exception("known-error matching failed for ticket #%s", ticket.id)
