"""Articles with their revisions, categories, feedback, the search log, synonyms and deflection.

Ticket <-> article links live in `support.links`: support sits above kb and may point at articles,
never the other way round.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import utcnow
from core.extensions import db
from core.models import User


class ArticleStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Visibility(enum.StrEnum):
    public = "public"  # in the portal, and without signing in when KB_PUBLIC is on
    internal = "internal"  # staff only


class Language(enum.StrEnum):
    zh = "zh"
    en = "en"


class Category(db.Model):
    __tablename__ = "kb_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Article(db.Model):
    __tablename__ = "kb_articles"
    __table_args__ = (
        # One article per language in a group of translations.
        sa.UniqueConstraint("translation_group", "language", name="uq_kb_articles_translation_language"),
        sa.Index("ix_kb_articles_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown, as the editor wrote it
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered and sanitised once, at save time
    language: Mapped[str] = mapped_column(sa.String(5), default=Language.en)
    status: Mapped[str] = mapped_column(sa.String(10), default=ArticleStatus.draft)
    visibility: Mapped[str] = mapped_column(sa.String(10), default=Visibility.public)
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kb_categories.id", ondelete="SET NULL"), index=True
    )
    product: Mapped[str] = mapped_column(sa.String(100), default="", server_default="", index=True)
    tags: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")  # "a, b, c"
    # The id of the first article of a set of translations; None while an article has none.
    translation_group: Mapped[int | None] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revision: Mapped[int] = mapped_column(default=1, server_default="1")  # number of the latest revision
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    category: Mapped[Category | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", order_by="ArticleRevision.number", cascade="all, delete-orphan"
    )

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]

    @property
    def ref(self) -> str:
        """What the article's URL carries: its slug, or its id when it has none."""
        return self.slug or str(self.id)

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.published and self.visibility == Visibility.public

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.status} {self.title!r}>"


class ArticleRevision(db.Model):
    """A snapshot of an article as one save left it. Never updated; a restore adds a new one."""

    __tablename__ = "kb_article_revisions"
    __table_args__ = (sa.UniqueConstraint("article_id", "number", name="uq_kb_article_revisions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(5))
    status: Mapped[str] = mapped_column(sa.String(10))
    visibility: Mapped[str] = mapped_column(sa.String(10))
    category_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    product: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    tags: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    slug: Mapped[str | None] = mapped_column(sa.String(120))
    note: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class ArticleFeedback(db.Model):
    """ "Was this helpful?": one answer per reader (account or browser session) and article."""

    __tablename__ = "kb_feedback"
    __table_args__ = (sa.UniqueConstraint("article_id", "voter", name="uq_kb_feedback_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool]
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # "u<id>" for an account, "s<token>" for an anonymous browser session.
    voter: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class SearchLog(db.Model):
    """One search: what was asked, how many articles answered, by whom, from where."""

    __tablename__ = "kb_search_log"
    __table_args__ = (sa.Index("ix_kb_search_log_hits_created", "hits", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(sa.String(500))
    normalized: Mapped[str] = mapped_column(sa.String(200))  # lower-case, spaces collapsed: for grouping
    hits: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(20))  # kb, portal, suggest, ticket, api
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Synonym(db.Model):
    """A group of words that mean the same to a searcher, across languages: "证书, certificate, cert"."""

    __tablename__ = "kb_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(sa.String(500))  # comma-separated
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def term_list(self) -> list[str]:
        return [term for term in (t.strip() for t in self.terms.split(",")) if term]


class IndexQueue(db.Model):
    """Articles whose search-index entry is out of date; written in the saving transaction, drained later.

    No foreign key: a row must outlive its article so the index entry can be removed.
    """

    __tablename__ = "kb_index_queue"

    article_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Deflection(db.Model):
    """One visit to the new-ticket form that was shown suggested articles.

    It counts as deflected when the customer opened a suggestion and no ticket was filed in that
    visit before it settled (KB_DEFLECTION_SETTLE_MINUTES). `ticket_number` is a plain number:
    kb knows nothing of the tickets table.
    """

    __tablename__ = "kb_deflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    opened: Mapped[int] = mapped_column(default=0, server_default="0")
    first_article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="SET NULL"))
    last_opened_at: Mapped[datetime | None]
    ticket_number: Mapped[int | None]
    filed_at: Mapped[datetime | None]
