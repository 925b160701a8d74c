"""The inbound log: every message that reached us, raw, with what became of it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import utcnow
from core.extensions import db
from support.models import Message, Ticket


class Outcome(enum.StrEnum):
    created = "created"  # a new ticket
    appended = "appended"  # a message on an existing ticket
    duplicate = "duplicate"  # its Message-ID was ingested before; nothing written but this row
    ignored = "ignored"  # an auto-reply, a bounce, our own mail: never a ticket, never answered
    quarantined = "quarantined"  # kept for an admin to re-process or turn into a ticket


class InboundMail(db.Model):
    __tablename__ = "mail_inbound"
    __table_args__ = (
        sa.Index("ix_mail_inbound_outcome_received", "outcome", "received_at"),
        sa.Index("ix_mail_inbound_sender_received", "from_email", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # The message exactly as it arrived: a parser fix can always re-process it.
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # Message-ID without angle brackets, cut to fit (see ingest.storage_id); a hash of the raw
    # bytes stands in for a missing one.
    message_id: Mapped[str] = mapped_column(sa.String(500), index=True)
    # Set on the one row that owns its Message-ID (unique): a second delivery of the same mail,
    # even a concurrent one, cannot own it too and becomes a duplicate.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(500), unique=True)
    from_email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    outcome: Mapped[str] = mapped_column(sa.String(20))
    # Why it was ignored or quarantined ("auto_reply", "unknown_sender"...); see ingest.REASONS.
    reason: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    error: Mapped[str | None] = mapped_column(sa.Text)
    ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    message_row_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id", ondelete="SET NULL"))
    processed_at: Mapped[datetime | None]

    ticket: Mapped[Ticket | None] = relationship()
    message: Mapped[Message | None] = relationship()

    def __repr__(self) -> str:
        return f"<InboundMail {self.id} {self.outcome} {self.message_id}>"
