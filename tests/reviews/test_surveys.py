"""Satisfaction surveys: sent when a ticket is resolved, one answer per ticket, expiring, low scores flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.extensions import db
from reviews import surveys
from reviews.models import Survey
from support import services
from tests.factories import make_engineer, make_ticket, make_user
from tests.reviews.conftest import survey_mails, survey_token

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _resolve(ticket, *, now=NOW):
    services.change_status(ticket, "resolved", actor=make_engineer(), now=now)
    db.session.commit()


def test_resolving_a_ticket_mails_the_requester_a_survey_link(outbox):
    requester = make_user("anna@example.com")
    ticket = make_ticket(requester)
    _resolve(ticket)
    mails = survey_mails(outbox)
    assert len(mails) == 1 and mails[0]["To"] == "anna@example.com" and f"#{ticket.id}" in mails[0]["Subject"]
    token = survey_token(outbox)
    survey = db.session.scalars(db.select(Survey).where(Survey.ticket_id == ticket.id)).one()
    assert survey.token_hash == surveys.hash_token(token) and token not in survey.token_hash
    assert survey.expires_at == NOW + timedelta(days=14)


def test_the_link_answers_once_without_signing_in(client, outbox):
    ticket = make_ticket()
    _resolve(ticket)
    token = survey_token(outbox)
    page = client.get(f"/survey/{token}?score=4")
    assert (
        page.status_code == 200
        and '<input checked id="score-1" name="score" required type="radio" value="4">' in page.text
    )
    answered = client.post(f"/survey/{token}", data={"score": "2", "comment": "Slow answer"})
    assert answered.status_code == 303
    survey = db.session.scalars(db.select(Survey).where(Survey.ticket_id == ticket.id)).one()
    assert (survey.score, survey.comment, survey.channel) == (2, "Slow answer", "link")
    assert survey.flagged_at is not None  # a low score flags the ticket for the next review
    again = client.post(f"/survey/{token}", data={"score": "5"})
    assert again.status_code == 409
    assert db.session.scalars(db.select(Survey.score).where(Survey.ticket_id == ticket.id)).one() == 2


def test_api_answer_validates_the_score_and_refuses_a_second_answer(client, outbox):
    ticket = make_ticket()
    _resolve(ticket)
    token = survey_token(outbox)
    bad = client.post(f"/api/v1/surveys/{token}", json={"score": 6})
    assert bad.status_code == 422 and "score" in bad.json["errors"]["json"]
    assert (
        client.post(f"/api/v1/surveys/{token}", json={"score": "5"}).status_code == 422
    )  # a string is no score
    ok = client.post(f"/api/v1/surveys/{token}", json={"score": 5, "comment": "Great"})
    assert ok.status_code == 200
    assert ok.json["ticket"] == ticket.id and ok.json["score"] == 5
    assert client.post(f"/api/v1/surveys/{token}", json={"score": 1}).status_code == 409
    assert client.post("/api/v1/surveys/not-a-token", json={"score": 1}).status_code == 404


def test_an_expired_link_is_refused(client, outbox):
    ticket = make_ticket()
    _resolve(ticket, now=datetime.now(UTC) - timedelta(days=15))
    token = survey_token(outbox)
    assert client.get(f"/survey/{token}").status_code == 410
    assert client.post(f"/api/v1/surveys/{token}", json={"score": 3}).status_code == 410


def test_high_score_is_not_flagged_and_resolving_again_keeps_the_one_answer(outbox):
    ticket = make_ticket()
    _resolve(ticket)
    survey = surveys.survey_for_token(survey_token(outbox))
    surveys.answer(survey, score=5, channel="link")
    db.session.commit()
    assert survey.flagged_at is None
    services.change_status(ticket, "open", actor=make_engineer(), now=NOW)
    outbox.clear()
    _resolve(ticket)
    assert not survey_mails(outbox)


def test_customer_rates_on_the_portal_ticket_page(client, login, outbox):
    customer = make_user()
    ticket = make_ticket(customer)
    login(customer)
    assert 'data-testid="survey-prompt"' not in client.get(f"/portal/tickets/{ticket.id}").text
    _resolve(ticket)
    page = client.get(f"/portal/tickets/{ticket.id}")
    assert 'data-testid="survey-prompt"' in page.text
    answered = client.post(f"/survey/tickets/{ticket.id}", data={"score": "1", "comment": "Not fixed"})
    assert answered.status_code == 303
    survey = db.session.scalars(db.select(Survey).where(Survey.ticket_id == ticket.id)).one()
    assert (survey.score, survey.channel, survey.answered_by_id) == (1, "portal", customer.id)
    assert "You rated our help 1 out of 5" in client.get(f"/portal/tickets/{ticket.id}").text


def test_another_organisation_cannot_rate_a_ticket(client, login):
    ticket = make_ticket()
    _resolve(ticket)
    login(make_user())
    assert client.post(f"/survey/tickets/{ticket.id}", data={"score": "5"}).status_code == 404
