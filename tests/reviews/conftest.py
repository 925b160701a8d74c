"""Fixtures of the reviews tests."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def outbox(app):
    """The mails committed during the test (core.mail records them under TESTING)."""
    sent = app.extensions.setdefault("aftercare_sent_mail", [])
    sent.clear()
    return sent


def body_of(mail) -> str:
    return mail.get_payload(decode=True).decode()


def survey_mails(outbox) -> list:
    return [m for m in outbox if "/survey/" in body_of(m)]


def survey_token(outbox) -> str:
    """The token in the last survey mail sent."""
    mails = survey_mails(outbox)
    assert mails, [m["Subject"] for m in outbox]
    match = re.search(r"/survey/([A-Za-z0-9_-]+)\?score=", body_of(mails[-1]))
    assert match, body_of(mails[-1])
    return match.group(1)
