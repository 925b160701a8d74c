"""Articles as the services keep them: revisions, restore, translations, rules, safe Markdown, visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from core.extensions import db
from kb import markup, queries, services
from kb.models import ArticleRevision, IndexQueue
from tests.factories import make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_every_save_is_a_revision_and_a_save_without_change_is_none(make_article, editor):
    article = make_article(title="VPN drops", body="Set keepalive.", now=NOW)
    assert article.revision == 1 and [r.number for r in article.revisions] == [1]
    assert services.update_article(
        article, editor=editor, body="Set keepalive to 20 s.", note="precise", now=NOW
    )
    assert not services.update_article(article, editor=editor, body="Set keepalive to 20 s.")
    assert [(r.number, r.body, r.note) for r in article.revisions] == [
        (1, "Set keepalive.", ""),
        (2, "Set keepalive to 20 s.", "precise"),
    ]
    assert article.revision == 2


def test_restore_brings_old_text_back_as_a_new_revision(make_article, editor):
    article = make_article(title="One", body="First text")
    services.update_article(article, editor=editor, title="Two", body="Second text", tags="a, b")
    restored = services.restore_revision(article, 1, editor=editor)
    assert restored.number == 3 and "1" in restored.note
    assert (article.title, article.body, article.tags) == ("One", "First text", "")
    assert len(article.revisions) == 3
    with pytest.raises(services.ArticleError) as error:
        services.restore_revision(article, 3, editor=editor)
    assert error.value.field == "revision"


def test_a_save_against_an_older_revision_is_refused(make_article, editor):
    article = make_article()
    services.update_article(article, editor=editor, body="Someone else's change.")
    with pytest.raises(services.StaleArticle):
        services.update_article(article, editor=editor, expected_revision=1, body="Mine.")
    assert article.body == "Someone else's change."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", " "),
        ("title", "x" * 201),
        ("body", ""),
        ("language", "fr"),
        ("status", "deleted"),
        ("visibility", "secret"),
        ("slug", "Not A Slug"),
        ("slug", "12345"),
        ("slug", "new"),
        ("tags", ["x" * 51]),
    ],
)
def test_bad_input_is_refused_naming_the_field(make_article, field, value):
    with pytest.raises(services.ArticleError) as error:
        make_article(**{field: value})
    assert error.value.field == field


def test_slugs_are_made_from_english_titles_and_stay_unique(make_article):
    first = make_article(title="Reset your password!")
    second = make_article(title="Reset your password")
    chinese = make_article(title="忘记密码怎么办", language="zh")
    assert (first.slug, second.slug, chinese.slug) == ("reset-your-password", "reset-your-password-2", None)
    assert chinese.ref == str(chinese.id)
    with pytest.raises(services.ArticleError) as error:
        make_article(title="Other", slug="reset-your-password")
    assert error.value.field == "slug"


def test_tags_are_cleaned_and_categories_created_once(make_article):
    a = make_article(tags="APNs, iOS；证书, apns", category=" Push  notifications ")
    b = make_article(category="Push notifications")
    assert a.tag_list == ["APNs", "iOS", "证书"]
    assert a.category is b.category and a.category.name == "Push notifications"


def test_translations_are_linked_and_one_per_language(make_article, editor):
    english = make_article(title="Forgot password", language="en")
    chinese = make_article(title="忘记密码", language="zh", translation_of=english)
    assert english.translation_group == chinese.translation_group == english.id
    assert queries.translations(english, editor) == [chinese]
    with pytest.raises(services.ArticleError) as error:
        make_article(title="Another Chinese one", language="zh", translation_of=english)
    assert error.value.field == "language"


def test_publishing_sets_published_at_once(make_article, editor):
    article = make_article(status="draft", now=NOW)
    assert article.published_at is None
    services.update_article(article, editor=editor, status="published", now=NOW + timedelta(hours=1))
    services.update_article(article, editor=editor, status="archived", now=NOW + timedelta(hours=2))
    services.update_article(article, editor=editor, status="published", now=NOW + timedelta(hours=3))
    assert article.published_at == NOW + timedelta(hours=1)


def test_a_save_queues_the_article_for_the_index_in_the_same_transaction(make_article, editor):
    article = make_article()
    services.update_article(article, editor=editor, body="Changed.")
    assert db.session.get(IndexQueue, article.id) is not None
    assert db.session.query(IndexQueue).count() == 1  # queued twice, one row


def test_visibility_who_reads_what(make_article, editor):
    public = make_article(title="Public")
    internal = make_article(title="Internal", visibility="internal")
    draft = make_article(title="Draft", status="draft")
    archived = make_article(title="Archived", status="archived")
    customer = make_user()
    for viewer in (None, customer):
        assert queries.article_for(viewer, public.id) is public
        for hidden in (internal, draft, archived):
            assert queries.article_for(viewer, hidden.id) is None
    for shown in (public, internal, draft, archived):
        assert queries.article_for(editor, shown.id) is shown
    assert queries.article_for(None, "public") is public  # by slug
    assert queries.article_for(None, "99999999999") is None


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name=p></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<details open ontoggle="alert(1)"><summary>x</summary></details>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<scr<script>ipt>alert(1)</script>",
    '<p onclick="alert(1)">x</p>',
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


@pytest.mark.parametrize("payload", XSS)
def test_markdown_with_scripts_frames_handlers_and_javascript_links_renders_inert(payload):
    html = markup.render(f"Before\n\n{payload}\n\nAfter")
    found = _Elements()
    found.feed(html)
    forbidden = {
        "script",
        "iframe",
        "object",
        "embed",
        "style",
        "form",
        "input",
        "meta",
        "base",
        "svg",
        "math",
    }
    assert not forbidden & set(found.tags), html
    for name, value in found.attributes:
        assert not name.startswith("on") and name != "style", html
        squashed = "".join(value.split()).lower()
        assert not squashed.startswith(("javascript:", "data:", "vbscript:")), html
    assert "Before" in html and "After" in html


def test_markdown_keeps_what_articles_need():
    html = markup.render(
        "## Steps\n\n1. Open **Settings**\n2. Run `pg_dump`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[docs](https://example.com/x) <kbd>Ctrl</kbd>"
    )
    assert "<h2>Steps</h2>" in html and "<strong>Settings</strong>" in html and "<code>pg_dump</code>" in html
    assert "<table>" in html and "<kbd>Ctrl</kbd>" in html
    assert 'href="https://example.com/x"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_revisions_are_never_updated(make_article, editor):
    article = make_article(body="v1")
    services.update_article(article, editor=editor, body="v2")
    first = db.session.query(ArticleRevision).filter_by(article_id=article.id, number=1).one()
    assert first.body == "v1"
