"""Fuzzing the way in: whatever bytes arrive, ingestion keeps them and files them, ignores them or
quarantines them for an admin; it never raises, so no MTA, poller or pipe ever sees a crash.

Each example runs in a savepoint that is rolled back, so every one is a first delivery (no example
is a "duplicate" of the one before, and no sender hits the hourly limit).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.extensions import db
from support.mail.ingest import REASONS, ingest
from support.mail.models import InboundMail, Outcome
from support.models import Message, Ticket
from tests.conftest import undone_afterwards
from tests.support.mail.mutations import MESSAGES, hostile_mail, huge_header, nest

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.fixture
def rolled_back(app):
    """A context manager: what the block commits is undone at its end."""
    return undone_afterwards


def check_filed(raw: bytes) -> None:
    result = ingest(raw, source="fuzz")
    row = db.session.get(InboundMail, result.inbound_id)
    assert row is not None and row.raw == raw, "the raw message is always kept"
    assert result.action in {o.value for o in Outcome}
    if result.action == Outcome.quarantined:
        assert row.reason in REASONS
        assert row.reason != "error" or row.error, "a quarantine for an error says which"
    if result.action in (Outcome.created, Outcome.appended):
        ticket = db.session.get(Ticket, result.ticket)
        message = db.session.get(Message, row.message_row_id)
        assert ticket is not None and message is not None and message.ticket_id == ticket.id
        assert "\x00" not in ticket.subject and "\x00" not in message.body


@FUZZ
@given(raw=st.one_of(st.binary(min_size=1, max_size=3000), hostile_mail()))
def test_ingest_keeps_and_files_or_quarantines_whatever_arrives(raw, rolled_back):
    with rolled_back():
        check_filed(raw)


class Draws:
    """Plays the part of hypothesis's `draw` with fixed answers, for hand-picked worst cases."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def __call__(self, _strategy):
        return self.answers.pop(0)


WORST = {
    "nested-3000-multipart": nest(Draws(3000, "multipart"), MESSAGES[0]),
    "nested-3000-rfc822": nest(Draws(3000, "rfc822"), MESSAGES[0]),
    "content-type-300k-params": huge_header(Draws(300_000, "params"), MESSAGES[0]),
    "references-300k": huge_header(Draws(300_000, "references"), MESSAGES[0]),
    "to-300k": huge_header(Draws(300_000, "to"), MESSAGES[0]),
    "binary-garbage": bytes(range(256)) * 64,
    "only-headers": b"From: someone@example.com\r\nSubject: no body at all",
    "empty-lines": b"\r\n" * 1000,
}


@pytest.mark.parametrize("name", WORST)
def test_the_worst_cases_through_the_pipe_command(app, rolled_back, tmp_path, name):
    """`flask mail parse` prints one JSON line and `flask mail ingest` files it, exit status 0."""
    path = tmp_path / f"{name}.eml"
    path.write_bytes(WORST[name])
    runner = app.test_cli_runner()
    parsed = runner.invoke(args=["mail", "parse", str(path)])
    assert parsed.exit_code == 0, parsed.output
    assert json.loads(parsed.output)["file"] == str(path)
    with rolled_back():
        filed = runner.invoke(args=["mail", "ingest", str(path)])
        assert filed.exit_code == 0, filed.output
        line = json.loads(filed.output)
        assert line["action"] in {o.value for o in Outcome}
        assert db.session.get(InboundMail, line["inbound_id"]).raw == WORST[name]
