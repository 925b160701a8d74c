"""Load on loopback: 8 customers file tickets and replies for a minute against gunicorn (4 workers) and a
fresh PostgreSQL database, through the API and the portal form. Nothing may fail, and everything a
client was told was filed must be in the database exactly once.

LOAD_SECONDS shortens the minute for a local run. Ticket numbers come from a PostgreSQL identity
sequence, which never hands a number out twice but does not take back the numbers of transactions
that rolled back (nor, after a crash, the few it had logged ahead): numbers are unique, and gaps are
allowed but must stay rare.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.load import harness

pytestmark = pytest.mark.load

CLIENTS = 8
WORKERS = 4
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))


@dataclass(frozen=True)
class Filed:
    """What one client was told: `kind` (ticket or reply) with `marker` is on ticket `number`."""

    kind: str
    marker: str
    number: int
    channel: str


@pytest.fixture
def load_database(app):
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("the load test runs against PostgreSQL: run with --db=postgres")
    fresh = harness.create_database(app.config["SQLALCHEMY_DATABASE_URI"], f"{url.database}_load")
    yield fresh
    harness.drop_database(fresh)


def customer(
    client: harness.Client, seed: int, start: threading.Barrier, run: dict, filed: list, errors: list
) -> None:
    """Sign in, then file and answer tickets until the run ends: about half by API, half on the portal."""
    pick = random.Random(seed)
    mine: list[int] = []
    try:
        client.sign_in()
    except Exception as exc:
        errors.append(f"{client.email} sign-in: {exc!r}")
    start.wait(timeout=120)
    while time.monotonic() < run["until"] and len(errors) < 20:
        marker = harness.new_marker()
        roll = pick.random()
        try:
            if roll < 0.4 or not mine:
                number = client.api_ticket(f"Printer {marker} jams", f"{marker}: every third label jams.")
                filed.append(Filed("ticket", marker, number, "api"))
                mine.append(number)
            elif roll < 0.7:
                number = pick.choice(mine)
                client.api_reply(number, f"{marker}: still jams after the update. 还是卡纸。")
                filed.append(Filed("reply", marker, number, "api"))
            elif roll < 0.9:
                number = client.portal_ticket(f"标签打印机 {marker} 卡纸", f"{marker}: 第三张标签总是卡住。")
                filed.append(Filed("ticket", marker, number, "portal"))
                mine.append(number)
            else:
                number = pick.choice(mine)
                client.portal_reply(number, f"{marker}: here is what the log says.")
                filed.append(Filed("reply", marker, number, "portal"))
        except Exception as exc:  # every failure is reported; none may pass unseen
            errors.append(f"{client.email}: {exc!r}")
    client.close()


def test_eight_clients_filing_for_a_minute_lose_and_double_nothing(load_database, tmp_path):
    began = time.monotonic()
    env = harness.server_env(load_database, tmp_path)
    filed: list[Filed] = []
    errors: list[str] = []
    run: dict[str, float] = {}
    # The clock starts once every client has signed in: the last one to arrive sets the end.
    start = threading.Barrier(CLIENTS, action=lambda: run.update(until=time.monotonic() + SECONDS))
    log_file = tmp_path / "gunicorn.log"
    with harness.Gunicorn("app:create_app()", env, workers=WORKERS, log=log_file, wait=False) as server:
        people = harness.prepare(load_database, CLIENTS)  # while gunicorn starts
        server.ready()
        ready = time.monotonic()
        clients = [harness.Client(server.port, p["email"], p["token"]) for p in people]
        threads = [
            threading.Thread(target=customer, args=(client, n, start, run, filed, errors))
            for n, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 180)
        ended = time.monotonic()
        log = server.tail()
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert "until" in run, f"the clients never all signed in: {errors[:3]}"
    spent = SECONDS + max(0.0, ended - run["until"])  # the requests under way at the end finished
    print(
        f"\nset-up {ready - began:.0f}s (database, migrations, gunicorn), sign-in"
        f" {run['until'] - SECONDS - ready:.0f}s, load {spent:.0f}s"
    )
    assert errors == [], f"{len(errors)} failed requests, e.g. {errors[:3]}\n{log}"

    engine = sa.create_engine(load_database, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        messages = conn.execute(sa.text("SELECT ticket_id, body FROM messages")).all()
        numbers = conn.scalars(sa.text("SELECT id FROM tickets ORDER BY id")).all()
    engine.dispose()

    stored: dict[str, list[int]] = {}
    for ticket_id, body in messages:
        for marker in harness.MARKERS.findall(body):
            stored.setdefault(marker, []).append(ticket_id)
    tickets = [f for f in filed if f.kind == "ticket"]
    replies = [f for f in filed if f.kind == "reply"]
    assert tickets and replies
    wrong = [f for f in filed if stored.get(f.marker) != [f.number]]
    assert wrong == [], f"{len(wrong)} of {len(filed)} not stored exactly once on their ticket: {wrong[:3]}"
    assert len(messages) == len(filed)  # nothing stored that no client was told about
    assert sorted(numbers) == sorted(f.number for f in tickets)  # each ticket once, under its number

    gaps = (numbers[-1] - numbers[0] + 1) - len(numbers)
    channels = Counter(f"{f.kind}/{f.channel}" for f in filed)
    print(
        f"\n{len(tickets)} tickets and {len(replies)} replies in {spent:.0f}s by {CLIENTS} clients on "
        f"{WORKERS} workers: {len(tickets) / spent:.1f} tickets/s, {len(filed) / spent:.1f} writes/s "
        f"({dict(channels)}); ticket numbers {numbers[0]}..{numbers[-1]}, {gaps} gaps"
    )
    assert gaps <= len(numbers) // 100  # under 1%: in a run without errors there should be none
