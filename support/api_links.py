"""REST API for ticket <-> article links: `POST/GET /api/v1/tickets/<number>/articles` (staff)."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from core.api import error_responses, require_token
from core.extensions import db
from kb import queries as kb_queries
from support import links, queries
from support.schemas import MAX_ID
from support.services import TicketError

blp = Blueprint("ticket_articles", __name__, url_prefix="/api/v1", description="Ticket knowledge links")
TICKET = f"/tickets/<int(min=1, max={MAX_ID}):number>"


class LinkIn(Schema):
    article_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    relation = fields.String(
        load_default=links.Relation.solved_by.value,
        validate=validate.OneOf([links.Relation.solved_by.value, links.Relation.related.value]),
    )


class LinkedArticleOut(Schema):
    id = fields.Integer()
    title = fields.String()
    slug = fields.String(allow_none=True)
    status = fields.String()
    language = fields.String()


class LinkOut(Schema):
    id = fields.Integer()
    relation = fields.String()
    article = fields.Nested(LinkedArticleOut)
    created_at = fields.DateTime()


require_token(blp)


_errors = error_responses(blp)


def _ticket_or_404(number: int):
    ticket = queries.ticket_for(g.api_user, number)
    if ticket is None:
        abort(404, message=_("No ticket #%(number)s.", number=number))
    return ticket


@blp.post(TICKET + "/articles")
@blp.arguments(LinkIn)
@blp.response(201, LinkOut)
@_errors(400, 401, 403, 404)
def link_article(data: dict, number: int):
    """Link an article to a ticket

    Staff only. `relation` is `solved_by` (default) or `related`. Linking the same article the same
    way twice answers 200 with the existing link.
    """
    ticket = _ticket_or_404(number)
    if not g.api_user.is_staff:
        abort(403, message=_("Only staff can link articles to tickets."))
    article = kb_queries.article_for(g.api_user, data["article_id"])
    if article is None:
        message = _("There is no such article.")
        abort(422, message=message, errors={"json": {"article_id": [message]}})
    try:
        link, new = links.link_article(ticket, article, relation=data["relation"], actor=g.api_user)
    except TicketError as exc:
        db.session.rollback()
        abort(422, message=str(exc), errors={"json": {exc.field or "_schema": [str(exc)]}})
    db.session.commit()
    return link, 201 if new else 200


@blp.get(TICKET + "/articles")
@blp.response(200, LinkOut(many=True))
@_errors(401, 404)
def linked_articles(number: int):
    """Articles linked to a ticket

    Newest first; customers see the links to articles they may read.
    """
    return links.links_of_ticket(_ticket_or_404(number), g.api_user)
