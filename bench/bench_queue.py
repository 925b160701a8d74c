"""The engineer's pages at scale: the queue's first page and a ticket with 20 messages.

Figures (target p95 <= 30 ms each), on SQLite and on PostgreSQL, through the WSGI app (Flask's test
client, signed in as an engineer): the first page of the queue (50 open tickets by SLA due) without
filters, the same page under each filter and sort the queue offers, and the ticket page of tickets with
20 messages. The floor is the SQL those pages issued, replayed on a raw DBAPI connection. Last, the peak
memory of one web worker process that serves the queue (bench/worker_memory.py).

Sizes: 20,000 tickets on SQLite and 50,000 on PostgreSQL by default; --full: 100,000 and 1,000,000.
The generated databases are kept (instance/bench/*.db, and the PostgreSQL database of --pg-url, default
postgresql://postgres@127.0.0.1:5432/bench) and reused while they hold the size asked for; a database of
another size is emptied and generated again (only a database whose name starts with "bench").

Run with `python -m bench.bench_queue [--full] [--pg-url URL]` or as part of `python -m bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from bench import common, generate
from core.extensions import db
from core.models import Organisation, Team
from support.models import Ticket

SIZES = {"SQLite": (20_000, 100_000), "PostgreSQL": (50_000, 1_000_000)}
TARGET_MS = 30.0
ENGINEER = "engineer0@bench.example"


def rows(full: bool) -> list[dict]:
    out = []
    for backend, url in (("SQLite", _sqlite_url(full)), ("PostgreSQL", common.pg_url())):
        count = SIZES[backend][full]
        prepare(url, count)
        out += measure(url, f"{backend}, {count:,} tickets", rounds=8 if full else 5)
    count = SIZES["PostgreSQL"][full]
    out.append(memory_row(common.pg_url(), f"PostgreSQL, {count:,} tickets", requests=300 if full else 150))
    return out


def _sqlite_url(full: bool) -> str:
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = common.BENCH_DIR / f"queue-{SIZES['SQLite'][full]}.db"
    return f"sqlite:///{path}"


def prepare(url: str, count: int) -> None:
    """Make the database hold exactly `count` generated tickets, reusing it when it already does."""
    generate.ensure_database(url)
    app = generate.bench_app(url)
    with app.app_context():
        inspector = sa.inspect(db.engine)
        has = 0
        if inspector.has_table("tickets") and inspector.has_table("users"):
            marker = db.session.execute(
                sa.text("SELECT 1 FROM users WHERE email = :e"), {"e": generate.MARKER}
            )
            if marker.first() is not None:
                has = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
        db.session.remove()
        if has == count:
            upgrade(revision="heads")  # a migration added since the data was generated
            db.engine.dispose()
            return
        if inspector.get_table_names():
            _empty(url)
        db.engine.dispose()
    print(
        f"generating {count:,} tickets into {make_url(url).render_as_string()}", file=sys.stderr, flush=True
    )
    generate.generate(generate.bench_app(url), count)


def _empty(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database or ""
    if parsed.drivername.startswith("sqlite"):
        db.engine.dispose()
        os.unlink(name)
        return
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to empty database {name!r}: only databases named bench* are emptied")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def queue_urls(app) -> list[str]:
    """One URL per filter and sort the queue offers (first pages)."""
    with app.app_context():
        org = db.session.scalar(
            sa.select(Organisation.id)
            .where(Organisation.email_domains.like("%.bench.example"))
            .order_by(Organisation.id)
        )
        team = db.session.scalar(sa.select(Team.id).order_by(Team.id))
        db.session.remove()
    return [
        "/queue?kind=incident",
        "/queue?priority=urgent",
        "/queue?assignee=me",
        "/queue?assignee=none",
        f"/queue?assignee=team:{team}",
        f"/queue?organisation={org}",
        "/queue?product=PrintFleet",
        "/queue?q=certificate",
        "/queue?status=pending",
        "/queue?status=all",
        "/queue?sort=priority",
        "/queue?sort=oldest",
        "/queue?sort=created",
        "/queue?sort=updated",
    ]


def ticket_urls(app, count: int = 20) -> list[str]:
    """Tickets with exactly 20 messages: the generator gives every 100th ticket that many."""
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(Ticket.id))) or 0
        db.session.remove()
    return [f"/queue/tickets/{n}" for n in range(newest // 100 * 100, 0, -100)][:count]


def measure(url: str, label: str, *, rounds: int) -> list[dict]:
    app = generate.bench_app(url)
    client = common.signed_in_client(app, ENGINEER)
    out = []
    plain = ["/queue"]
    samples, floor, _ = common.time_pages(app, client, plain, rounds * 20)
    out.append(common.latency_row(f"queue first page, no filter ({label})", samples, floor, TARGET_MS))
    mix = queue_urls(app)
    samples, floor, per_url = common.time_pages(app, client, mix, rounds * 2)
    _log(label, per_url)
    out.append(
        common.latency_row(f"queue first page, each filter and sort ({label})", samples, floor, TARGET_MS)
    )
    tickets = ticket_urls(app)
    samples, floor, per_url = common.time_pages(app, client, tickets, rounds)
    out.append(common.latency_row(f"ticket page, 20 messages ({label})", samples, floor, TARGET_MS))
    with app.app_context():
        db.engine.dispose()
    return out


def _log(label: str, per_url: dict[str, float]) -> None:
    print(f"  queue p95 per URL ({label}):", file=sys.stderr)
    for url, p95 in per_url.items():
        print(f"    {p95:7.1f} ms  {url}", file=sys.stderr)


def memory_row(url: str, label: str, *, requests: int) -> dict:
    """Peak RSS of a fresh process serving the queue, against the same process before its first request."""
    command = [sys.executable, "-m", "bench.worker_memory", "--url", url, "--requests", str(requests)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    peak, base = report["peak_mb"], report["baseline_mb"]
    return common.row(
        f"peak RSS of one web worker serving the queue ({label})",
        f"{peak:.0f} MB after {report['requests']} pages",
        "none named",
        f"{base:.0f} MB (app loaded, no request)",
        peak / base,
        None,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()
    if args.pg_url:
        os.environ["BENCH_PG_URL"] = args.pg_url
    for found in rows(args.full):
        print(json.dumps(found, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
