"""Tickets, their thread (messages and attachments) and their history (events)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym, validates

from core.db import utcnow
from core.extensions import db
from core.models import Organisation, User


class Kind(enum.StrEnum):
    incident = "incident"
    question = "question"
    maintenance = "maintenance"
    upgrade = "upgrade"


class Priority(enum.StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


class Status(enum.StrEnum):
    new = "new"
    open = "open"
    pending = "pending"  # waiting on the customer
    on_hold = "on_hold"  # waiting on someone else (a vendor, a release)
    resolved = "resolved"
    closed = "closed"


class Channel(enum.StrEnum):
    web = "web"
    email = "email"
    api = "api"


# Sorting by priority must put urgent first; a small integer kept beside the name sorts on an index.
PRIORITY_RANK = {Priority.urgent: 0, Priority.high: 1, Priority.normal: 2, Priority.low: 3}
OPEN_STATUSES = (Status.new, Status.open, Status.pending, Status.on_hold)
DONE_STATUSES = (Status.resolved, Status.closed)
# `sla_due_at` of a ticket with no running SLA clock: a real time far away, so the column can stay NOT NULL
# and the queue's keyset sort on it needs no NULL handling (such tickets simply come last).
NO_SLA_DUE = datetime(9999, 1, 1, tzinfo=UTC)

# Kind-specific fields a customer fills on the form; stored together in Ticket.details.
DETAIL_FIELDS = {
    Kind.incident: ("impact", "environment", "steps"),
    Kind.question: (),
    Kind.maintenance: ("preferred_window",),
    Kind.upgrade: ("current_version", "target_version", "preferred_window"),
}


# An index for every filter and sort of the queue (migration 0007). Open tickets are a small share of
# years of history, so the queue's indexes hold them alone: partial indexes on "not done", a condition
# support.queries writes out literally for the open statuses (neither database matches a partial index
# to a bound parameter, and SQLite cannot read `NOT IN` through the older status-first indexes).
OPEN_CONDITION = "status NOT IN ('resolved', 'closed')"
SLA_ORDER = ("sla_due_at", "priority_rank", "id")


def _open_index(name: str, *columns: str) -> sa.Index:
    where = sa.text(OPEN_CONDITION)
    return sa.Index(name, *columns, sqlite_where=where, postgresql_where=where)


QUEUE_INDEXES = (
    _open_index("ix_tickets_open_sla_due", *SLA_ORDER),
    _open_index("ix_tickets_open_priority", "priority_rank", "created_at", "id"),
    _open_index("ix_tickets_open_created", "created_at", "id"),
    _open_index("ix_tickets_open_updated", "updated_at", "id"),
    _open_index("ix_tickets_open_assignee_due", "assignee_id", *SLA_ORDER),
    _open_index("ix_tickets_open_org_due", "organisation_id", *SLA_ORDER),
    _open_index("ix_tickets_open_kind_due", "kind", *SLA_ORDER),
    _open_index("ix_tickets_open_priority_due", "priority", *SLA_ORDER),
    _open_index("ix_tickets_open_product_due", "product", *SLA_ORDER),
    # One status chosen, by SLA due (the status-first indexes in Ticket serve the other sorts).
    sa.Index("ix_tickets_status_sla_due", "status", *SLA_ORDER),
    # Every status (the API's default, "all statuses" in the queue) and the portal's lists.
    sa.Index("ix_tickets_priority_created", "priority_rank", "created_at", "id"),
    sa.Index("ix_tickets_created", "created_at", "id"),
    sa.Index("ix_tickets_updated", "updated_at", "id"),
    sa.Index("ix_tickets_org_updated", "organisation_id", "updated_at", "id"),
    sa.Index("ix_tickets_requester_updated", "requester_id", "updated_at", "id"),
)


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.Index("ix_tickets_status_priority", "status", "priority_rank", "created_at", "id"),
        sa.Index("ix_tickets_status_created", "status", "created_at", "id"),
        sa.Index("ix_tickets_status_updated", "status", "updated_at", "id"),
        sa.Index("ix_tickets_assignee_status", "assignee_id", "status"),
        sa.Index("ix_tickets_org_status", "organisation_id", "status"),
        sa.Index("ix_tickets_sla_due", "sla_due_at", "priority_rank", "id"),
        *QUEUE_INDEXES,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number = synonym("id")  # the ticket number customers quote is its primary key
    subject: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    priority: Mapped[str] = mapped_column(sa.String(10), index=True)
    priority_rank: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[str] = mapped_column(sa.String(10), default=Status.new)
    channel: Mapped[str] = mapped_column(sa.String(10), default=Channel.web)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    product: Mapped[str] = mapped_column(sa.String(100), default="", server_default="", index=True)
    component: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The earliest due time of the ticket's running SLA clocks, kept by the `sla` package's listeners.
    sla_due_at: Mapped[datetime] = mapped_column(default=NO_SLA_DUE)
    # Optimistic locking: a form carries the version it was rendered from (see services.StaleTicket).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    organisation: Mapped[Organisation | None] = relationship()
    merged_into: Mapped[Ticket | None] = relationship(remote_side=[id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="Message.created_at, Message.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.at, TicketEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("priority")
    def _keep_rank(self, _key, value):
        self.priority_rank = PRIORITY_RANK[Priority(value)]
        return value

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sla_due(self) -> datetime | None:
        """When the next SLA target falls due, or None when no SLA clock is running."""
        return None if self.sla_due_at >= NO_SLA_DUE else self.sla_due_at

    def __repr__(self) -> str:
        return f"<Ticket #{self.id} {self.status}>"


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (sa.Index("ix_messages_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    # Sanitised HTML for display when the message arrived as HTML (mail); plain text is rendered escaped.
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    channel: Mapped[str] = mapped_column(sa.String(10), default=Channel.web)
    email_message_id: Mapped[str | None] = mapped_column(sa.String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def from_staff(self) -> bool:
        return self.author is not None and self.author.is_staff


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # Path relative to UPLOAD_DIR; files are stored by content hash, so duplicates share one file.
    storage_path: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")


class TicketEvent(db.Model):
    """One entry of a ticket's history: who changed what, when. Never updated, never deleted."""

    __tablename__ = "ticket_events"
    __table_args__ = (sa.Index("ix_ticket_events_ticket_at", "ticket_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
