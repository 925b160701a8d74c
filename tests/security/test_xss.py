"""Stored XSS: every payload of xss_corpus.txt, stored through each way text comes in, renders inert on
every page that shows it (no script, event handler, javascript:/data: URL, frame, base or refresh of
its own), and still shows as the text that was typed."""

from __future__ import annotations

from email.utils import formataddr

import pytest

from core.extensions import db
from kb import indexing
from kb import services as kb_services
from support import links, services
from support.attachments import Upload
from support.mail.ingest import ingest
from tests.factories import make_admin, make_engineer, make_org, make_ticket, make_user
from tests.security.html_checks import assert_inert, payloads, scan
from tests.support.mail.letters import letter

PAYLOADS = payloads()


def marker(i: int) -> str:
    return f"xss{i:03d}"


def words(text: str) -> str:
    return " ".join(text.split())


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def long_lists(app, monkeypatch):
    for key in ("QUEUE_PAGE_SIZE", "PORTAL_PAGE_SIZE", "KB_PAGE_SIZE"):
        monkeypatch.setitem(app.config, key, 500)


def test_the_scanner_finds_what_it_looks_for():
    """Rendered raw, the HTML payloads are caught: a pass below means escaped or sanitised, not missed."""
    caught = [p for p in PAYLOADS if scan(f"<div>{p}</div>")[0]]
    assert len(caught) >= 50
    assert scan('<input value="" onmouseover="alert(1)">')[0] and not scan("<p>&lt;script&gt;</p>")[0]


def test_tickets_subjects_replies_names_and_file_names_stay_inert(client, login, long_lists):
    org = make_org()
    engineer = make_engineer()
    viewer = make_user(org=org, password=None)
    tickets = []
    for i, payload in enumerate(PAYLOADS):
        requester = make_user(org=org, name=payload[:200], password=None)
        ticket = services.open_ticket(
            requester=requester,
            subject=f"{marker(i)} {payload}"[:200],
            body=f"{marker(i)} {payload}",
            attachments=[Upload(payload[:100] + ".txt", b"x")],
        )
        services.add_message(ticket, author=engineer, body=f"{marker(i)} staff {payload}")
        services.add_message(ticket, author=engineer, body=f"{marker(i)} note {payload}", internal=True)
        tickets.append(ticket)
    db.session.commit()

    login(engineer)
    assert_inert(page(client, "/queue"), "queue")
    for i, (payload, ticket) in enumerate(zip(PAYLOADS, tickets, strict=True)):
        text = assert_inert(page(client, f"/queue/tickets/{ticket.number}"), f"queue ticket {i}")
        assert words(f"{marker(i)} note {payload}") in text
    login(viewer)
    assert_inert(page(client, "/portal?scope=org&status=all"), "portal list")
    for i, (payload, ticket) in enumerate(zip(PAYLOADS, tickets, strict=True)):
        text = assert_inert(page(client, f"/portal/tickets/{ticket.number}"), f"portal ticket {i}")
        assert words(f"{marker(i)} {payload}") in text  # the body, shown as typed
        assert words(f"{marker(i)} staff {payload}") in text


def test_the_forms_store_what_was_typed_and_show_it_inert(client, login):
    """The same through the portal's and the queue's forms (a sample: the forms only pass text on)."""
    customer, engineer = make_user(), make_engineer()
    for payload in PAYLOADS[::7]:
        login(customer)
        filed = client.post(
            "/portal/tickets/new",
            data={"kind": "question", "priority": "normal", "subject": payload, "body": payload},
        )
        assert filed.status_code == 303, filed.get_data(as_text=True)[-500:]
        path = filed.headers["Location"]
        assert client.post(path + "/replies", data={"body": "again " + payload}).status_code == 303
        assert words(payload) in assert_inert(page(client, path), path)
        login(engineer)
        assert_inert(page(client, path.replace("/portal/", "/queue/")), "queue " + path)


def test_knowledge_articles_titles_and_markdown_stay_inert(
    client, login, api, long_lists, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "INDEX_DIR", str(tmp_path / "index"))
    engineer = make_engineer()
    articles = []
    for i, payload in enumerate(PAYLOADS):
        articles.append(
            kb_services.create_article(
                author=engineer,
                title=f"{marker(i)} alert {payload}"[:200],
                body=f"{marker(i)} alert\n\n{payload}\n\nInline: {payload} and `{payload}`\n\n> {payload}\n",
                status="published",
                tags=payload[:50],
            )
        )
    db.session.commit()
    indexing.drain()  # search results and their snippets come from the index

    for i, article in enumerate(articles):
        text = assert_inert(page(client, f"/kb/{article.ref}"), f"article {i}")
        assert marker(i) in text
    for path in ("/kb", "/kb?q=script+onerror", "/kb/suggest?subject=alert+javascript"):
        assert_inert(page(client, path), path)
    found = assert_inert(page(client, "/kb?q=alert"), "search results")
    assert sum(marker(i) in found for i in range(len(PAYLOADS))) > len(PAYLOADS) // 2  # snippets shown
    reader = api(make_user())
    for article in articles:
        assert_inert(reader.get(f"/kb/articles/{article.id}").json["body_html"], f"API article {article.id}")
    login(engineer)
    assert_inert(page(client, "/kb/manage"), "kb manage")
    ticket = make_ticket(subject="Linked knowledge")
    for article in articles[::3]:
        links.link_article(ticket, article, relation="related", actor=engineer)
    db.session.commit()
    for path in ("/queue/tickets/{}", "/kb/tickets/{}/panel", "/kb/tickets/{}/search?q=alert"):
        assert_inert(page(client, path.format(ticket.number)), path)  # history, panel, its search
    for article in articles[::5]:
        assert_inert(page(client, f"/kb/{article.id}/edit"), f"edit {article.id}")
        assert_inert(page(client, f"/kb/{article.id}/history"), f"history {article.id}")


def test_inbound_mail_subjects_html_and_sender_names_stay_inert(client, login, long_lists):
    results = []
    for i, payload in enumerate(PAYLOADS):
        raw = letter(
            sender=formataddr((payload[:80], f"sender{i}@northwind.example")),
            subject=f"{marker(i)} {payload}",
            body=f"{marker(i)} {payload}\n",
            html=f"<p>{marker(i)}</p>{payload}<p>{payload}</p>",
        )
        results.append(ingest(raw, source="test"))
    admin = make_admin()
    login(admin)
    assert_inert(page(client, "/admin/mail"), "mail log")
    assert_inert(page(client, "/admin/users"), "users")
    for i, result in enumerate(results):
        assert_inert(page(client, f"/admin/mail/{result.inbound_id}"), f"mail {i}")
        if result.ticket:
            text = assert_inert(page(client, f"/queue/tickets/{result.ticket}"), f"mail ticket {i}")
            assert marker(i) in text
    assert_inert(page(client, "/queue"), "queue of mail tickets")
