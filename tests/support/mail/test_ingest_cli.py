"""`flask mail ingest FILE...|-`: the MTA pipe, and every mail of both corpora filed without an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from core.extensions import db
from support.mail.models import InboundMail
from support.models import Ticket
from tests.support.mail.letters import letter

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).parents[3].parent / "shared" / "corpus" / "email"
NOISE = {"auto-reply-zh.eml", "bounce-dsn.eml", "out-of-office-en.eml"}


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["mail", "ingest", *args], input=input)


def test_one_json_line_per_message_with_its_action_and_ticket(app, tmp_path):
    first, second = tmp_path / "a.eml", tmp_path / "b.eml"
    first.write_bytes(letter(subject="Printer jams", message_id="cli-1@northwind.example"))
    second.write_bytes(letter(subject="Printer jams", message_id="cli-1@northwind.example"))
    result = run(app, str(first), str(second))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["action"] for line in lines] == ["created", "duplicate"]
    assert lines[0]["ticket"] == lines[1]["ticket"] == db.session.scalar(sa.select(Ticket.id))
    assert lines[0]["file"] == str(first)


def test_a_message_piped_on_stdin_is_filed(app):
    result = run(app, "-", input=letter(subject="From procmail"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["action"] == "created"
    assert db.session.scalar(sa.select(InboundMail.source)) == "pipe"


def test_a_missing_file_is_reported_and_exits_1(app, tmp_path):
    result = run(app, str(tmp_path / "nope.eml"))
    assert result.exit_code == 1 and "error" in json.loads(result.output)


def test_a_mail_over_the_limit_is_refused_and_the_others_filed(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    small, big = tmp_path / "small.eml", tmp_path / "big.eml"
    small.write_bytes(letter(subject="Small one"))
    big.write_bytes(
        letter(subject="Big one", attachments=[("dump.bin", "application/octet-stream", b"x" * 30_000)])
    )
    result = run(app, str(big), str(small))
    assert result.exit_code == 1  # an MTA bounces it: its sender learns it was not taken
    refused, filed = [json.loads(line) for line in result.output.splitlines()]
    assert refused == {"file": str(big), "error": "larger than 20 KB, the most a mail may be: not filed"}
    assert filed["action"] == "created"
    assert db.session.scalars(sa.select(Ticket.subject)).all() == ["Small one"]
    assert big.exists()  # left where it was
    piped = run(app, "-", input=big.read_bytes())
    assert piped.exit_code == 1 and "not filed" in piped.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMail)) == 1


@pytest.fixture
def no_transaction():
    """Run outside the rolled-back test transaction (tests/conftest.py), on an app of its own."""


def test_the_database_being_down_exits_75_so_the_mta_retries(no_transaction, tmp_path):
    down = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}",
            "SECRET_KEY": "test",
        }
    )
    result = down.test_cli_runner().invoke(args=["mail", "ingest", "-"], input=letter())
    assert result.exit_code == 75
    assert "temporary failure" in result.output


def _corpus() -> list[Path]:
    files = sorted(FIXTURES.glob("*.eml"))
    if SHARED.is_dir():
        files += sorted(SHARED.glob("*/*.eml"))
    return files


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_every_corpus_mail_is_filed_or_ignored_never_quarantined(app, path):
    result = run(app, str(path))
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    expected = "ignored" if path.name in NOISE else "created"
    assert line["action"] == expected, line
    if expected == "created":
        ticket = db.session.get(Ticket, line["ticket"])
        assert ticket.subject and ticket.messages[0].channel == "email"
