"""The LMTP receiver: an MTA hands a mail over and hears 250 once it is committed, 451 to retry."""

from __future__ import annotations

import smtplib

import pytest
import sqlalchemy as sa

from core.extensions import db
from support.mail import ingest as ingest_module
from support.mail import lmtp
from support.models import Ticket
from tests.support.mail.letters import letter


def deliver(server, raw: bytes, recipients=("support@aftercare.local",)) -> dict:
    with smtplib.LMTP(server.hostname, server.port, timeout=10) as client:
        return client.sendmail("tom@northwind.example", list(recipients), raw)


def test_a_mail_handed_over_by_lmtp_becomes_a_ticket(receiver):
    assert deliver(receiver, letter(subject="Sent through Postfix")) == {}
    [ticket] = db.session.scalars(sa.select(Ticket)).all()
    assert ticket.subject == "Sent through Postfix" and ticket.channel == "email"


def test_the_same_mail_delivered_again_is_accepted_but_filed_once(receiver):
    raw = letter(message_id="twice@northwind.example")
    deliver(receiver, raw)
    deliver(receiver, raw)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_a_temporary_failure_answers_451_so_the_mta_keeps_the_mail(receiver, monkeypatch):
    def down(*args, **kwargs):
        raise ingest_module.TemporaryFailure("database is down")

    monkeypatch.setattr(lmtp, "ingest", down)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        deliver(receiver, letter())
    assert refused.value.smtp_code == 451
    monkeypatch.undo()
    assert deliver(receiver, letter()) == {}


def test_smtp_greetings_are_refused_because_this_is_lmtp(receiver):
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as client:
        code, _message = client.ehlo()
    assert code == 500
