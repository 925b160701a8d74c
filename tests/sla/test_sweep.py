"""The sweep warns, marks breaches and escalates: each effect exactly once, found through an index."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core import jobs as job_table
from core.extensions import db
from core.models import User
from sla import escalation, jobs, settings
from sla.clock import WEEKDAYS
from sla.models import SlaClock, SlaPolicy
from support import services as tickets
from support.models import Ticket, TicketEvent
from tests.factories import make_engineer, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ALWAYS = {day: [("00:00", "24:00")] for day in WEEKDAYS}


class SlaMail(list):
    """The mail sent to staff, leaving aside what else the desk mails (acknowledgements to customers)."""

    def __init__(self, sent):
        super().__init__()
        self.sent = sent

    def refresh(self):
        staff = set(db.session.scalars(sa.select(User.email).where(User.role != "customer")))
        self[:] = [m for m in self.sent if m["To"] in staff]
        return self

    def clear(self):
        self.sent.clear()
        super().clear()


@pytest.fixture
def outbox(app):
    sent = app.extensions.setdefault("aftercare_sent_mail", [])
    sent.clear()
    return SlaMail(sent)


@pytest.fixture
def people():
    return {
        "assignee": make_engineer(name="Ann Assignee"),
        "lead": make_engineer(name="Lee Lead", locale="zh_Hans", timezone="Asia/Shanghai"),
        "backup": make_engineer(name="Bo Backup"),
    }


def tight_policy(people, **overrides) -> SlaPolicy:
    """First response within an hour, resolution within four, around the clock; warn at half time."""
    calendar = settings.save_calendar(None, name="Always", timezone="UTC", hours=ALWAYS)
    fields = {
        "first_response_minutes": 60,
        "resolution_minutes": 240,
        "warn_percent": 50,
        "warning_actions": ["notify_assignee"],
        "breach_actions": ["raise_priority", "reassign", "notify_assignee", "notify_lead"],
        "lead": people["lead"],
        "reassign_to": people["backup"],
    }
    return settings.save_policy(None, name="Tight", calendar=calendar, **{**fields, **overrides})


def system_events(ticket) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.actor_id.is_(None))
    )
    return [(row.kind, row.data) for row in rows]


def test_warning_then_breach_each_happen_once_with_their_actions(people, outbox):
    tight_policy(people)
    ticket = make_ticket(now=NOW)
    tickets.assign(ticket, people["assignee"], actor=people["assignee"], now=NOW)
    db.session.commit()

    assert jobs.sweep(NOW + timedelta(minutes=29)).warned == 0
    warned = jobs.sweep(NOW + timedelta(minutes=31))
    assert (warned.warned, warned.breached, warned.actions) == (1, 0, 1)
    assert [m["To"] for m in outbox.refresh()] == [people["assignee"].email]
    assert outbox[0]["Subject"].startswith(f"[#{ticket.id}] SLA warning: First response due")
    assert jobs.sweep(NOW + timedelta(minutes=32)).warned == 0  # once

    breached = jobs.sweep(NOW + timedelta(minutes=61))
    assert (breached.warned, breached.breached, breached.actions) == (0, 1, 4)
    assert ticket.priority == "high" and ticket.assignee is people["backup"]
    kinds = [kind for kind, _data in system_events(ticket)]
    assert kinds == ["field_changed", "assigned"]  # in the history, done by the system
    breach_mail = {m["To"]: m for m in outbox.refresh()[1:]}
    assert set(breach_mail) == {people["backup"].email, people["lead"].email}
    assert "SLA breached" in breach_mail[people["backup"].email]["Subject"]
    # The lead reads it in their language, with the due time in their time zone (Shanghai).
    assert "2026-11-24 18:00 CST" in breach_mail[people["lead"].email]["Subject"]
    assert jobs.sweep(NOW + timedelta(minutes=90)).breached == 0  # once, however often it runs

    first = db.session.scalar(sa.select(SlaClock).where(SlaClock.target == "first_response"))
    db.session.refresh(first)
    assert first.warned_at == NOW + timedelta(minutes=31) and first.breached_at == NOW + timedelta(minutes=61)
    # The resolution clock warns on its own at half time.
    assert jobs.sweep(NOW + timedelta(minutes=121)).warned == 1


def test_a_clock_paused_before_its_warning_is_not_warned(people, outbox):
    tight_policy(people)
    ticket = make_ticket(now=NOW)
    tickets.add_message(
        ticket, author=people["assignee"], body="Logs, please.", now=NOW + timedelta(minutes=5)
    )
    tickets.change_status(ticket, "pending", actor=people["assignee"], now=NOW + timedelta(minutes=5))
    db.session.commit()
    assert jobs.sweep(NOW + timedelta(hours=5)) == jobs.SweepResult(0, 0, 0, 0)
    assert outbox.refresh() == []


def test_a_breach_found_late_skips_the_warning(people, outbox):
    tight_policy(people, warning_actions=["notify_lead"], breach_actions=["notify_lead"])
    make_ticket(now=NOW)
    db.session.commit()
    result = jobs.sweep(NOW + timedelta(hours=2))  # the scheduler was down for two hours
    assert (result.warned, result.breached) == (0, 1)
    assert [m["To"] for m in outbox.refresh()] == [people["lead"].email]


def test_a_failing_action_is_logged_and_not_retried_every_minute(people, monkeypatch, caplog):
    tight_policy(people)
    make_ticket(now=NOW)
    db.session.commit()

    def broken(clock, stage, now):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(escalation, "carry_out", broken)
    assert jobs.sweep(NOW + timedelta(minutes=61)).breached == 1
    assert "SLA breach of ticket" in caplog.text
    assert jobs.sweep(NOW + timedelta(minutes=62)).breached == 0


def test_the_sweep_finds_due_clocks_through_the_index(app, people):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan")
    tight_policy(people)
    for _ in range(3):
        make_ticket(now=NOW)
    db.session.commit()
    claims = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("UPDATE SLA_CLOCKS") and "RETURNING" in statement:
            claims.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        jobs.sweep(NOW + timedelta(minutes=61))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(claims) == 2  # one set-based statement per stage, whatever the number of clocks
    for statement, parameters in claims:
        plan = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        assert "ix_sla_clocks_next_check_at" in " ".join(str(row[-1]) for row in plan)
        assert not any(str(row[-1]).startswith("SCAN sla_clocks") for row in plan)


def test_the_sweep_runs_every_minute_from_the_job_runner(app):
    sweep = next(job for job in job_table.collect(app.config["JOB_MODULES"]) if job.id == "sla.sweep")
    assert sweep.trigger_args == {"minutes": 1}


# -- two sweepers at once (PostgreSQL) --------------------------------------------------------------


@pytest.fixture
def no_transaction(app):
    """Committed data that two connections can race on; every row the test added is deleted after."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL: run with --db=postgres")
        tables = [t for t in db.metadata.sorted_tables if "id" in t.c]
        before = {t.name: db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0 for t in tables}
        db.session.remove()
        yield
    with app.app_context():
        for table in reversed(tables):  # dependants first
            db.session.execute(sa.delete(table).where(table.c.id > before[table.name]))
        db.session.commit()
        db.session.remove()


