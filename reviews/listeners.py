"""How the improvement loop follows the support desk: `support` sends signals, these react in the same
transaction (support never imports reviews).

- status_changed to resolved: the requester gets the satisfaction survey (reviews/surveys.py);
- ticket_opened: a new ticket that looks like an open known error gets it suggested, so its page
  shows the workaround and offers to link it. Intake must never fail over a suggestion, so an error
  there is logged and the ticket is filed without one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from reviews import services, surveys
from reviews.models import Problem, ProblemStatus
from support import signals
from support.models import Ticket


def connect() -> None:
    signals.status_changed.connect(surveys.on_status_changed)
    signals.ticket_opened.connect(_on_ticket_opened)


def _on_ticket_opened(ticket: Ticket, *, now: datetime, **_details) -> None:
    # Most desks have no known error open most of the time: one indexed look, and no savepoint.
    if not _any_known_error():
        return
    try:
        with db.session.begin_nested():
            services.suggest_known_errors(ticket, now=now)
    except Exception:
        current_app.logger.exception("known-error matching failed for ticket #%s", ticket.id)


def _any_known_error() -> bool:
    # A plain statement, without autoflush: open_ticket flushed the session with its message, and
    # what receivers add is flushed once, after them.
    return db.session.connection().execute(_KNOWN_ERROR).first() is not None


_PROBLEMS = Problem.__table__
_KNOWN_ERROR = sa.select(_PROBLEMS.c.id).where(_PROBLEMS.c.status == ProblemStatus.known_error).limit(1)
