"""The improvement loop's records: the glossary, problems and their tickets, dismissed clusters,
review meetings with action items, and satisfaction surveys."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import utcnow
from core.extensions import db
from core.models import User
from kb.models import Article
from support.models import Ticket


class GlossaryConcept(db.Model):
    """One idea of the product's vocabulary with the words for it in both languages (see reviews/glossary.py)."""

    __tablename__ = "review_glossary"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # OFFLINE, CERTIFICATE...
    kind: Mapped[str] = mapped_column(sa.String(10))  # symptom | object | generic
    label_en: Mapped[str] = mapped_column(sa.String(100))
    label_zh: Mapped[str] = mapped_column(sa.String(100))
    # One term per line; a term may be several words ("lost connection").
    terms_en: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    terms_zh: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def terms_en_list(self) -> tuple[str, ...]:
        return _lines(self.terms_en)

    @property
    def terms_zh_list(self) -> tuple[str, ...]:
        return _lines(self.terms_zh)


def _lines(value: str) -> tuple[str, ...]:
    return tuple(term for term in (line.strip() for line in (value or "").splitlines()) if term)


class ProblemStatus(enum.StrEnum):
    investigating = "investigating"
    known_error = "known_error"  # the cause is known and a workaround exists
    fixed = "fixed"


class Problem(db.Model):
    """A confirmed recurring fault: what causes it, how to live with it, when it was fixed."""

    __tablename__ = "review_problems"
    __table_args__ = (sa.Index("ix_review_problems_status", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default=ProblemStatus.investigating)
    root_cause: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    workaround: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="SET NULL"))
    # The cluster's features with their weights when it was confirmed: how new tickets are matched to it.
    signature: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    known_error_at: Mapped[datetime | None]
    fixed_at: Mapped[datetime | None]

    article: Mapped[Article | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    links: Mapped[list[ProblemTicket]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="ProblemTicket.ticket_id"
    )


class LinkState(enum.StrEnum):
    suggested = "suggested"  # a new ticket looked like this known error; an engineer has not decided
    linked = "linked"
    rejected = "rejected"  # an engineer said it is something else: not suggested again


class ProblemTicket(db.Model):
    __tablename__ = "review_problem_tickets"
    __table_args__ = (sa.UniqueConstraint("problem_id", "ticket_id", name="uq_review_problem_tickets_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(sa.ForeignKey("review_problems.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=LinkState.linked)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="links")
    ticket: Mapped[Ticket] = relationship()


class Dismissal(db.Model):
    """A cluster an engineer judged not to be a problem; clusters like it are not shown again."""

    __tablename__ = "review_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), index=True)
    label: Mapped[str] = mapped_column(sa.String(300))
    signature: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    tickets: Mapped[list] = mapped_column(sa.JSON, default=list)  # the numbers it held, for the record
    reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    dismissed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dismissed_by: Mapped[User | None] = relationship()


class ReviewStatus(enum.StrEnum):
    draft = "draft"
    held = "held"


class Review(db.Model):
    """A review meeting for one period: the figures as they were (snapshot), notes, action items."""

    __tablename__ = "review_meetings"
    __table_args__ = (sa.UniqueConstraint("period_start", "period_end", name="uq_review_meetings_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadence: Mapped[str] = mapped_column(sa.String(10))  # weekly | monthly | custom
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(10), default=ReviewStatus.draft)
    snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    held_at: Mapped[datetime | None]

    actions: Mapped[list[ActionItem]] = relationship(back_populates="review", order_by="ActionItem.id")


class ActionStatus(enum.StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


OPEN_ACTION_STATUSES = (ActionStatus.open, ActionStatus.in_progress)


class ActionItem(db.Model):
    """Something the team decided to do, followed until it is done (or consciously dropped)."""

    __tablename__ = "review_action_items"
    __table_args__ = (
        sa.Index("ix_review_action_items_owner_status", "owner_id", "status"),
        sa.Index("ix_review_action_items_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("review_meetings.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(12), default=ActionStatus.open)
    problem_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_problems.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    review: Mapped[Review] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()
    problem: Mapped[Problem | None] = relationship()
    article: Mapped[Article | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class Survey(db.Model):
    """The satisfaction survey of one resolved ticket: one answer per ticket, by token, until it expires."""

    __tablename__ = "review_surveys"
    __table_args__ = (sa.Index("ix_review_surveys_answered", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    # Only a SHA-256 of the token is kept, as for API tokens: the database alone opens no survey.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str | None] = mapped_column(sa.String(10))  # link | portal | api
    # A low score flags the ticket for the next review; `reviewed_in` is the review that looked at it.
    flagged_at: Mapped[datetime | None]
    reviewed_in_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("review_meetings.id", ondelete="SET NULL")
    )

    ticket: Mapped[Ticket] = relationship()
    answered_by: Mapped[User | None] = relationship()

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class Detection(db.Model):
    """A stored run of recurring-problem detection, so the page need not recompute a large window."""

    __tablename__ = "review_detections"
    __table_args__ = (sa.Index("ix_review_detections_days_at", "days", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    days: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    tickets: Mapped[int] = mapped_column(default=0)  # tickets looked at
    seconds: Mapped[float] = mapped_column(default=0.0)
    clusters: Mapped[list] = mapped_column(sa.JSON, default=list)
