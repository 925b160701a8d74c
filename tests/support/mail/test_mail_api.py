"""`POST /api/v1/mail/inbound`: a remote MTA hands over raw mail with a token."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from support.mail import api as mail_api
from support.mail.ingest import TemporaryFailure
from support.models import Ticket
from tests.factories import make_admin, make_engineer, make_user
from tests.support.mail.letters import letter

RFC822 = {"Content-Type": "message/rfc822"}


def test_staff_hand_over_a_mail_and_learn_the_ticket_it_became(api):
    response = api(make_engineer()).post("/mail/inbound", data=letter(subject="Via the API"), headers=RFC822)
    assert response.status_code == 200
    body = response.get_json()
    assert body["action"] == "created"
    assert db.session.get(Ticket, body["ticket"]).subject == "Via the API"


def test_the_same_mail_twice_is_a_duplicate_answer_not_an_error(api):
    client = api(make_admin())
    raw = letter(message_id="api-twice@northwind.example")
    first = client.post("/mail/inbound", data=raw, headers=RFC822).get_json()
    again = client.post("/mail/inbound", data=raw, headers=RFC822).get_json()
    assert again["action"] == "duplicate" and again["ticket"] == first["ticket"]


def test_a_configured_ingest_token_lets_an_mta_in_without_an_account(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_INGEST_TOKEN", "mta-secret-123")
    ok = client.post(
        "/api/v1/mail/inbound", data=letter(), headers={**RFC822, "Authorization": "Bearer mta-secret-123"}
    )
    assert ok.status_code == 200 and ok.get_json()["action"] == "created"
    wrong = client.post(
        "/api/v1/mail/inbound", data=letter(), headers={**RFC822, "Authorization": "Bearer mta-secret-12"}
    )
    assert wrong.status_code == 401


def test_without_a_token_or_as_a_customer_mail_is_refused(api, client):
    assert client.post("/api/v1/mail/inbound", data=letter(), headers=RFC822).status_code == 401
    refused = api(make_user()).post("/mail/inbound", data=letter(), headers=RFC822)
    assert refused.status_code == 403 and "message" in refused.get_json()
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0


def test_an_empty_body_is_a_400(api):
    response = api(make_engineer()).post("/mail/inbound", data=b"  \r\n", headers=RFC822)
    assert response.status_code == 400 and "raw message" in response.get_json()["message"]


def test_a_temporary_failure_is_a_503_with_retry_after(api, monkeypatch):
    def down(*args, **kwargs):
        raise TemporaryFailure("database is down")

    monkeypatch.setattr(mail_api, "ingest", down)
    response = api(make_engineer()).post("/mail/inbound", data=letter(), headers=RFC822)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/mail/inbound"]["post"]
    assert "message/rfc822" in operation["requestBody"]["content"]
    assert {"200", "401", "503"} <= set(operation["responses"])
