"""Fixtures of the security tests: mail sent, a second app with the rate limiter on, CSRF switched on."""

from __future__ import annotations

import pytest

from app import create_app
from core.extensions import limiter
from tests.conftest import forget_request_globals


@pytest.fixture
def outbox(app):
    """The mails committed during the test (core.mail records them under TESTING)."""
    sent = app.extensions.setdefault("aftercare_sent_mail", [])
    sent.clear()
    return sent


@pytest.fixture
def csrf_on(app, monkeypatch):
    """The suite runs without CSRF checks (forms are posted by hand); these tests turn them on."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def make_app(app):
    """Build another app on the same database with different settings; the shared limiter is restored."""
    was_enabled = limiter.enabled
    keys = (
        "TESTING",
        "SQLALCHEMY_DATABASE_URI",
        "SECRET_KEY",
        "WTF_CSRF_ENABLED",
        "SERVER_NAME",
        "UPLOAD_DIR",
    )

    def build(**overrides):
        other = create_app({key: app.config[key] for key in keys} | {"RATELIMIT_ENABLED": False} | overrides)
        other.before_request(forget_request_globals)
        return other

    yield build
    # Flask-Limiter is one object for every app in the process: switch it back for the rest of the suite.
    limiter.enabled = was_enabled


@pytest.fixture
def throttled(make_app):
    """An app with the rate limiter on (fresh in-memory counters), used inside its own app context."""
    other = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute")
    with other.app_context():
        yield other
