"""The knowledge-base pages as people use them: reading, searching, editing, history, feedback,
synonyms, reports, and the suggestions of the portal's new-ticket form with deflection counting."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from kb import activity, queries
from kb.models import ArticleFeedback, Deflection, SearchLog
from tests.factories import make_user


def test_public_articles_are_readable_without_signing_in(client, make_article):
    article = make_article(title="Reset your password", body="Use **Forgot password**.")
    page = client.get(f"/kb/{article.slug}")
    assert page.status_code == 200
    assert "<strong>Forgot password</strong>" in page.text
    assert client.get(f"/kb/{article.id}").status_code == 200


def test_internal_articles_and_drafts_are_404_for_customers_and_readable_by_staff(
    client, login, make_article, editor
):
    internal = make_article(title="Escalation path", visibility="internal")
    draft = make_article(title="Half written", status="draft")
    for ref in (internal.id, draft.id):
        assert client.get(f"/kb/{ref}").status_code == 404
    login(make_user())
    assert client.get(f"/kb/{internal.id}").status_code == 404
    login(editor)
    assert "Internal article" in client.get(f"/kb/{internal.id}").text
    assert "Draft" in client.get(f"/kb/{draft.id}").text


def test_when_the_kb_is_not_public_readers_must_sign_in(app, client, make_article, monkeypatch):
    monkeypatch.setitem(app.config, "KB_PUBLIC", False)
    article = make_article()
    response = client.get(f"/kb/{article.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_search_page_logs_the_search_and_shows_highlighted_results(client, make_article, drain):
    make_article(title="APNs certificate expired", body="Renew the certificate in the developer portal.")
    db.session.commit()
    drain()
    page = client.get("/kb?q=certificate")
    assert page.status_code == 200
    assert '<mark class="hl t0">certificate</mark>' in page.text
    assert client.get("/kb?q=" + "nothing%20like%20this").status_code == 200
    logged = {(row.normalized, row.hits, row.source) for row in db.session.query(SearchLog)}
    assert ("certificate", 1, "kb") in logged and ("nothing like this", 0, "kb") in logged


def test_search_page_with_hostile_query_never_fails(client, make_article, drain):
    make_article()
    db.session.commit()
    drain()
    for q in ['"((', "title:x*", "AND OR NOT", "x" * 600, "%00", "证书" * 300]:
        assert client.get("/kb", query_string={"q": q}).status_code in (200, 400)


def test_did_you_mean_links_to_the_corrected_search(client, make_article, drain):
    make_article(title="Maintenance window for upgrades", body="Plan a maintenance window.")
    db.session.commit()
    drain()
    page = client.get("/kb?q=maintanance")
    assert 'data-testid="did-you-mean"' in page.text and "maintenance" in page.text
    assert "Maintenance window for upgrades" in page.text


def test_htmx_search_returns_only_the_results(client, make_article):
    make_article()
    page = client.get("/kb", headers={"HX-Request": "true"})
    assert "<html" not in page.text and "Printer shows error E-42" in page.text


def test_editor_creates_edits_and_sees_the_diff_and_restores(client, login, editor):
    login(editor)
    response = client.post(
        "/kb/articles/new",
        data={
            "title": "VPN drops",
            "body": "Line one\nSet keepalive to 30 s.",
            "language": "en",
            "status": "published",
            "visibility": "public",
            "tags": "vpn, keepalive",
        },
    )
    assert response.status_code == 303
    article = queries.article_list(editor).articles[0]
    edit = client.get(f"/kb/{article.id}/edit")
    assert edit.status_code == 200 and 'value="1"' in edit.text  # the revision the form was opened on
    response = client.post(
        f"/kb/{article.id}/edit",
        data={
            "title": "VPN drops",
            "body": "Line one\nSet keepalive to 20 s.",
            "language": "en",
            "status": "published",
            "visibility": "public",
            "tags": "vpn",
            "revision": "1",
            "note": "fix",
        },
    )
    assert response.status_code == 303
    diff = client.get(f"/kb/{article.id}/revisions/2")
    assert "<del>3</del>" in diff.text and "<ins>2</ins>" in diff.text
    assert client.get(f"/kb/{article.id}/history").text.count("data-revision=") == 2
    assert client.post(f"/kb/{article.id}/revisions/1/restore").status_code == 303
    assert "30 s" in client.get(f"/kb/{article.id}").text


def test_an_edit_from_an_outdated_form_is_409_and_keeps_the_text(client, login, editor, make_article):
    article = make_article(body="Original")
    login(editor)
    client.post(
        f"/kb/{article.id}/edit",
        data={
            "title": article.title,
            "body": "First edit",
            "language": "en",
            "status": "published",
            "visibility": "public",
            "revision": "1",
        },
    )
    response = client.post(
        f"/kb/{article.id}/edit",
        data={
            "title": article.title,
            "body": "My late edit",
            "language": "en",
            "status": "published",
            "visibility": "public",
            "revision": "1",
        },
    )
    assert response.status_code == 409
    assert "My late edit" in response.text and 'data-testid="conflict"' in response.text


def test_form_errors_name_the_field_and_keep_the_input(client, login, editor, make_article):
    make_article(title="Taken", slug="taken")
    login(editor)
    response = client.post(
        "/kb/articles/new",
        data={
            "title": "Mine",
            "body": "Text typed",
            "language": "en",
            "status": "draft",
            "visibility": "public",
            "slug": "taken",
        },
    )
    assert response.status_code == 400
    assert "Another article already has this address." in response.text and "Text typed" in response.text


def test_customers_cannot_reach_editor_pages(client, login, make_article):
    article = make_article()
    login(make_user())
    for url in ("/kb/articles/new", f"/kb/{article.id}/edit", "/kb/manage", "/kb/synonyms", "/kb/reports"):
        assert client.get(url).status_code == 403


def test_a_translation_links_both_ways(client, login, editor, make_article):
    english = make_article(title="Forgot password")
    login(editor)
    form = client.get(f"/kb/articles/new?translation_of={english.id}")
    assert 'value="zh" selected' in form.text or 'selected value="zh"' in form.text
    client.post(
        "/kb/articles/new",
        data={
            "title": "忘记密码",
            "body": "点击忘记密码。",
            "language": "zh",
            "status": "published",
            "visibility": "public",
            "translation_of": str(english.id),
        },
    )
    assert '忘记密码 (<span lang="zh-Hans">中文</span>)' in client.get(f"/kb/{english.id}").text


def test_feedback_is_one_answer_per_reader_and_counts_views_once(client, make_article):
    article = make_article()
    client.get(f"/kb/{article.id}")
    client.get(f"/kb/{article.id}")
    db.session.refresh(article)
    assert article.view_count == 1
    assert (
        client.post(f"/kb/{article.id}/feedback", data={"helpful": "no", "comment": "Tray 3?"}).status_code
        == 303
    )
    assert client.post(f"/kb/{article.id}/feedback", data={"helpful": "yes"}).status_code == 303
    rows = db.session.query(ArticleFeedback).filter_by(article_id=article.id).all()
    assert [(r.helpful, r.comment) for r in rows] == [(True, "Tray 3?")]
    too_long = client.post(f"/kb/{article.id}/feedback", data={"helpful": "no", "comment": "x" * 2001})
    assert too_long.status_code == 400


def test_synonym_page_adds_edits_and_deletes_groups(client, login, editor):
    login(editor)
    assert client.post("/kb/synonyms", data={"new-terms": "证书, certificate, cert"}).status_code == 303
    group = queries.synonyms()[0]
    assert group.term_list == ["证书", "certificate", "cert"]
    bad = client.post(f"/kb/synonyms/{group.id}", data={f"s{group.id}-terms": "only-one"})
    assert bad.status_code == 400 and "at least two" in bad.text
    assert client.post(f"/kb/synonyms/{group.id}/delete").status_code == 303
    assert queries.synonyms() == []


def test_reports_show_views_helpfulness_gaps_and_deflection(client, login, editor, make_article):
    popular = make_article(title="Popular one")
    poor = make_article(title="Poor one")
    for _ in range(3):
        activity.record_view(popular)
    activity.give_feedback(poor, helpful=False, voter="u1")
    activity.log_search("wifi keeps dropping", hits=0, source="kb")
    activity.log_search("wifi keeps dropping", hits=0, source="portal")
    activity.log_search("half typed sentenc", hits=0, source="suggest")
    old = utcnow() - timedelta(hours=3)
    activity.suggestions_shown("v1", user=None, now=old)
    activity.suggestion_opened("v1", popular, user=None, now=old)
    activity.suggestions_shown("v2", user=None, now=old)
    login(editor)
    page = client.get("/kb/reports")
    assert page.status_code == 200
    assert "wifi keeps dropping" in page.text and "half typed" not in page.text
    assert "Popular one</a> (3)" in page.text and "Poor one" in page.text
    assert "Deflection rate: 50%" in page.text


def test_suggestions_appear_while_typing_and_an_opened_one_counts_as_deflected(
    client, login, make_article, drain
):
    article = make_article(title="Printer shows error E-42", body="Open tray 2.")
    db.session.commit()
    drain()
    login(make_user())
    fragment = client.get(
        "/kb/suggest",
        query_string={"subject": "printer E-42", "body": "it stopped"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "Printer shows error E-42" in fragment.text
    assert "<html" not in fragment.text
    opened = client.get(f"/kb/suggested/{article.id}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/kb/{article.slug}")
    visit = db.session.query(Deflection).one()
    assert visit.opened == 1 and visit.ticket_number is None
    settled = utcnow() + timedelta(hours=2)
    stats = queries.deflection_stats(since=utcnow() - timedelta(days=1), now=settled)
    assert (stats.shown, stats.opened, stats.deflected, stats.rate) == (1, 1, 1, 1.0)


def test_a_ticket_filed_in_the_same_visit_cancels_the_deflection(client, login, make_article, drain):
    article = make_article(title="Printer shows error E-42", body="Open tray 2.")
    db.session.commit()
    drain()
    login(make_user())
    client.get("/kb/suggest", query_string={"subject": "printer E-42"})
    client.get(f"/kb/suggested/{article.id}")
    response = client.post(
        "/portal/tickets/new",
        data={
            "kind": "question",
            "subject": "printer E-42 again",
            "body": "The article did not help.",
            "priority": "normal",
        },
    )
    assert response.status_code == 303
    visit = db.session.query(Deflection).one()
    assert visit.ticket_number is not None
    stats = queries.deflection_stats(since=utcnow() - timedelta(days=1), now=utcnow() + timedelta(hours=2))
    assert (stats.shown, stats.deflected, stats.filed_after_opening) == (1, 0, 1)


def test_suggestions_for_nothing_typed_are_empty(client):
    assert client.get("/kb/suggest").text.strip() == ""


def test_new_ticket_form_asks_for_suggestions_without_inline_script(client, login):
    login(make_user())
    page = client.get("/portal/tickets/new")
    assert 'hx-get="/kb/suggest"' in page.text and "<script>" not in page.text
