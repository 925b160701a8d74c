"""`flask backup create` and `flask backup restore`: every ticket, message and attachment (to the byte)
comes back, and search finds the articles again.

A backup only sees committed data, so these tests run outside the rolled-back test transaction, on
databases of their own: SQLite files, or with --db=postgres two throwaway databases beside
TEST_DATABASE_URL's (its name + "_backup" and "_restore").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from core import backup
from core.extensions import db
from core.models import User
from kb import queries as kb_queries
from kb import services as kb_services
from support import services
from support.attachments import Upload, path_of
from support.models import Attachment, Message, Ticket
from tests.factories import make_engineer, make_ticket, make_user

FILES = {
    "log.txt": b"E-42 at 09:14\nE-42 at 09:20\n",
    "dump.gz": bytes(range(256)) * 512,
    "scan.pdf": b"%PDF-1.4\n" + os.urandom(4096),
}


@pytest.fixture
def no_transaction():
    """These tests commit for real: tests/conftest.py leaves them outside its rolled-back transaction."""


@pytest.fixture
def databases(request, tmp_path, no_transaction):
    """(URL of the database to back up, URL of an empty one to restore into)."""
    if request.config.getoption("--db") != "postgres":
        yield f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base = os.environ["TEST_DATABASE_URL"]
    parts = urlsplit(base)
    names = [parts.path.lstrip("/") + suffix for suffix in ("_backup", "_restore")]

    def recreate(drop_only: bool = False) -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if not drop_only:
                    conn.execute(f'CREATE DATABASE "{name}"')

    recreate()
    yield tuple(urlunsplit(parts._replace(path="/" + name)) for name in names)
    recreate(drop_only=True)


def desk(url: str, folder: Path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "backup-test",
            "UPLOAD_DIR": str(folder / "attachments"),
            "INDEX_DIR": str(folder / "index"),
            "KB_WARM_UP": False,
            "SERVER_NAME": "localhost",
        }
    )
    return app


@pytest.fixture
def live(databases, tmp_path):
    """A desk with tickets, a thread with a note and attachments, and articles, all committed."""
    app = desk(databases[0], tmp_path / "live")
    with app.app_context():
        upgrade(revision="heads")
        engineer = make_engineer(email="li.wei@aftercare.example")
        customer = make_user(email="tom.baker@northwind.example")
        ticket = make_ticket(
            customer,
            subject="Label printer jams",
            attachments=[Upload(name, data) for name, data in FILES.items()],
        )
        services.add_message(ticket, author=engineer, body="Checked the roller.", internal=True)
        services.add_message(ticket, author=engineer, body="Please send a photo of the tray.")
        services.add_message(
            ticket, author=customer, body="Here it is.", attachments=[Upload("tray.txt", b"tray")]
        )
        make_ticket(customer, subject="第二台打印机也卡纸", body="同样的问题。")
        kb_services.create_article(
            author=engineer,
            title="Clearing label printer jams",
            body="Open the cover and pull the roller release lever.",
            status="published",
        )
        kb_services.create_article(author=engineer, title="A draft", body="Not yet.")
        db.session.commit()
        db.session.remove()
    yield app  # with no app context pushed: each command pushes its own app's (Flask's with_appcontext)
    with app.app_context():
        db.engine.dispose()


def snapshot() -> dict:
    """Everything a restore must bring back, as plain data."""
    tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
    return {
        "tickets": [(t.id, t.subject, t.status, t.requester.email, t.version) for t in tickets],
        "messages": [
            (m.id, m.ticket_id, m.body, m.internal, m.author.email if m.author else None)
            for m in db.session.scalars(sa.select(Message).order_by(Message.id))
        ],
        "attachments": [
            (a.id, a.message_id, a.filename, a.size, a.sha256, path_of(a).read_bytes())
            for a in db.session.scalars(sa.select(Attachment).order_by(Attachment.id))
        ],
    }


def run(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *args])


def test_a_backup_restored_into_an_empty_database_brings_everything_back(live, databases, tmp_path):
    folder = tmp_path / "backup"
    with live.app_context():
        before = snapshot()
    made = run(live, "create", "--to", str(folder))
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[-1] == f"backup written to {folder}"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["tickets"] == 2 and manifest["counts"]["messages"] == 5
    assert manifest["counts"]["attachments"] == 4 and manifest["counts"]["kb_articles"] == 2
    assert manifest["attachment_files"]["count"] == 4

    restored = desk(databases[1], tmp_path / "restored")  # a new, empty database and folder
    done = run(restored, "restore", str(folder))
    assert done.exit_code == 0, done.output
    assert "indexed 1 articles" in done.output  # the search index was rebuilt
    with restored.app_context():
        assert snapshot() == before
        assert len(before["attachments"]) == 4 and before["attachments"][0][5] == FILES["log.txt"]
        viewer = db.session.scalar(sa.select(User).where(User.email == "tom.baker@northwind.example"))
        found = kb_queries.search_articles("roller lever", viewer=viewer)
        assert [hit.title for hit in found.hits] == ["Clearing label printer jams"]
        # The restored desk works on: a new ticket gets the next number.
        assert make_ticket(viewer).id == 3
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(live, tmp_path):
    folder = tmp_path / "backup"
    assert run(live, "create", "--to", str(folder)).exit_code == 0
    with live.app_context():
        make_ticket(subject="Written after the backup")
        db.session.commit()
    refused = run(live, "restore", str(folder))
    assert refused.exit_code == 1 and "not empty" in refused.output
    forced = run(live, "restore", "--force", str(folder))
    assert forced.exit_code == 0, forced.output
    with live.app_context():
        subjects = db.session.scalars(sa.select(Ticket.subject)).all()
    assert "Written after the backup" not in subjects and len(subjects) == 2


def test_a_damaged_backup_is_refused_before_anything_is_touched(live, databases, tmp_path):
    folder = tmp_path / "backup"
    assert run(live, "create", "--to", str(folder)).exit_code == 0
    stored = next(p for p in (folder / "attachments").rglob("*") if p.is_file())
    stored.write_bytes(b"bit rot")
    restored = desk(databases[1], tmp_path / "restored")
    refused = run(restored, "restore", str(folder))
    assert refused.exit_code == 1 and "do not match its manifest" in refused.output
    with restored.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()
    assert run(live, "create", "--to", str(folder)).exit_code == 1  # never into a used folder


def test_without_the_postgresql_client_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="apt-get install postgresql-client"):
        backup._pg_tool("pg_dump")
