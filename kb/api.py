"""REST API for the knowledge base under /api/v1/kb (flask-smorest).

Bearer tokens as for tickets. Everyone with a token searches and reads what they may read on the site:
customers published public articles, staff everything. Only staff write (403 otherwise). Errors are
JSON with `errors` mapping the location (`json`, `query`) to `{field: [messages]}`, for schema errors
and for the rules the services enforce alike.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from core.api import api_user, error_responses, require_token
from core.db import writes_on_get
from core.extensions import db
from core.models import User
from kb import activity, queries, services
from kb.models import Article
from kb.schemas import (
    MAX_ID,
    ArticleIn,
    ArticleListArgs,
    ArticleOut,
    ArticlePageOut,
    ArticlePatch,
    SearchArgs,
    SearchOut,
)

blp = Blueprint("kb_api", __name__, url_prefix="/api/v1/kb", description="Knowledge base")
ARTICLE = f"/articles/<int(min=1, max={MAX_ID}):article_id>"


require_token(blp)


_user = api_user


_errors = error_responses(blp)


def _refuse(field: str, message: str, *, location: str = "json", code: int = 422):
    db.session.rollback()
    abort(code, message=message, errors={location: {field: [message]}})


def _staff_only() -> User:
    user = _user()
    if not user.is_staff:
        abort(403, message=_("Only the support team writes articles."))
    return user


def _article_or_404(article_id: int) -> Article:
    article = queries.article_for(_user(), article_id)
    if article is None:
        abort(404, message=_("No article %(id)s.", id=article_id))
    return article


@blp.get("/search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchOut)
@_errors(401)
@writes_on_get
def search(args: dict):
    """Search articles

    Best first. `snippet` is HTML (escaped text, matched words in `<mark>`). Chinese, English and mixed
    queries; misspelt English words are corrected (`did_you_mean`) and searched too; editors' synonyms
    apply. Quotes make a phrase required, `-word` excludes; any other syntax is read as plain words.
    """
    user = _user()
    found = queries.search_articles(
        args["q"],
        viewer=user,
        language=args.get("language"),
        category=args.get("category"),
        product=args.get("product"),
        page=args["page"],
        per_page=args["limit"],
    )
    if activity.log_search(args["q"], hits=found.total, source="api", user=user):
        db.session.commit()
    return found


@blp.get("/articles")
@blp.arguments(ArticleListArgs, location="query")
@blp.response(200, ArticlePageOut)
@_errors(401)
def list_articles(args: dict):
    """List articles

    Newest change first. Customers get published public articles; staff filter by any status.
    """
    return queries.article_list(
        _user(),
        status=args.get("status"),
        language=args.get("language"),
        category=args.get("category"),
        product=args.get("product"),
        text=args.get("q"),
        page=args["page"],
        per_page=args["per_page"],
    )


@blp.post("/articles")
@blp.arguments(ArticleIn)
@blp.response(201, ArticleOut)
@_errors(400, 401, 403)
def create_article(data: dict):
    """Write an article

    Staff only. `body` is Markdown; it is rendered and sanitised (`body_html`). Every save is a
    revision. `translation_of` links the new article to the translations of that one.
    """
    user = _staff_only()
    source = None
    if "translation_of" in data:
        source = queries.article_for(user, data.pop("translation_of"))
        if source is None:
            _refuse("translation_of", _("There is no such article."))
    try:
        article = services.create_article(author=user, translation_of=source, **data)
    except services.ArticleError as exc:
        _refuse(exc.field or "_schema", str(exc))
    db.session.commit()
    return article, 201, {"Location": url_for(".article", article_id=article.id, _external=True)}


@blp.get(ARTICLE)
@blp.response(200, ArticleOut)
@_errors(401, 404)
def article(article_id: int):
    """Read an article"""
    return _article_or_404(article_id)


@blp.patch(ARTICLE)
@blp.arguments(ArticlePatch)
@blp.response(200, ArticleOut)
@_errors(400, 401, 403, 404, 409)
def update_article(changes: dict, article_id: int):
    """Change an article

    Staff only. Send the `revision` you read to get a 409 instead of overwriting someone's newer save.
    A change that changes nothing makes no revision.
    """
    user = _staff_only()
    found = _article_or_404(article_id)
    expected = changes.pop("revision", None)
    note = changes.pop("note", "")
    try:
        services.update_article(found, editor=user, expected_revision=expected, note=note, **changes)
    except services.StaleArticle:
        db.session.rollback()
        abort(
            409,
            message=_(
                "The article was saved by someone else since you read it (it is at revision %(revision)s). "
                "Read it again and retry.",
                revision=found.revision,
            ),
        )
    except services.ArticleError as exc:
        _refuse(exc.field or "_schema", str(exc))
    db.session.commit()
    return found
