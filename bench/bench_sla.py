"""SLA speed: a sweep over 100,000 open tickets of which 100 are due (target < 200 ms on SQLite).

Run with `python -m bench.bench_sla` from the checkout root (about half a minute, most of it building the
data). The raw indexed SELECT of the due clocks is printed as the floor a sweep cannot beat; the sweep
also recomputes nothing (the settings are unchanged), claims with two UPDATEs and notifies 100 assignees.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from core import services as accounts
from core.extensions import db
from sla import jobs, services
from sla.models import SlaClock
from sla.policies import Terms
from sla.timers import Event, evaluate
from support.models import Ticket

TICKETS = 100_000
DUE = 100
TARGET_MS = 200.0
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def build(app, count: int = TICKETS) -> None:
    """Tickets and clocks inserted in bulk (the services would take minutes for this many)."""
    with app.app_context():
        upgrade(revision="heads")
        org = accounts.get_or_create_organisation("Bench Ltd")
        customer = accounts.create_user("customer@bench.example", organisation=org)
        engineer = accounts.create_user("engineer@bench.example", role="engineer")
        policy = services.ensure_defaults(now=NOW - timedelta(days=30))[-1]
        stamp = services.settings_stamp(services.load_policies())
        db.session.commit()
        created = NOW - timedelta(hours=1)
        tickets, clocks = [], []
        for n in range(1, count + 1):
            due = NOW - timedelta(minutes=n) if n <= DUE else NOW + timedelta(minutes=n)
            tickets.append(
                {
                    "id": n,
                    "subject": f"Ticket {n}",
                    "kind": "incident",
                    "priority": "normal",
                    "priority_rank": 2,
                    "status": "open",
                    "channel": "web",
                    "requester_id": customer.id,
                    "organisation_id": org.id,
                    "assignee_id": engineer.id,
                    "product": "",
                    "component": "",
                    "details": {},
                    "created_at": created,
                    "updated_at": created,
                    "sla_due_at": due,
                    "version": 1,
                }
            )
            clock = {
                "ticket_id": n,
                "policy_id": policy.id,
                "goal_minutes": 2400,
                "used_seconds": 60,
                "started_at": created,
                "settings_at": stamp,
                "computed_at": created,
                "due_at": None,
                "next_check_at": None,
            }  # every row names every column: an executemany takes its columns from the first row
            clocks.append(
                {**clock, "target": "first_response", "cycle": 0, "phase": "completed", "outcome": "met"}
            )
            clocks.append(
                {
                    **clock,
                    "target": "resolution",
                    "cycle": 0,
                    "phase": "running",
                    "outcome": None,
                    "due_at": due,
                    "next_check_at": due,
                }
            )
        db.session.execute(sa.insert(Ticket.__table__), tickets)
        db.session.execute(sa.insert(SlaClock.__table__), clocks)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def time_sweeps(app, runs: int = 5) -> list[float]:
    """Milliseconds per sweep; between runs the 100 claims are undone so each run does the full work."""
    timings = []
    with app.app_context():
        for _ in range(runs):
            began = time.perf_counter()
            result = jobs.sweep(NOW)
            timings.append((time.perf_counter() - began) * 1000)
            assert (result.breached, result.recomputed) == (DUE, 0), result
            db.session.execute(
                sa.update(SlaClock)
                .where(SlaClock.breached_at.is_not(None))
                .values(breached_at=None, next_check_at=SlaClock.due_at)
            )
            db.session.commit()
            db.session.remove()
    return timings


def time_floor(app, runs: int = 20) -> float:
    """Milliseconds for the bare indexed SELECT of the due clocks on the same connection type."""
    with app.app_context():
        sql = sa.text(
            "SELECT id FROM sla_clocks WHERE next_check_at <= :now ORDER BY next_check_at LIMIT 500"
        )
        timings = []
        with db.engine.connect() as conn:
            for _ in range(runs):
                began = time.perf_counter()
                found = conn.execute(sql, {"now": NOW.replace(tzinfo=None)}).all()
                timings.append((time.perf_counter() - began) * 1000)
        assert len(found) == DUE, len(found)
        return statistics.median(timings)


def time_idle_sweep(app) -> float:
    with app.app_context():
        began = time.perf_counter()
        jobs.sweep(NOW - timedelta(days=1))  # nothing is due yet
        return (time.perf_counter() - began) * 1000


def time_evaluate() -> float:
    """Microseconds to evaluate a ticket with a 40-event history (what every listener call does)."""
    from sla.clock import WEEKDAYS, BusinessCalendar

    calendar = BusinessCalendar(
        "Asia/Shanghai", {d: [("09:00", "18:00")] for d in WEEKDAYS[:5]}, country="CN"
    )
    terms = Terms(
        first_response_minutes=240, next_reply_minutes=480, resolution_minutes=2400, warn_percent=80
    )
    events = [Event("created", NOW)]
    for i in range(1, 20):
        at = NOW + timedelta(hours=7 * i)
        events.append(Event("replied", at, {"by_staff": i % 2 == 0}))
        events.append(Event("status_changed", at, {"to": "pending" if i % 2 == 0 else "open"}))
    later = NOW + timedelta(days=60)
    evaluate(terms, calendar, events, later)  # warm the calendar's caches
    began = time.perf_counter()
    for _ in range(200):
        evaluate(terms, calendar, events, later)
    return (time.perf_counter() - began) * 1_000_000 / 200


def main() -> int:
    logging.disable(logging.WARNING)  # 100 "mail not sent: no server" lines per sweep are not the point
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INDEX_DIR": tmp})
        began = time.perf_counter()
        build(app)
        print(
            f"built {TICKETS:,} open tickets ({2 * TICKETS:,} clocks, {DUE} due) in {time.perf_counter() - began:.1f} s"
        )
        floor = time_floor(app)
        sweeps = time_sweeps(app)
        idle = time_idle_sweep(app)
        with app.app_context():
            db.engine.dispose()
    sweep = statistics.median(sweeps)
    print(f"{'raw SELECT of the due clocks (floor)':<44}{floor:>10.2f} ms")
    print(f"{'sweep, nothing due':<44}{idle:>10.2f} ms")
    print(
        f"{'sweep, 100 breaches + notifications':<44}{sweep:>10.2f} ms  (runs: {', '.join(f'{t:.0f}' for t in sweeps)})"
    )
    print(f"{'evaluate a 40-event history':<44}{time_evaluate():>10.0f} µs")
    met = sweep < TARGET_MS
    print(
        f"target: sweep over {TICKETS:,} open tickets with {DUE} due under {TARGET_MS:.0f} ms: {'met' if met else 'missed'}"
    )
    return 0 if met else 1


def rows(full: bool) -> list[dict]:
    """The sweep's figure for `python -m bench`: 100,000 open tickets with --full, 20,000 by default."""
    from bench.common import row

    logging.disable(logging.WARNING)
    tickets = TICKETS if full else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INDEX_DIR": tmp})
        build(app, tickets)
        floor = time_floor(app)
        sweep = statistics.median(time_sweeps(app))
        with app.app_context():
            db.engine.dispose()
    return [
        row(
            f"SLA sweep over {tickets:,} open tickets, {DUE} due (SQLite, median of 5)",
            f"{sweep:.1f} ms",
            f"< {TARGET_MS:.0f} ms",
            f"{floor:.2f} ms (indexed SELECT of the due clocks)",
            sweep / floor,
            sweep < TARGET_MS,
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main())
