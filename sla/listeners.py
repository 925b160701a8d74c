"""Keeps every ticket's stored SLA state current: reacts to `support.signals` inside the same transaction.

`connect()` is called by the application factory. Internal notes (`note_added`) and assignments change
no SLA clock, so they are not listened to; priority and kind changes may pick another policy.
"""

from __future__ import annotations

from datetime import datetime

from core import signals as core_signals
from sla import services
from support import signals
from support.models import Ticket

POLICY_FIELDS = ("priority", "kind")


def connect() -> None:
    """Subscribe to support's signals (idempotent: blinker keeps one connection per receiver)."""
    signals.ticket_opened.connect(_on_change)
    signals.status_changed.connect(_on_change)
    signals.reply_added.connect(_on_reply)
    signals.ticket_changed.connect(_on_field_change)
    signals.ticket_merged.connect(_on_merge)
    core_signals.organisation_changed.connect(_on_organisation_change)


def _on_change(ticket: Ticket, *, now: datetime, **_details) -> None:
    services.refresh(ticket, now=now)


def _on_reply(ticket: Ticket, *, now: datetime, opening: bool = False, **_details) -> None:
    # The message that opened the ticket adds nothing to the history that ticket_opened did not
    # show: refreshing again would only repeat the same work on every new ticket.
    if not opening:
        services.refresh(ticket, now=now)


def _on_field_change(ticket: Ticket, *, field: str, now: datetime, **_details) -> None:
    if field in POLICY_FIELDS:
        services.refresh(ticket, now=now)


def _on_merge(ticket: Ticket, *, target: Ticket, now: datetime, **_details) -> None:
    services.refresh(ticket, now=now)
    services.refresh(target, now=now)


def _on_organisation_change(organisation, *, field: str, **_details) -> None:
    # A new tier may pick other policies for every open ticket of the organisation. Marking their
    # clocks stale hands them to the sweep, which recomputes stale tickets in batches: an
    # organisation with thousands of open tickets does not hold the admin's request.
    if field == "tier":
        services.mark_stale(organisation_id=organisation.id)
