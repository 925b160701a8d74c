"""Reads on the knowledge base: who may read what, article lists, search with its fall-back, reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from core.db import utcnow
from core.extensions import db
from core.models import User
from kb import markup, search
from kb.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    Category,
    Deflection,
    SearchLog,
    Synonym,
    Visibility,
)


def is_staff(viewer: User | None) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", True) and viewer.is_staff


def readable_by(viewer: User | None) -> sa.ColumnElement[bool]:
    """Staff read everything; everyone else reads published public articles."""
    if is_staff(viewer):
        return sa.true()
    return sa.and_(Article.status == ArticleStatus.published, Article.visibility == Visibility.public)


def article_for(viewer: User | None, ref: str | int) -> Article | None:
    """The article with this id or slug if `viewer` may read it; None otherwise (it does not exist for them)."""
    ref = str(ref)
    if ref.isascii() and ref.isdigit():
        if len(ref) > 9:
            return None
        condition = Article.id == int(ref)
    else:
        condition = Article.slug == ref.lower()
    return db.session.scalar(sa.select(Article).where(condition, readable_by(viewer)))


def translations(article: Article, viewer: User | None) -> list[Article]:
    """The article's translations that `viewer` may read."""
    if article.translation_group is None:
        return []
    stmt = sa.select(Article).where(
        Article.translation_group == article.translation_group, Article.id != article.id, readable_by(viewer)
    )
    return list(db.session.scalars(stmt.order_by(Article.language)))


@dataclass
class ArticleList:
    articles: list[Article]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def article_list(
    viewer: User | None,
    *,
    status: str | None = None,
    language: str | None = None,
    category: int | None = None,
    product: str | None = None,
    text: str | None = None,
    sort: str = "updated",
    page: int = 1,
    per_page: int = 25,
) -> ArticleList:
    """Articles for browsing and for the editors' list, newest change first (or most viewed)."""
    conditions = [readable_by(viewer)]
    if status:
        conditions.append(Article.status == status)
    if language:
        conditions.append(Article.language == language)
    if category:
        conditions.append(Article.category_id == category)
    if product:
        conditions.append(Article.product == product)
    if text:
        escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Article.title.ilike(f"%{escaped}%", escape="\\"))
    total = db.session.scalar(sa.select(sa.func.count(Article.id)).where(*conditions)) or 0
    order = (
        (Article.view_count.desc(), Article.id)
        if sort == "views"
        else (Article.updated_at.desc(), Article.id)
    )
    page = max(1, page)
    stmt = (
        sa.select(Article)
        .where(*conditions)
        .options(joinedload(Article.category))
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return ArticleList(list(db.session.scalars(stmt)), total, page, per_page)


def categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.name)))


def products() -> list[str]:
    stmt = sa.select(Article.product).where(Article.product != "").distinct().order_by(Article.product)
    return list(db.session.scalars(stmt))


def revision(article: Article, number: int) -> ArticleRevision | None:
    return db.session.scalar(
        sa.select(ArticleRevision).where(
            ArticleRevision.article_id == article.id, ArticleRevision.number == number
        )
    )


def synonyms() -> list[Synonym]:
    return list(db.session.scalars(sa.select(Synonym).order_by(Synonym.terms)))


# -- search ----------------------------------------------------------------------------------------


@dataclass
class Found:
    hits: list[search.Hit]
    total: int
    page: int
    per_page: int
    did_you_mean: str | None = None
    degraded: bool = False  # the index was unavailable: these come from a plain database match

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_articles(
    text: str,
    *,
    viewer: User | None,
    language: str | None = None,
    category: int | None = None,
    product: str | None = None,
    page: int = 1,
    per_page: int = 10,
    options: search.Options | None = None,
) -> Found:
    """Search as `viewer` may: the index ranks, the database has the last word on what may be shown."""
    staff = is_staff(viewer)
    engine = search.backend(current_app.config, db.session)  # KB_SEARCH_BACKEND: whoosh or postgres
    try:
        results = engine.search(
            text,
            public_only=not staff,
            language=language,
            category=category,
            product=product,
            page=page,
            per_page=per_page,
            options=options,
        )
    except search.IndexUnavailable:
        current_app.logger.warning("knowledge-base index unavailable; searching the database instead")
        return _database_search(text, viewer, language, category, product, page, per_page)
    # The index lags the database by a few seconds: an article unpublished or made internal since
    # must not be shown, not even as a title.
    ids = [hit.id for hit in results.hits]
    allowed = (
        set(
            db.session.scalars(
                sa.select(Article.id).where(
                    Article.id.in_(ids), readable_by(viewer), Article.status == ArticleStatus.published
                )
            )
        )
        if ids
        else set()
    )
    hits = [hit for hit in results.hits if hit.id in allowed]
    return Found(hits, results.total - (len(ids) - len(hits)), page, per_page, results.did_you_mean)


