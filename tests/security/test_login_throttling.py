"""Guessing passwords is slow: a handful of tries per minute from one address (Flask-Limiter), and an
account locked for a while after repeated failures from anywhere, with a message that says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from core.db import utcnow
from tests.factories import make_user

PASSWORD = "correct horse"
LOCKED = "Too many failed sign-ins to this account"


@pytest.fixture
def locking(make_app):
    """Rate limits on; an account locks after 3 failures in 15 minutes; 5 tries a minute per address."""
    other = make_app(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute", LOGIN_ACCOUNT_LOCKOUT="3 per 15 minutes"
    )
    with other.app_context():
        yield other


def attempt(app, email: str, password: str, address: str):
    return app.test_client().post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_one_address_gets_a_handful_of_tries_a_minute_then_429_with_retry_after(throttled):
    user = make_user()
    client = throttled.test_client()
    for _try in range(5):
        assert client.post("/login", data={"email": user.email, "password": "wrong wrong"}).status_code == 400
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= 60
    assert "Wait a minute" in refused.get_data(as_text=True)


def test_failures_from_many_addresses_lock_the_account_even_for_the_right_password(locking):
    user, other = make_user(), make_user()
    for n in range(3):
        assert attempt(locking, user.email, "guess guess", f"198.51.100.{n}").status_code == 400
    locked = attempt(locking, user.email, PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert LOCKED in page and "Try again in 15 minutes" in page
    assert f'value="{user.email}"' in page  # the form keeps what was typed
    # Other accounts are not affected, not even from the same addresses.
    assert attempt(locking, other.email, PASSWORD, "198.51.100.0").status_code == 303


def test_the_lock_ends_when_the_failures_are_old_enough(locking):
    user = make_user()
    for n in range(3):
        attempt(locking, user.email, "guess guess", f"198.51.100.{n}")
    assert attempt(locking, user.email, PASSWORD, "203.0.113.7").status_code == 429
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert attempt(locking, user.email, PASSWORD, "203.0.113.7").status_code == 303


def test_unknown_addresses_lock_the_same_way(locking):
    """A lock must not tell a stranger that an account exists."""
    for n in range(3):
        assert attempt(locking, "nobody@example.com", "guess guess", f"198.51.100.{n}").status_code == 400
    assert LOCKED in attempt(locking, "Nobody@Example.com", "x" * 8, "203.0.113.7").get_data(as_text=True)


def test_a_successful_sign_in_clears_the_failures(locking):
    user = make_user()
    for n in range(2):
        attempt(locking, user.email, "guess guess", f"198.51.100.{n}")
    assert attempt(locking, user.email, PASSWORD, "203.0.113.1").status_code == 303
    for n in range(2):
        assert attempt(locking, user.email, "typo typo", f"198.51.100.{n + 10}").status_code == 400
    assert attempt(locking, user.email, PASSWORD, "203.0.113.1").status_code == 303
