"""What every benchmark shares: the row it reports, percentiles, and timing pages against their SQL.

A row is a dict with the keys `python -m bench` prints: figure, result, target, floor, ratio, met.
`floor` is the same work done by the layer below in the same run, and `ratio` the result over the floor
(for rates, the floor's rate over ours): on a noisy machine the ratio holds better than the absolute.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa

from core import heap

PG_URL = "postgresql://postgres@127.0.0.1:5432/bench"
BENCH_DIR = Path(__file__).resolve().parent.parent / "instance" / "bench"


def pg_url() -> str:
    """The PostgreSQL database the runner chose (--pg-url), else the default one."""
    return os.environ.get("BENCH_PG_URL") or PG_URL


def row(figure: str, result: str, target: str, floor: str = "", ratio: float | None = None, met=None) -> dict:
    return {
        "figure": figure,
        "result": result,
        "target": target,
        "floor": floor,
        "ratio": None if ratio is None else round(ratio, 2),
        "met": met,
    }


def quantile_ms(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of samples in seconds, in milliseconds (inclusive method: small samples)."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0] * 1000
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[round(q * 100) - 1] * 1000


def latency_row(figure: str, samples: list[float], floor: list[float] | None, target_ms: float) -> dict:
    """p50/p95 of request times against a p95 target, with the floor's p95 beside them."""
    p50, p95 = quantile_ms(samples, 0.5), quantile_ms(samples, 0.95)
    floor_p95 = quantile_ms(floor, 0.95) if floor else None
    floor_text = f"p95 {floor_p95:.2f} ms (p50 {quantile_ms(floor, 0.5):.2f})" if floor else ""
    return row(
        figure,
        f"p95 {p95:.1f} ms (p50 {p50:.1f}, n={len(samples)})",
        f"p95 <= {target_ms:g} ms",
        floor_text,
        p95 / floor_p95 if floor_p95 else None,
        p95 <= target_ms,
    )


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


class Statements:
    """The SELECTs an engine runs while the block runs, as the DBAPI received them (for replaying)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, object]] = []

    def __enter__(self) -> Statements:
        sa.event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, _conn, _cursor, statement, parameters, _context, _executemany) -> None:
        if statement.lstrip()[:6].upper() in ("SELECT", "WITH R", "WITH ") or statement.lstrip().startswith(
            "("
        ):
            self.seen.append((statement, parameters))


def replay(raw, statements: Iterable[tuple[str, object]]) -> Callable[[], None]:
    """A function that runs the statements on a raw DBAPI connection and fetches every row: no ORM,
    no templates, no Flask, the database driver alone."""
    statements = list(statements)

    def run() -> None:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        cursor.close()
        raw.rollback()

    return run


def signed_in_client(app, email: str):
    """A test client with the session cookie of `email` (as Flask-Login reads it), no password needed."""
    from core.extensions import db
    from core.models import User

    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def time_pages(
    app, client, urls: list[str], rounds: int
) -> tuple[list[float], list[float], dict[str, float]]:
    """Request times of `urls` (each `rounds` times, interleaved) and of replaying each page's SQL.

    Each URL is requested once first (warm caches and the statements to replay are recorded then); a
    non-200 answer is an error, not a fast figure. Returns (page samples, floor samples, p95 per URL).
    """
    from core.extensions import db

    with app.app_context():
        engine = db.engine
    recorded = {}
    for url in urls:
        client.get(url)
        with Statements(engine) as seen:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        recorded[url] = seen.seen
    # What a gunicorn worker does after its first pages (gunicorn.conf.py, core/heap.py): without it a
    # full collection walks the whole long-lived heap every dozen pages or so.
    heap.settle()
    pages, per_url = [], {url: [] for url in urls}
    for _ in range(rounds):
        for url in urls:
            spent = timed(lambda url=url: client.get(url))
            pages.append(spent)
            per_url[url].append(spent)
    floors = []
    raw = engine.raw_connection()
    try:
        runners = {url: replay(raw, recorded[url]) for url in urls}
        for run in runners.values():
            run()
        for _ in range(rounds):
            for url in urls:
                floors.append(timed(runners[url]))
    finally:
        raw.close()
    return pages, floors, {url: quantile_ms(s, 0.95) for url, s in per_url.items()}
