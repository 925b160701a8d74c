"""Ticket mail on its way out: the `[#NUMBER]` tag, threading headers, and the core outbox.

Every mail about a ticket gets a Message-ID that names the ticket (`ticket-42.<random>@our.domain`)
and is stored in the outbox with `related="ticket:42"`, so a reply to it threads back (see
threading.py) even when the customer's client drops the tag from the subject. In-Reply-To and
References list the conversation the recipient already has, oldest first, so their client shows
one thread.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.extensions import db
from core.mail import new_message_id, queue_mail
from core.mail_models import OutboundMail
from core.models import User
from support.models import Message, Ticket

REFERENCES_KEPT = 10  # the first ID and the most recent ones: some servers refuse endless headers


def tag(subject: str, number: int) -> str:
    """The subject with the ticket's `[#NUMBER]` tag (once)."""
    label = f"[#{number}]"
    return subject if label in subject else f"{label} {subject}"


def send_ticket_mail(
    ticket: Ticket,
    recipient: User,
    subject: str,
    body: str,
    *,
    category: str,
    now: datetime,
    references: list[str] | None = None,
) -> OutboundMail | None:
    """Queue a mail about `ticket` to `recipient`, threaded with what they already received.

    `references` spares the query when the caller knows the thread (a ticket just opened).
    """
    if references is None:
        references = thread_ids(ticket, recipient)
    references = [r for r in references if _real_id(r)]
    headers = {}
    if references:
        headers["In-Reply-To"] = f"<{references[-1]}>"
        headers["References"] = " ".join(f"<{r}>" for r in references)
    return queue_mail(
        recipient.email,
        tag(subject, ticket.id),
        body,
        message_id=new_message_id(f"ticket-{ticket.id}"),
        headers=headers,
        related=f"ticket:{ticket.id}",
        category=category,
        now=now,
    )


def thread_ids(ticket: Ticket, recipient: User) -> list[str]:
    """Message-IDs of the ticket's conversation as `recipient` knows it, oldest first."""
    received = sa.select(Message.email_message_id.label("id"), Message.created_at.label("at")).where(
        Message.ticket_id == ticket.id,
        Message.email_message_id.is_not(None),
        Message.internal.is_(False),
    )
    sent = sa.select(OutboundMail.message_id.label("id"), OutboundMail.created_at.label("at")).where(
        OutboundMail.related == f"ticket:{ticket.id}", OutboundMail.recipient == recipient.email
    )
    union = sa.union_all(received, sent).subquery()
    rows = db.session.execute(sa.select(union.c.id).order_by(union.c.at)).scalars().all()
    ids = [i for i in rows if _real_id(i)]
    if len(ids) > REFERENCES_KEPT:
        ids = ids[:1] + ids[-(REFERENCES_KEPT - 1) :]
    return ids


def _real_id(message_id: str) -> bool:
    """Not the hash that stands in for a missing Message-ID, not one cut to fit a column."""
    return "@" in message_id and not message_id.endswith(".invalid") and len(message_id) < 500