def _database_search(text, viewer, language, category, product, page, per_page) -> Found:
    words = [w for w in re.split(r"[\s\"'():*?]+", text or "") if w][:8]
    if not words:
        return Found([], 0, page, per_page, degraded=True)
    conditions = [readable_by(viewer), Article.status == ArticleStatus.published]
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            sa.or_(Article.title.ilike(pattern, escape="\\"), Article.body.ilike(pattern, escape="\\"))
        )
    for column, value in (
        (Article.language, language),
        (Article.category_id, category),
        (Article.product, product),
    ):
        if value:
            conditions.append(column == value)
    total = db.session.scalar(sa.select(sa.func.count(Article.id)).where(*conditions)) or 0
    stmt = (
        sa.select(Article)
        .where(*conditions)
        .order_by(Article.view_count.desc(), Article.id)
        .limit(per_page)
        .offset((max(1, page) - 1) * per_page)
    )
    hits = [
        search.Hit(
            id=a.id,
            slug=a.slug,
            title=a.title,
            score=0.0,
            snippet=markup.excerpt(markup.plain_text(a.body_html), 160)
            .replace("&", "&amp;")
            .replace("<", "&lt;"),
            language=a.language,
            category=str(a.category_id or ""),
            product=a.product,
            visibility=a.visibility,
        )
        for a in db.session.scalars(stmt)
    ]
    return Found(hits, total, page, per_page, degraded=True)


# -- reports ---------------------------------------------------------------------------------------


@dataclass
class Helpfulness:
    article: Article
    helpful: int
    unhelpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def ratio(self) -> float:
        return self.helpful / self.votes if self.votes else 0.0


def feedback_counts(article_id: int) -> tuple[int, int]:
    """(helpful, not helpful) votes of an article."""
    rows = db.session.execute(
        sa.select(ArticleFeedback.helpful, sa.func.count())
        .where(ArticleFeedback.article_id == article_id)
        .group_by(ArticleFeedback.helpful)
    ).all()
    counts = {bool(helpful): n for helpful, n in rows}
    return counts.get(True, 0), counts.get(False, 0)


def least_helpful(*, limit: int = 10, min_votes: int = 1) -> list[Helpfulness]:
    """Articles readers found least helpful: lowest share of "yes", the most votes first among equals."""
    yes = sa.func.sum(sa.case((ArticleFeedback.helpful.is_(True), 1), else_=0))
    votes = sa.func.count(ArticleFeedback.id)
    stmt = (
        sa.select(Article, yes, votes)
        .join(ArticleFeedback, ArticleFeedback.article_id == Article.id)
        .group_by(Article.id)
        .having(votes >= min_votes)
        .order_by((sa.cast(yes, sa.Float) / votes).asc(), votes.desc(), Article.id)
        .limit(limit)
    )
    return [Helpfulness(a, int(y or 0), int(n) - int(y or 0)) for a, y, n in db.session.execute(stmt)]


def most_viewed(*, limit: int = 10) -> list[Article]:
    stmt = sa.select(Article).where(Article.view_count > 0).order_by(Article.view_count.desc(), Article.id)
    return list(db.session.scalars(stmt.limit(limit)))


@dataclass
class Gap:
    query: str
    searches: int
    last_at: datetime


def knowledge_gaps(*, since: datetime, limit: int = 20) -> list[Gap]:
    """The searches that found nothing, most frequent first (what to write next).

    Suggestions shown while a customer types are left out: they are half-typed sentences.
    """
    stmt = (
        sa.select(SearchLog.normalized, sa.func.count(), sa.func.max(SearchLog.created_at))
        .where(SearchLog.hits == 0, SearchLog.created_at >= since, SearchLog.source != "suggest")
        .group_by(SearchLog.normalized)
        .order_by(sa.func.count().desc(), SearchLog.normalized)
        .limit(limit)
    )
    return [Gap(q, n, last) for q, n, last in db.session.execute(stmt)]


@dataclass
class DeflectionStats:
    shown: int  # visits to the new-ticket form that were shown suggestions (settled ones)
    opened: int  # of which the customer opened at least one suggestion
    deflected: int  # opened one and filed no ticket
    filed_after_opening: int
    since: datetime
    top_articles: list[tuple[Article, int]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Deflected visits per visit shown suggestions."""
        return self.deflected / self.shown if self.shown else 0.0


def deflection_stats(*, since: datetime, now: datetime | None = None) -> DeflectionStats:
    """How often suggested articles kept a ticket from being filed.

    A visit is counted once it settled: a ticket was filed in it, or KB_DEFLECTION_SETTLE_MINUTES
    passed since it started (the customer left).
    """
    now = now or utcnow()
    settle = timedelta(minutes=current_app.config["KB_DEFLECTION_SETTLE_MINUTES"])
    settled = sa.and_(
        Deflection.started_at >= since,
        sa.or_(Deflection.ticket_number.is_not(None), Deflection.started_at <= now - settle),
    )
    opened = Deflection.opened > 0
    no_ticket = Deflection.ticket_number.is_(None)
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((opened, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(opened, no_ticket), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(opened, ~no_ticket), 1), else_=0)),
        ).where(settled)
    ).one()
    top = db.session.execute(
        sa.select(Article, sa.func.count())
        .join(Deflection, Deflection.first_article_id == Article.id)
        .where(settled, opened, no_ticket)
        .group_by(Article.id)
        .order_by(sa.func.count().desc(), Article.id)
        .limit(5)
    ).all()
    return DeflectionStats(
        shown=int(row[0] or 0),
        opened=int(row[1] or 0),
        deflected=int(row[2] or 0),
        filed_after_opening=int(row[3] or 0),
        since=since,
        top_articles=[(a, int(n)) for a, n in top],
    )
