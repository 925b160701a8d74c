"""Writes on articles: create, edit (every save is a revision), restore, translate; categories and synonyms.

Services take plain arguments and an injectable `now`, flush and never commit. Every change that the
search index must see queues the article in `kb_index_queue` inside the same transaction; the index
itself is updated after the commit, off the request (see kb.indexing).
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from core.models import User
from kb import indexing, markup
from kb.models import Article, ArticleRevision, ArticleStatus, Category, Language, Synonym, Visibility

TITLE_MAX = 200
BODY_MAX = 200_000
TAG_MAX = 50
TAGS_MAX = 20
SLUG_MAX = 120
NOTE_MAX = 200
# Words the /kb/<slug> URL space needs for its own pages.
RESERVED_SLUGS = frozenset(
    [
        "new",
        "articles",
        "manage",
        "search",
        "suggest",
        "suggested",
        "synonyms",
        "reports",
        "tickets",
        "api",
        "edit",
        "history",
    ]
)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG_SPLIT = re.compile(r"[,;，；、\n]+")
CONTENT_FIELDS = ("title", "body", "language", "status", "visibility", "category", "product", "tags", "slug")


class ArticleError(ValueError):
    """An article change the rules refuse; `field` names what to correct."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleArticle(Exception):
    """The article was saved by someone else since the editor opened it."""

    def __init__(self, article: Article, expected: int):
        super().__init__(f"article {article.id} is at revision {article.revision}, not {expected}")
        self.article = article
        self.expected = expected


