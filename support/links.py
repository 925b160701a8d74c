"""Links between tickets and knowledge-base articles: the model, the writes and the reads.

Support sits above kb (`core` <- `kb` <- `support`), so the link lives here and points down at
articles; kb never learns about tickets. A link is `solved_by` (the article answers the ticket),
`related`, or `created_from` (the article was written from the ticket).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from core.db import utcnow
from core.extensions import db
from core.models import User
from kb import queries as kb_queries
from kb import services as kb_services
from kb.models import Article, ArticleStatus, Visibility
from support.models import Message, Ticket
from support.queries import visible_to
from support.services import TicketError, _record


class Relation(enum.StrEnum):
    solved_by = "solved_by"
    related = "related"
    created_from = "created_from"


RELATION_LABELS = {
    "solved_by": _l("Solved by"),
    "related": _l("Related"),
    "created_from": _l("Written from this ticket"),
}


class TicketArticle(db.Model):
    __tablename__ = "ticket_articles"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "article_id", "relation", name="uq_ticket_articles_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(sa.String(20))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    article: Mapped[Article] = relationship()
    created_by: Mapped[User | None] = relationship()


def link_article(
    ticket: Ticket, article: Article, *, relation: str, actor: User | None, now: datetime | None = None
) -> tuple[TicketArticle, bool]:
    """Link an article to a ticket; returns the link and whether it is new (linking twice is harmless)."""
    now = now or utcnow()
    if relation not in Relation.__members__:
        choices = ", ".join(Relation.__members__)
        raise TicketError(_l("Choose one of %(choices)s.", choices=choices), "relation")
    if actor is not None and not actor.is_staff:
        raise TicketError(_l("Only staff can link articles to tickets."), "article_id")
    existing = db.session.scalar(
        sa.select(TicketArticle).where(
            TicketArticle.ticket_id == ticket.id,
            TicketArticle.article_id == article.id,
            TicketArticle.relation == relation,
        )
    )
    if existing is not None:
        return existing, False
    link = TicketArticle(ticket=ticket, article=article, relation=relation, created_by=actor, created_at=now)
    db.session.add(link)
    _record(
        ticket, actor, "article_linked", now, article_id=article.id, title=article.title, relation=relation
    )
    db.session.flush()
    return link, True


def unlink_article(link: TicketArticle, *, actor: User | None, now: datetime | None = None) -> None:
    now = now or utcnow()
    _record(
        link.ticket,
        actor,
        "article_unlinked",
        now,
        article_id=link.article_id,
        title=link.article.title,
        relation=link.relation,
    )
    db.session.delete(link)
    db.session.flush()


def draft_from_ticket(ticket: Ticket, *, author: User, now: datetime | None = None) -> Article:
    """A draft article prefilled from the ticket (problem, then resolution), linked as created_from."""
    now = now or utcnow()
    public = [m for m in ticket.messages if not m.internal and m.body.strip()]
    problem = public[0].body if public else ticket.subject
    answers = [m for m in public[1:] if m.author is not None and m.author.is_staff]
    resolution = answers[-1].body if answers else str(_l("(Describe the solution.)"))
    body = "\n\n".join([f"## {_l('Problem')}", problem.strip(), f"## {_l('Resolution')}", resolution.strip()])
    article = kb_services.create_article(
        author=author,
        title=ticket.subject,
        body=body,
        language="zh" if _mostly_chinese(ticket.subject + problem) else "en",
        status=ArticleStatus.draft,
        visibility=Visibility.internal,
        product=ticket.product,
        now=now,
    )
    link_article(ticket, article, relation=Relation.created_from, actor=author, now=now)
    return article


def _mostly_chinese(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return han * 2 > latin


# -- reads -----------------------------------------------------------------------------------------


def links_of_ticket(ticket: Ticket, viewer: User | None) -> list[TicketArticle]:
    """The ticket's links to articles `viewer` may read, newest first."""
    stmt = (
        sa.select(TicketArticle)
        .join(Article, TicketArticle.article_id == Article.id)
        .where(TicketArticle.ticket_id == ticket.id, kb_queries.readable_by(viewer))
        .options(joinedload(TicketArticle.article), joinedload(TicketArticle.created_by))
        .order_by(TicketArticle.created_at.desc(), TicketArticle.id.desc())
    )
    return list(db.session.scalars(stmt))


def link_of_ticket(ticket: Ticket, link_id: int) -> TicketArticle | None:
    return db.session.scalar(
        sa.select(TicketArticle).where(TicketArticle.id == link_id, TicketArticle.ticket_id == ticket.id)
    )


def tickets_of_article(article: Article, viewer: User, *, limit: int = 50) -> list[TicketArticle]:
    """The tickets linked to an article that `viewer` may see (the article page shows them to staff)."""
    stmt = (
        sa.select(TicketArticle)
        .join(Ticket, TicketArticle.ticket_id == Ticket.id)
        .where(TicketArticle.article_id == article.id, visible_to(viewer))
        .options(joinedload(TicketArticle.ticket))
        .order_by(TicketArticle.created_at.desc(), TicketArticle.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def last_public_message(ticket: Ticket) -> Message | None:
    public = [m for m in ticket.messages if not m.internal]
    return public[-1] if public else None
