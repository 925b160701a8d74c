"""Admin pages: the inbound log with each outcome, the quarantine and its actions, the outbox."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.mail import queue_mail
from core.mail_models import OutboxStatus
from support.mail.ingest import ingest
from support.mail.models import InboundMail
from support.models import Ticket
from tests.factories import make_admin, make_engineer, make_org, make_user
from tests.support.mail.letters import letter


@pytest.fixture
def admin_client(login):
    return login(make_admin())


@pytest.fixture
def quarantining(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_UNKNOWN_SENDERS", "quarantine")


def test_the_inbound_log_shows_every_mail_with_its_outcome(admin_client):
    make_user("tom@northwind.example")
    created = ingest(letter(sender="tom@northwind.example", subject="Printer jams"))
    ingest(letter(sender="tom@northwind.example", subject="Out of Office: back Monday"))
    page = admin_client.get("/admin/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-testid="inbound-row"') == 2
    assert 'data-outcome="created"' in html and 'data-outcome="ignored"' in html
    assert f"#{created.ticket}" in html and "Auto-reply" in html
    only_ignored = admin_client.get("/admin/mail?outcome=ignored").get_data(as_text=True)
    assert only_ignored.count('data-testid="inbound-row"') == 1


def test_the_quarantine_lists_held_mail_with_its_actions(admin_client, quarantining):
    ingest(letter(sender="stranger@unknown.example", subject="Who do I ask?"))
    html = admin_client.get("/admin/mail/quarantine").get_data(as_text=True)
    assert "Who do I ask?" in html and "Unknown sender" in html
    assert "Re-process" in html and "Create ticket" in html
    assert 'data-testid="quarantine-count">1<' in html


def test_create_ticket_files_a_quarantined_mail_from_its_sender(admin_client, quarantining):
    row_id = ingest(letter(sender="stranger@unknown.example", subject="Who do I ask?")).inbound_id
    response = admin_client.post(f"/admin/mail/{row_id}/ticket")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/mail/{row_id}")
    row = db.session.get(InboundMail, row_id)
    assert row.outcome == "created" and row.ticket.requester.email == "stranger@unknown.example"
    detail = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Filed on ticket #{row.ticket_id}." in detail


def test_reprocess_applies_the_rules_again(admin_client, quarantining):
    row_id = ingest(letter(sender="new@partner.example")).inbound_id
    admin_client.post(f"/admin/mail/{row_id}/reprocess")
    assert db.session.get(InboundMail, row_id).outcome == "quarantined"  # nothing changed yet
    make_org("Partner", domains="partner.example")
    admin_client.post(f"/admin/mail/{row_id}/reprocess")
    assert db.session.get(InboundMail, row_id).outcome == "created"


def test_mail_that_became_part_of_a_ticket_cannot_be_filed_twice(admin_client):
    result = ingest(letter())
    assert admin_client.post(f"/admin/mail/{result.inbound_id}/ticket").status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_the_detail_page_shows_the_new_text_decoding_problems_and_the_original(admin_client):
    body = "新的问题。\n\n在 2026年11月23日，支持 <support@aftercare.local> 写道：\n> 旧的内容\n"
    row_id = ingest(letter(subject="回复：打印机", body=body)).inbound_id
    html = admin_client.get(f"/admin/mail/{row_id}").get_data(as_text=True)
    assert "新的问题。" in html and "旧的内容" in html  # the new text, and the whole text in <details>
    raw = admin_client.get(f"/admin/mail/{row_id}/raw")
    assert raw.status_code == 200 and raw.mimetype == "application/octet-stream"
    assert raw.data == db.session.get(InboundMail, row_id).raw


def test_the_outbox_page_lists_mail_and_a_failed_one_can_be_sent_again(admin_client):
    row = queue_mail("nobody@northwind.example", "Hello", "Text")
    row.status, row.last_error = OutboxStatus.failed, "550 5.1.1 No such user"
    db.session.commit()
    html = admin_client.get("/admin/mail/outbox").get_data(as_text=True)
    assert "nobody@northwind.example" in html and "550 5.1.1 No such user" in html
    response = admin_client.post(f"/admin/mail/outbox/{row.id}/retry")
    assert response.status_code == 303
    assert row.status == OutboxStatus.queued and row.attempts == 0


@pytest.mark.parametrize("path", ["/admin/mail", "/admin/mail/quarantine", "/admin/mail/outbox"])
def test_mail_pages_are_for_admins_only(client, login, path):
    assert client.get(path).status_code in (302, 303)  # to the sign-in page
    login(make_engineer())
    assert client.get(path).status_code == 403


def test_the_admin_pages_link_to_the_mail_pages(admin_client):
    assert 'href="/admin/mail"' in admin_client.get("/admin").get_data(as_text=True)