@pytest.mark.postgres
def test_two_concurrent_sweepers_carry_out_each_escalation_once(app, no_transaction, outbox):
    people = {
        "assignee": make_engineer(name="Ann Assignee"),
        "lead": make_engineer(name="Lee Lead"),
        "backup": make_engineer(name="Bo Backup"),
    }
    tight_policy(people)
    requester = make_user()
    numbers = []
    for _ in range(40):
        ticket = make_ticket(requester, now=NOW)
        tickets.assign(ticket, people["assignee"], actor=people["assignee"], now=NOW)
        numbers.append(ticket.id)
    db.session.commit()
    db.session.remove()
    outbox.clear()

    start, results, errors = threading.Barrier(2), [], []

    def sweeper():
        with app.app_context():
            try:
                start.wait()
                results.append(jobs.sweep(NOW + timedelta(minutes=61)))
            except Exception as exc:  # surfaced below: an assertion in a thread would be lost
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.breached for r in results) == 40  # the first-response breach of every ticket, once
    assert sum(r.warned for r in results) == 0  # a breach says more than its warning
    breach_mail = outbox.refresh()
    assert len(breach_mail) == 80  # the new assignee and the lead, once per ticket
    assert len({(m["To"], m["Subject"]) for m in breach_mail}) == 80
    raised = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TicketEvent)
        .where(TicketEvent.ticket_id.in_(numbers), TicketEvent.kind == "field_changed")
    )
    assert raised == 40
    priorities = db.session.scalars(sa.select(Ticket.priority).where(Ticket.id.in_(numbers))).all()
    assert set(priorities) == {"high"}
    assert jobs.sweep(NOW + timedelta(minutes=62)).breached == 0


def test_a_breach_found_days_late_is_recorded_without_escalating(people, outbox):
    tight_policy(people, breach_actions=["notify_lead", "raise_priority"])
    ticket = make_ticket(now=NOW)
    db.session.commit()
    result = jobs.sweep(NOW + timedelta(days=3))  # say, the first sweep after importing old tickets
    assert (result.breached, result.actions) == (2, 0)
    assert outbox.refresh() == [] and ticket.priority == "normal"
