"""Idempotency-Key on POST /tickets and POST /tickets/N/messages (core/idempotency.py): a client that
retries after a timeout gets the first answer again, never a second ticket or reply."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core import idempotency
from core.extensions import db
from core.mail_models import OutboundMail
from core.models import IdempotencyKey
from support.models import Message, Ticket
from tests.factories import make_engineer, make_org, make_ticket, make_user

FILING = {"subject": "VPN drops every hour", "body": "Since Monday.", "kind": "incident"}


@pytest.fixture
def customer():
    return make_user("ann@acme.example", org=make_org("Acme"), name="Ann")


def tickets() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))


def keyed(key: str) -> dict:
    return {"Idempotency-Key": key}


def test_the_same_request_sent_twice_files_one_ticket_and_answers_the_same(api, customer):
    caller = api(customer)
    first = caller.post("/tickets", json=FILING, headers=keyed("order-7f3a"))
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail))
    again = caller.post("/tickets", json=FILING, headers=keyed("order-7f3a"))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert tickets() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)) == mails  # no second mail


def test_a_try_that_loses_the_race_is_rolled_back_and_answers_what_the_first_stored(
    api, customer, monkeypatch
):
    caller = api(customer)
    first = caller.post("/tickets", json=FILING, headers=keyed("race"))
    # The second try looked before the first had committed: it does the work again, and its commit
    # meets the first one's key.
    real, looks = idempotency._stored, []

    def too_early(user_id, key):
        looks.append(key)
        return None if len(looks) == 1 else real(user_id, key)

    monkeypatch.setattr(idempotency, "_stored", too_early)
    again = caller.post("/tickets", json=FILING, headers=keyed("race"))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert tickets() == 1 and len(looks) == 2


def test_without_a_key_each_request_files_a_ticket(api, customer):
    caller = api(customer)
    assert caller.post("/tickets", json=FILING).status_code == 201
    assert caller.post("/tickets", json=FILING).status_code == 201
    assert tickets() == 2


def test_a_key_used_again_for_another_request_is_refused_naming_the_header(api, customer):
    caller = api(customer)
    assert caller.post("/tickets", json=FILING, headers=keyed("k-1")).status_code == 201
    other = caller.post("/tickets", json={**FILING, "subject": "Printer jams"}, headers=keyed("k-1"))
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["errors"]["headers"]
    assert tickets() == 1


def test_keys_belong_to_their_user(api, customer):
    other = make_user("bob@acme.example", org=customer.organisation)
    assert api(customer).post("/tickets", json=FILING, headers=keyed("same")).status_code == 201
    second = api(other).post("/tickets", json=FILING, headers=keyed("same"))
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert tickets() == 2


def test_a_refused_request_is_not_remembered_so_the_corrected_retry_goes_through(api, customer):
    caller = api(customer)
    bad = caller.post("/tickets", json={**FILING, "kind": "nonsense"}, headers=keyed("k-2"))
    assert bad.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0
    good = caller.post("/tickets", json=FILING, headers=keyed("k-3"))
    assert good.status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
def test_a_malformed_key_is_refused_naming_the_header(api, customer, key):
    response = api(customer).post("/tickets", json=FILING, headers=keyed(key))
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]["headers"]
    assert tickets() == 0


def test_a_reply_sent_twice_is_added_once(api, customer):
    ticket = make_ticket(customer)
    db.session.commit()
    caller = api(customer)
    first = caller.post(
        f"/tickets/{ticket.id}/messages", json={"body": "Still broken."}, headers=keyed("r-1")
    )
    again = caller.post(
        f"/tickets/{ticket.id}/messages", json={"body": "Still broken."}, headers=keyed("r-1")
    )
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    bodies = db.session.scalars(sa.select(Message.body).where(Message.ticket_id == ticket.id)).all()
    assert bodies.count("Still broken.") == 1


def test_an_expired_key_is_free_again(api, customer):
    caller = api(customer)
    assert caller.post("/tickets", json=FILING, headers=keyed("old")).status_code == 201
    stored = db.session.scalar(sa.select(IdempotencyKey))
    stored.created_at = stored.created_at.replace(year=stored.created_at.year - 1)
    db.session.commit()
    again = caller.post("/tickets", json=FILING, headers=keyed("old"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert tickets() == 2


def test_the_header_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/tickets", "/api/v1/tickets/{number}/messages"):
        parameters = spec["paths"][path]["post"].get("parameters", [])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters), path


def test_staff_filing_on_behalf_replays_too(api, customer):
    engineer = make_engineer()
    caller = api(engineer)
    body = {**FILING, "requester_email": customer.email}
    first = caller.post("/tickets", json=body, headers=keyed("desk-1"))
    again = caller.post("/tickets", json=body, headers=keyed("desk-1"))
    assert first.status_code == again.status_code == 201
    assert again.get_json()["number"] == first.get_json()["number"] and tickets() == 1
