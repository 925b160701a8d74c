"""Periodic jobs of the support desk."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core import idempotency
from core.extensions import db
from core.jobs import Job
from support import services
from support.attachments import sweep_orphan_files
from support.models import Status, Ticket


def close_resolved_tickets(now: datetime) -> int:
    """Close tickets that stayed resolved for AUTO_CLOSE_RESOLVED_DAYS without a customer reply."""
    cutoff = now - timedelta(days=current_app.config["AUTO_CLOSE_RESOLVED_DAYS"])
    numbers = db.session.scalars(
        sa.select(Ticket.id).where(Ticket.status == Status.resolved, Ticket.resolved_at <= cutoff).limit(500)
    ).all()
    closed = 0
    for number in numbers:
        # One commit per ticket: a run that stops half way has done real work, and a second run
        # finds only what is left (a ticket reopened meanwhile is no longer resolved).
        ticket = db.session.get(Ticket, number, with_for_update=True)
        if ticket is not None and ticket.status == Status.resolved and ticket.resolved_at <= cutoff:
            services.change_status(ticket, Status.closed, actor=None, now=now)
            closed += 1
        db.session.commit()
    return closed


JOBS = [
    Job(
        "support.close_resolved",
        close_resolved_tickets,
        "interval",
        {"minutes": 15},
        "Close tickets resolved long enough ago",
    ),
    Job(
        "support.sweep_attachment_files",
        sweep_orphan_files,
        "interval",
        {"hours": 1},
        "Delete attachment files a crashed upload left without a row",
    ),
    Job(
        "support.purge_idempotency_keys",
        idempotency.purge,
        "interval",
        {"hours": 1},
        "Forget the API answers kept for retries (Idempotency-Key) after a day",
    ),
]
