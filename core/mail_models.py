"""The persistent outbox: every mail Aftercare sends is a row here before it is a message on the wire.

A row is written in the same transaction as the change it reports, so a rolled-back change never
mails anybody, and a committed one is mailed even when the SMTP server is down for a while: the
delivery job (`core.mail.deliver_due`) retries with backoff until the server takes it.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import utcnow
from core.extensions import db


class OutboxStatus(enum.StrEnum):
    queued = "queued"  # waiting for its next attempt
    sending = "sending"  # claimed by a sender until `lease_until`
    sent = "sent"
    failed = "failed"  # refused for good, or too many attempts: shown to admins, never retried alone


class OutboundMail(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Without angle brackets; unique, so the same mail can never be queued twice.
    message_id: Mapped[str] = mapped_column(sa.String(500), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # The whole RFC 5322 message as it goes on the wire: a retry sends exactly the same bytes.
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # What the mail is about, for threading replies ("ticket:42"); core never reads it.
    related: Mapped[str] = mapped_column(sa.String(100), default="", server_default="", index=True)
    category: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    status: Mapped[str] = mapped_column(
        sa.String(10), default=OutboxStatus.queued, server_default=OutboxStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboundMail {self.id} {self.status} to {self.recipient}>"
