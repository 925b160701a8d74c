"""Every periodic job is safe to run twice: two runs at once (PostgreSQL: two threads, two connections)
or one after the other (SQLite) do each piece of work once.

A scheduler that took over from one that was cut off mid-run, a `flask sla sweep` typed while the
runner sweeps, a job that overran its interval: each means two runs over the same rows. The data is
committed (the runs use connections of their own) and deleted again after each test.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core import jobs
from core.extensions import db
from core.mail import queue_mail
from core.mail_models import OutboundMail, OutboxStatus
from core.models import IdempotencyKey
from kb import indexing
from kb import services as kb_services
from kb.models import IndexQueue
from reviews.models import Detection, Problem, Review, Survey
from sla import settings as sla_settings
from sla.clock import WEEKDAYS
from support import services
from support.attachments import Upload
from support.mail.models import InboundMail
from support.models import Status, Ticket, TicketEvent
from tests.factories import make_engineer, make_ticket, make_user
from tests.support.mail import conftest as mail_servers
from tests.support.mail.letters import letter

# The real dovecot of the mail tests, for the IMAP poller.
dovecot, mailbox = mail_servers.dovecot, mail_servers.mailbox

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday

# The jobs this module runs twice; a new job fails the first test until it has its own test here.
COVERED = {
    "support.close_resolved",
    "support.sweep_attachment_files",
    "support.purge_idempotency_keys",
    "kb.index_pending",
    "sla.sweep",
    "mail.send",
    "mail.poll",
    "reviews.detect",
    "reviews.create_review",
}


def test_every_registered_job_has_a_run_twice_test_here(app):
    assert {job.id for job in jobs.collect(app.config["JOB_MODULES"])} == COVERED


@pytest.fixture
def no_transaction(app, tmp_path, monkeypatch):
    """Committed rows the runs share; every row the test added is deleted after it."""
    monkeypatch.setitem(app.config, "INDEX_DIR", str(tmp_path / "index"))
    tables = db.metadata.sorted_tables
    with app.app_context():
        with_id = [t for t in tables if "id" in t.c]
        before = {t.name: db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0 for t in with_id}
        db.session.remove()
        yield
        db.session.rollback()
        for table in reversed(tables):  # dependants first
            if "id" in table.c:
                db.session.execute(sa.delete(table).where(table.c.id > before[table.name]))
                continue
            for fk in table.foreign_keys:  # rows of a new parent go with it
                parent = fk.column.table
                if parent.name in before:
                    db.session.execute(sa.delete(table).where(fk.parent > before[parent.name]))
        db.session.commit()
        db.session.remove()


def job(app, job_id: str) -> jobs.Job:
    return next(j for j in jobs.collect(app.config["JOB_MODULES"]) if j.id == job_id)


def run_twice(app, job_id: str, now: datetime = NOW) -> list:
    """Run the job twice: at once on PostgreSQL, one after the other on SQLite (whose writers queue)."""
    func = job(app, job_id).func
    db.session.commit()  # what the test set up is visible to both runs
    db.session.remove()
    results, errors = [], []
    concurrent = db.engine.dialect.name == "postgresql"
    start = threading.Barrier(2) if concurrent else None

    def run():
        with app.app_context():
            try:
                if start is not None:
                    start.wait(timeout=30)
                results.append(func(now))
            except Exception as exc:  # surfaced below: an assertion in a thread would be lost
                errors.append(exc)
            finally:
                db.session.remove()

    if concurrent:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    else:
        run()
        run()
    assert errors == []
    assert len(results) == 2
    return results


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# -- support ----------------------------------------------------------------------------------------


def test_resolved_tickets_are_closed_once(app, no_transaction):
    engineer = make_engineer()
    numbers = []
    for _ in range(12):
        ticket = make_ticket(now=NOW - timedelta(days=10))
        services.change_status(ticket, Status.resolved, actor=engineer, now=NOW - timedelta(days=8))
        numbers.append(ticket.id)
    results = run_twice(app, "support.close_resolved")

    assert sum(results) == 12
    statuses = db.session.scalars(sa.select(Ticket.status).where(Ticket.id.in_(numbers))).all()
    assert set(statuses) == {Status.closed}
    closings = db.session.scalars(
        sa.select(TicketEvent.ticket_id).where(
            TicketEvent.ticket_id.in_(numbers),
            TicketEvent.kind == "status_changed",
            TicketEvent.actor_id.is_(None),
        )
    ).all()
    assert sorted(closings) == sorted(numbers)  # one closing in each history
    assert count(Survey, Survey.ticket_id.in_(numbers)) == 12  # the survey of the resolution, no second


def test_orphaned_attachment_files_are_swept_once_and_named_ones_kept(
    app, no_transaction, tmp_path, monkeypatch
):
    root = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(root))
    ticket = make_ticket(attachments=[Upload("kept.log", b"named by a row")])
    kept = root / ticket.messages[0].attachments[0].storage_path
    orphans = [root / f"{n:02x}" / f"{n:02x}{'0' * 62}" for n in range(12)]
    for path in orphans:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left by a crash")
    old = (NOW - timedelta(days=2)).timestamp()
    for path in [*orphans, kept]:
        os.utime(path, (old, old))
    results = run_twice(app, "support.sweep_attachment_files")

    assert sum(results) == 12  # each file deleted by one run; the other found it gone
    assert not any(path.exists() for path in orphans)
    assert kept.exists()


def test_old_idempotency_keys_are_forgotten_once_and_fresh_ones_kept(app, no_transaction):
    user_id = make_user().id
    for n in range(10):
        age = timedelta(hours=30) if n < 7 else timedelta(hours=2)
        db.session.add(
            IdempotencyKey(
                user_id=user_id, key=f"k{n}", fingerprint="f", status=201, body="{}", created_at=NOW - age
            )
        )
    results = run_twice(app, "support.purge_idempotency_keys")

    assert sum(results) == 7  # each old key deleted by one run
    kept = db.session.scalars(sa.select(IdempotencyKey.key).where(IdempotencyKey.user_id == user_id)).all()
    assert sorted(kept) == ["k7", "k8", "k9"]


# -- knowledge base ---------------------------------------------------------------------------------


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, app, monkeypatch):
    if request.param == "postgres" and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend needs --db=postgres")
    monkeypatch.setitem(app.config, "KB_SEARCH_BACKEND", request.param)
    return request.param


def test_the_index_queue_is_worked_off_once(app, search_backend, no_transaction):
    indexing.rebuild_all()  # an index exists, empty: the runs drain the queue rather than rebuild
    editor = make_engineer()
    ids = [
        kb_services.create_article(
            author=editor,
            title=f"Toner cartridge {n} reports quasarbyte",
            body="Shake the cartridge and reseat it.",
            status="published",
        ).id
        for n in range(30)
    ]
    assert count(IndexQueue, IndexQueue.article_id.in_(ids)) == 30
    results = run_twice(app, "kb.index_pending")

    assert sum(results) >= 30  # a row both runs saw is indexed twice: harmless, replaced by id
    assert count(IndexQueue, IndexQueue.article_id.in_(ids)) == 0
    engine = indexing.backend()
    assert engine.document_count() == 30
    hits = engine.search("quasarbyte", per_page=100).hits
    assert sorted(hit.id for hit in hits) == sorted(ids)  # each article once


# -- service levels ---------------------------------------------------------------------------------


def test_each_breach_is_recorded_and_escalated_once(app, no_transaction):
    lead = make_engineer(name="Lee Lead")
    lead_email = lead.email
    calendar = sla_settings.save_calendar(
        None, name="Around the clock", timezone="UTC", hours={day: [("00:00", "24:00")] for day in WEEKDAYS}
    )
    sla_settings.save_policy(
        None,
        name="One hour",
        calendar=calendar,
        first_response_minutes=60,
        breach_actions=["raise_priority", "notify_lead"],
        lead=lead,
    )
    numbers = [make_ticket(now=NOW).id for _ in range(12)]
    results = run_twice(app, "sla.sweep", NOW + timedelta(minutes=61))

    assert sum(r.breached for r in results) == 12
    raised = count(
        TicketEvent,
        TicketEvent.ticket_id.in_(numbers),
        TicketEvent.kind == "field_changed",
        TicketEvent.actor_id.is_(None),
    )
    assert raised == 12
    assert count(OutboundMail, OutboundMail.recipient == lead_email) == 12


# -- mail -------------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server(app, monkeypatch):
    server = mail_servers.SmtpServer(mail_servers.free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    server.start()
    yield server
    server.stop()


def test_queued_mail_is_sent_once(app, no_transaction, smtp_server):
    rows = [queue_mail(f"reader{n}@example.com", f"Notice {n}", "Hello.\n", now=NOW) for n in range(30)]
    db.session.flush()
    ids = [row.id for row in rows]
    results = run_twice(app, "mail.send", NOW + timedelta(seconds=1))

    assert sum((r["sent"] for r in results), 0) == 30
    received = Counter(tuple(envelope.rcpt_tos) for envelope in smtp_server.received)
    assert received == Counter({(f"reader{n}@example.com",): 1 for n in range(30)})
    rows = db.session.scalars(sa.select(OutboundMail).where(OutboundMail.id.in_(ids))).all()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.sent, 1)}


def test_mail_in_the_mailbox_becomes_one_ticket_each(app, no_transaction, mailbox, monkeypatch):
    subjects = [f"Scanner {n} stops at page two" for n in range(8)]
    mailbox.append(
        *(letter(sender=f"customer{n}@northwind.example", subject=s) for n, s in enumerate(subjects))
    )
    monkeypatch.setitem(app.config, "MAIL_IMAP_ACCOUNTS", [mailbox.account()])
    results = run_twice(app, "mail.poll")

    assert sum((r["created"] for r in results), 0) == 8  # the other run found them seen, or duplicates
    filed = Counter(db.session.scalars(sa.select(Ticket.subject).where(Ticket.subject.in_(subjects))))
    assert filed == Counter({s: 1 for s in subjects})
    assert count(InboundMail, InboundMail.source.like(f"%/{mailbox.folder}")) >= 8
    acknowledged = count(
        OutboundMail, OutboundMail.category == "ticket.received", OutboundMail.subject.like("%Scanner%")
    )
    assert acknowledged == 8
    assert mailbox.unseen() == 0


# -- reviews ----------------------------------------------------------------------------------------


def test_detection_run_twice_shows_the_same_clusters(app, no_transaction):
    requester = make_user()
    for n in range(4):
        make_ticket(requester, subject=f"Label printer jams on roll {n}", now=NOW - timedelta(days=2))
    problems = count(Problem)
    results = run_twice(app, "reviews.detect")

    assert results[0] == results[1] >= 1
    latest = db.session.scalars(sa.select(Detection).order_by(Detection.id.desc()).limit(2)).all()
    assert latest[0].clusters == latest[1].clusters  # the page shows the latest: the same either way
    assert count(Problem) == problems  # detection suggests; it files nothing


def test_the_review_of_a_period_is_prepared_once(app, no_transaction):
    reviews = count(Review)
    results = run_twice(app, "reviews.create_review")

    assert sorted(results) == [False, True]
    assert count(Review) == reviews + 1
