"""The queue's rows, worked out once per page in Python.

A queue page shows fifty tickets. Made in the template, each row's translated labels, links, SLA
words and times cost more than the query behind the page (bench/bench_queue.py measures it): here
each phrase is translated and each link built once per page, and a row only fills in its values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l

from core.i18n import exact_time, relative_time
from sla.labels import BadgeText, BadgeWords
from support.labels import KIND_LABELS, PRIORITY_LABELS, STATUS_LABELS
from support.models import Ticket

SELECT_LABEL = _l("Select #%(number)s")
CLAIM_LABEL = _l("Claim #%(number)s")
# A ticket number no real ticket has: links are built once with it, then each row puts its own in.
_NUMBER_SLOT = 9_876_543_210


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket: Ticket
    url: str
    quick_reply_url: str
    claim_url: str | None  # None when the ticket is already the viewer's
    attention: str | None  # overdue, warning (due soon) or replied; see queue_pages._attention
    sla: BadgeText
    priority: str
    status: str
    kind: str
    updated_iso: str
    updated_exact: str
    updated_relative: str
    select_label: str
    claim_label: str


def queue_rows(
    tickets: Sequence[Ticket],
    *,
    badges: Mapping[int, object],
    attention: Mapping[int, str],
    page_args: Mapping[str, list[str]],
    viewer_id: int,
    now: datetime | None = None,
) -> list[QueueRow]:
    """One QueueRow per ticket, in order. `page_args` (the query string) ride along on the links
    of actions taken from the queue, so the engineer comes back to the same filtered page."""
    now = now or datetime.now(UTC)
    words = BadgeWords()
    kinds, priorities, statuses = (
        _translated(KIND_LABELS),
        _translated(PRIORITY_LABELS),
        _translated(STATUS_LABELS),
    )
    ticket_url = _numbered("queue.ticket")
    quick_reply_url = _numbered("queue.quick_reply", **page_args)
    claim_url = _numbered("queue.claim", **page_args)
    select_label, claim_label = str(SELECT_LABEL), str(CLAIM_LABEL)
    rows = []
    for ticket in tickets:
        number = ticket.number
        digits = str(number)
        updated = ticket.updated_at
        rows.append(
            QueueRow(
                ticket=ticket,
                url=ticket_url(digits),
                quick_reply_url=quick_reply_url(digits),
                claim_url=None if ticket.assignee_id == viewer_id else claim_url(digits),
                attention=attention.get(number),
                sla=words(badges.get(number)),
                priority=priorities.get(ticket.priority, ticket.priority),
                status=statuses.get(ticket.status, ticket.status),
                kind=kinds.get(ticket.kind, ticket.kind),
                updated_iso=updated.isoformat() if updated else "",
                updated_exact=exact_time(updated),
                updated_relative=relative_time(updated, now) if updated else "",
                select_label=select_label % {"number": number},
                claim_label=claim_label % {"number": number},
            )
        )
    return rows


def attention_counts(rows: Sequence[QueueRow]) -> Counter:
    """How many rows on the page are overdue, due soon ("warning"), answered by the customer
    ("replied") and unassigned, for the line above the table."""
    counts = Counter(row.attention for row in rows if row.attention)
    counts["unassigned"] = sum(1 for row in rows if not row.ticket.assignee_id)
    return counts


def _translated(labels: Mapping[str, object]) -> dict[str, str]:
    return {key: str(label) for key, label in labels.items()}


def _numbered(endpoint: str, **values):
    """url_for(endpoint, number=n, **values) for many numbers n, with url_for called once."""
    template = url_for(endpoint, number=_NUMBER_SLOT, **values)
    # The number sits in the path, before any query string that could hold the same digits.
    slot = str(_NUMBER_SLOT)
    head, _, tail = template.partition(slot)
    return lambda digits: f"{head}{digits}{tail}"
