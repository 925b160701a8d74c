"""What readers do with the knowledge base: views, "was this helpful?", searches, suggestion clicks.

These are writes like any service (flush, never commit), small enough for a customer's request:
one row or one counter each.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from core.db import utcnow
from core.extensions import db
from core.models import User
from kb.models import Article, ArticleFeedback, Deflection, SearchLog
from kb.services import ArticleError

COMMENT_MAX = 2000
SOURCES = ("kb", "portal", "suggest", "ticket", "api")


def record_view(article: Article) -> None:
    """Count one reading; an UPDATE of the counter, so simultaneous readers are all counted."""
    db.session.execute(
        sa.update(Article)
        .where(Article.id == article.id)
        .values(view_count=Article.view_count + 1)
        .execution_options(synchronize_session=False)
    )
    # Keep the ORM object's number as readers will see it, without flushing it as a change.
    set_committed_value(article, "view_count", (article.view_count or 0) + 1)


def give_feedback(
    article: Article,
    *,
    helpful: bool,
    voter: str,
    user: User | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> ArticleFeedback:
    """Record a reader's answer; answering again replaces their earlier one."""
    now = now or utcnow()
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ArticleError(_l("Keep the comment under %(max)s characters.", max=COMMENT_MAX), "comment")
    if not voter:
        raise ArticleError(_l("We could not tell who is answering; reload the page."), "helpful")
    row = db.session.scalar(
        sa.select(ArticleFeedback).where(
            ArticleFeedback.article_id == article.id, ArticleFeedback.voter == voter
        )
    )
    if row is None:
        row = ArticleFeedback(article_id=article.id, voter=voter, created_at=now)
        db.session.add(row)
    row.helpful, row.user_id, row.updated_at = bool(helpful), user.id if user else None, now
    if comment or row.comment is None:
        row.comment = comment
    db.session.flush()
    return row


def normalise_query(text: str) -> str:
    return " ".join((text or "").lower().split())[:200]


def log_search(
    query: str, *, hits: int, source: str, user: User | None = None, now: datetime | None = None
) -> SearchLog | None:
    """Remember a search for the knowledge-gap report; empty queries are not searches."""
    normalized = normalise_query(query)
    if not normalized:
        return None
    row = SearchLog(
        query=" ".join(query.split())[:500],
        normalized=normalized,
        hits=hits,
        source=source if source in SOURCES else "kb",
        user_id=user.id if user else None,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


# -- deflection ------------------------------------------------------------------------------------


def new_visit_token() -> str:
    return secrets.token_urlsafe(24)


def suggestions_shown(token: str, *, user: User | None, now: datetime | None = None) -> Deflection:
    """A visit to the new-ticket form was shown suggestions (recorded once per visit)."""
    row = db.session.scalar(sa.select(Deflection).where(Deflection.token == token))
    if row is None:
        row = Deflection(token=token, user_id=user.id if user else None, started_at=now or utcnow(), opened=0)
        db.session.add(row)
        db.session.flush()
    return row


def suggestion_opened(
    token: str, article: Article, *, user: User | None, now: datetime | None = None
) -> None:
    """The customer opened a suggested article during the visit `token`."""
    now = now or utcnow()
    row = suggestions_shown(token, user=user, now=now)
    if row.ticket_number is not None:
        return  # opened after filing: it did not keep this ticket from being written
    row.opened = (row.opened or 0) + 1
    row.first_article_id = row.first_article_id or article.id
    row.last_opened_at = now
    db.session.flush()


def ticket_filed(token: str | None, ticket_number: int, *, now: datetime | None = None) -> None:
    """The visit `token` ended in a ticket after all: it was not deflected."""
    if not token:
        return
    row = db.session.scalar(sa.select(Deflection).where(Deflection.token == token))
    if row is not None and row.ticket_number is None:
        row.ticket_number, row.filed_at = ticket_number, now or utcnow()
        db.session.flush()