def create_article(
    *,
    author: User | None,
    title: str,
    body: str,
    language: str = Language.en,
    status: str = ArticleStatus.draft,
    visibility: str = Visibility.public,
    category: str | None = None,
    product: str = "",
    tags: str | list[str] = "",
    slug: str | None = None,
    translation_of: Article | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Article:
    """Write a new article (revision 1); `translation_of` links it to that article's translations."""
    now = now or utcnow()
    values = _clean(
        title=title,
        body=body,
        language=language,
        status=status,
        visibility=visibility,
        category=category,
        product=product,
        tags=tags,
        slug=slug,
    )
    if values["slug"] is None:
        values["slug"] = _free_slug(values["title"])
    article = Article(author=author, created_at=now, revision=0, view_count=0)
    _apply(article, values, editor=author, now=now)
    if translation_of is not None:
        _join_translations(article, translation_of)
    db.session.add(article)
    db.session.flush()
    _snapshot(article, author, note or "", now)
    indexing.queue(article.id, now=now)
    return article


def update_article(
    article: Article,
    *,
    editor: User | None,
    expected_revision: int | None = None,
    note: str = "",
    now: datetime | None = None,
    **changes,
) -> bool:
    """Change any of CONTENT_FIELDS; a change is a new revision. Returns whether anything changed.

    `expected_revision` is the revision the editor's form was opened on: if someone saved since,
    StaleArticle is raised and nothing is written.
    """
    now = now or utcnow()
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    if expected_revision is not None and expected_revision != article.revision:
        raise StaleArticle(article, expected_revision)
    current = values_of(article)
    values = _clean(**{**current, **changes}, article=article)
    if values == current:
        return False
    if values["language"] != article.language and article.translation_group is not None:
        _check_language_free(article.translation_group, values["language"], besides=article)
    _apply(article, values, editor=editor, now=now)
    db.session.flush()
    _snapshot(article, editor, note, now)
    indexing.queue(article.id, now=now)
    return True


def restore_revision(
    article: Article, number: int, *, editor: User | None, now: datetime | None = None
) -> ArticleRevision:
    """Bring back the content of revision `number` as a new revision; the history stays as it was."""
    old = db.session.scalar(
        sa.select(ArticleRevision).where(
            ArticleRevision.article_id == article.id, ArticleRevision.number == number
        )
    )
    if old is None:
        raise ArticleError(_l("There is no revision %(number)s.", number=number), "revision")
    changes = {
        "title": old.title,
        "body": old.body,
        "language": old.language,
        "visibility": old.visibility,
        "category": old.category_name,
        "product": old.product,
        "tags": old.tags,
    }
    note = str(_l("Restored revision %(number)s", number=number))
    if not update_article(article, editor=editor, note=note, now=now, **changes):
        raise ArticleError(
            _l("The article already reads like revision %(number)s.", number=number), "revision"
        )
    return article.revisions[-1]


def get_or_create_category(name: str) -> Category | None:
    name = " ".join((name or "").split())[:100]
    if not name:
        return None
    category = db.session.scalar(sa.select(Category).where(Category.name == name))
    if category is None:
        category = Category(name=name)
        db.session.add(category)
        db.session.flush()
    return category


# -- synonyms --------------------------------------------------------------------------------------


def save_synonyms(group: Synonym | None, terms: str, *, editor: User | None, now: datetime | None = None):
    """Create or change a group of words that mean the same ("证书, certificate, cert")."""
    now = now or utcnow()
    cleaned = list(dict.fromkeys(t.strip() for t in _TAG_SPLIT.split(terms or "") if t.strip()))
    if len(cleaned) < 2:
        raise ArticleError(_l("Give at least two words or phrases, separated by commas."), "terms")
    if any(len(t) > 60 for t in cleaned) or len(", ".join(cleaned)) > 500:
        raise ArticleError(
            _l("Keep each word short (at most 60 characters) and the group under 500."), "terms"
        )
    group = group or Synonym(created_at=now)
    group.terms, group.updated_by_id, group.updated_at = (
        ", ".join(cleaned),
        editor.id if editor else None,
        now,
    )
    db.session.add(group)
    db.session.flush()
    indexing.publish_synonyms()
    return group


def delete_synonyms(group: Synonym) -> None:
    db.session.delete(group)
    db.session.flush()
    indexing.publish_synonyms()


# -- helpers ---------------------------------------------------------------------------------------


def values_of(article: Article) -> dict:
    return {
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "status": article.status,
        "visibility": article.visibility,
        "category": article.category.name if article.category else "",
        "product": article.product,
        "tags": article.tags,
        "slug": article.slug,
    }


def _clean(*, article: Article | None = None, **v) -> dict:
    title = " ".join((v["title"] or "").split())
    if not title:
        raise ArticleError(_l("Give the article a title."), "title")
    if len(title) > TITLE_MAX:
        raise ArticleError(_l("The title is too long (at most %(max)s characters).", max=TITLE_MAX), "title")
    body = (v["body"] or "").replace("\r\n", "\n").strip()
    if not body:
        raise ArticleError(_l("Write the article's text."), "body")
    if len(body) > BODY_MAX:
        raise ArticleError(_l("The text is too long (at most %(max)s characters).", max=BODY_MAX), "body")
    for name, enum in (("language", Language), ("status", ArticleStatus), ("visibility", Visibility)):
        if v[name] not in enum.__members__:
            choices = ", ".join(enum.__members__)
            raise ArticleError(_l("Choose one of %(choices)s.", choices=choices), name)
    return {
        "title": title,
        "body": body,
        "language": v["language"],
        "status": v["status"],
        "visibility": v["visibility"],
        "category": " ".join((v["category"] or "").split())[:100],
        "product": " ".join((v["product"] or "").split())[:100],
        "tags": ", ".join(_clean_tags(v["tags"])),
        "slug": _clean_slug(v["slug"], article),
    }


def _clean_tags(tags: str | list[str] | None) -> list[str]:
    if isinstance(tags, str) or tags is None:
        tags = _TAG_SPLIT.split(tags or "")
    seen: dict[str, str] = {}
    for tag in tags:
        tag = " ".join(str(tag).split())
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ArticleError(_l("A tag is too long (at most %(max)s characters).", max=TAG_MAX), "tags")
        seen.setdefault(tag.lower(), tag)
    if len(seen) > TAGS_MAX:
        raise ArticleError(_l("Use at most %(max)s tags.", max=TAGS_MAX), "tags")
    return list(seen.values())


def _clean_slug(slug: str | None, article: Article | None) -> str | None:
    slug = (slug or "").strip().lower()
    if not slug:
        return None
    if len(slug) > SLUG_MAX or not _SLUG.match(slug) or slug.isdigit() or slug in RESERVED_SLUGS:
        raise ArticleError(
            _l("Use lower-case letters, digits and single hyphens (not only digits, not a reserved word)."),
            "slug",
        )
    query = sa.select(Article.id).where(Article.slug == slug)
    if article is not None and article.id is not None:
        query = query.where(Article.id != article.id)
    if db.session.scalar(query) is not None:
        raise ArticleError(_l("Another article already has this address."), "slug")
    return slug


def _free_slug(title: str) -> str | None:
    """An address made of the title's ASCII words; None for titles without any (Chinese ones)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    base = "-".join(words)[:80].strip("-")
    if not base or base.isdigit() or base in RESERVED_SLUGS:
        return None
    taken = set(db.session.scalars(sa.select(Article.slug).where(Article.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(article: Article, values: dict, *, editor: User | None, now: datetime) -> None:
    if values["status"] == ArticleStatus.published and article.published_at is None:
        article.published_at = now
    for name in ("title", "body", "language", "status", "visibility", "product", "tags", "slug"):
        setattr(article, name, values[name])
    article.category = get_or_create_category(values["category"])
    article.body_html = markup.render(values["body"])
    article.updated_by = editor
    article.updated_at = now


def _snapshot(article: Article, author: User | None, note: str, now: datetime) -> None:
    article.revision += 1
    db.session.add(
        ArticleRevision(
            article=article,
            number=article.revision,
            title=article.title,
            body=article.body,
            language=article.language,
            status=article.status,
            visibility=article.visibility,
            category_name=article.category.name if article.category else "",
            product=article.product,
            tags=article.tags,
            slug=article.slug,
            note=(note or "")[:NOTE_MAX],
            author=author,
            created_at=now,
        )
    )
    db.session.flush()


def _join_translations(article: Article, source: Article) -> None:
    if source.id is None:
        raise ArticleError(_l("Save the original article first."), "translation_of")
    if source.translation_group is None:
        source.translation_group = source.id
    _check_language_free(source.translation_group, article.language, besides=None)
    article.translation_group = source.translation_group


def _check_language_free(group: int, language: str, *, besides: Article | None) -> None:
    query = sa.select(Article.id).where(Article.translation_group == group, Article.language == language)
    if besides is not None:
        query = query.where(Article.id != besides.id)
    if db.session.scalar(query) is not None:
        raise ArticleError(_l("This article already has a translation in that language."), "language")
