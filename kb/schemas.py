"""The knowledge-base API's schemas. Input schemas refuse unknown fields, so a misspelt one is a 422 naming it."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from kb.models import ArticleStatus, Language, Visibility
from kb.services import BODY_MAX, SLUG_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX

LANGUAGES = [lang.value for lang in Language]
STATUSES = [s.value for s in ArticleStatus]
VISIBILITIES = [v.value for v in Visibility]
MAX_ID = 2**31 - 1


class _ArticleFields(Schema):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    body = fields.String(
        validate=validate.Length(min=1, max=BODY_MAX), metadata={"description": "Markdown (CommonMark)."}
    )
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    status = fields.String(validate=validate.OneOf(STATUSES))
    visibility = fields.String(
        validate=validate.OneOf(VISIBILITIES),
        metadata={"description": "public: customers and (when enabled) anonymous readers; internal: staff."},
    )
    category = fields.String(validate=validate.Length(max=100), metadata={"description": "A category name."})
    product = fields.String(validate=validate.Length(max=100))
    tags = fields.List(
        fields.String(validate=validate.Length(max=TAG_MAX)), validate=validate.Length(max=TAGS_MAX)
    )
    slug = fields.String(
        allow_none=True,
        validate=validate.Length(max=SLUG_MAX),
        metadata={
            "description": "The article's address under /kb/; made from an English title when omitted."
        },
    )
    note = fields.String(
        validate=validate.Length(max=200), metadata={"description": "What this save changed."}
    )


class ArticleIn(_ArticleFields):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    language = fields.String(load_default=Language.en.value, validate=validate.OneOf(LANGUAGES))
    status = fields.String(load_default=ArticleStatus.draft.value, validate=validate.OneOf(STATUSES))
    visibility = fields.String(load_default=Visibility.public.value, validate=validate.OneOf(VISIBILITIES))
    translation_of = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The id of the article this one translates."},
    )


class ArticlePatch(_ArticleFields):
    revision = fields.Integer(
        validate=validate.Range(min=0),
        metadata={"description": "The revision you read; a 409 instead of overwriting a newer save."},
    )


class ArticleOut(Schema):
    id = fields.Integer()
    slug = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String(metadata={"description": "Markdown as written."})
    body_html = fields.String(metadata={"description": "Rendered and sanitised HTML."})
    language = fields.String()
    status = fields.String()
    visibility = fields.String()
    category = fields.Function(lambda a: a.category.name if a.category else None, allow_none=True)
    product = fields.String()
    tags = fields.List(fields.String(), attribute="tag_list")
    revision = fields.Integer()
    view_count = fields.Integer()
    translation_group = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda a: url_for("kb.article", ref=a.ref, _external=True))


class ArticleListArgs(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    category = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    product = fields.String(validate=validate.Length(max=100))
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words of the title."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ArticlePageOut(Schema):
    articles = fields.List(fields.Nested(ArticleOut))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class SearchArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=500))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    category = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    product = fields.String(validate=validate.Length(max=100))


class SearchHitOut(Schema):
    id = fields.Integer()
    title = fields.String()
    score = fields.Float()
    snippet = fields.String(
        metadata={"description": "HTML: escaped text of the body with <mark> around the matched words."}
    )
    slug = fields.String(allow_none=True)
    language = fields.String()
    url = fields.Function(lambda h: url_for("kb.article", ref=h.slug or h.id, _external=True))


class SearchOut(Schema):
    results = fields.List(fields.Nested(SearchHitOut), attribute="hits")
    total = fields.Integer()
    page = fields.Integer()
    did_you_mean = fields.String(allow_none=True)
    degraded = fields.Boolean(
        metadata={"description": "True while the index is being rebuilt: plain matching, no ranking."}
    )
