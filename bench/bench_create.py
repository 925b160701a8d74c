"""Ticket creation against gunicorn (4 workers) on PostgreSQL: tickets/s through the API and through the
portal form, with 1 and with 8 concurrent clients (`python -m bench.bench_create [--full]`).

Floor: the same requests to bare Flask routes (bench/bare_app.py) on a second gunicorn with the same
settings and worker count, measured in the same run, interleaved with ours: what the server, HTTP and
Flask cost before any of our work. The database is a fresh one beside the runner's (BENCH_PG_URL, with
"_create" appended), dropped afterwards. A portal client signs in once and loads the form once; each
measured request is the form's POST (answered 303), without following the redirect. Each ticket also
queues its acknowledgement mail and starts its SLA clocks, as in production. Both servers are warmed up
(2 s of each kind of request) first, so no worker's first connection or first template is counted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench import common
from tests.load import harness

WORKERS = 4
CLIENTS = (1, 8)
# tickets/s. A busy desk files a few tickets a minute; these ask that creation stays cheap enough for a
# burst (a mass outage, an import through the API) to be no event: 50 ms a ticket for one client, and
# more than twice that rate from 8 clients on 4 workers.
TARGETS = {("API", 1): 20, ("API", 8): 50, ("portal form", 1): 20, ("portal form", 8): 50}


def rows(full: bool) -> list[dict]:
    seconds = 10.0 if full else 4.0
    name = sa.make_url(common.pg_url()).database + "_create"
    url = harness.create_database(common.pg_url(), name)
    try:
        people = harness.prepare(url, max(CLIENTS))
        with tempfile.TemporaryDirectory(prefix="bench-create-") as scratch:
            # Workers are never recycled here (gunicorn.conf.py replaces one every ~20,000 requests):
            # a new worker would start its CPU count from zero in the middle of a measurement.
            env = {**harness.server_env(url, Path(scratch)), "GUNICORN_CMD_ARGS": "--max-requests 0"}
            logs = Path(scratch)
            with (
                harness.Gunicorn("app:create_app()", env, workers=WORKERS, log=logs / "app.log") as ours,
                harness.Gunicorn("bench.bare_app:app", env, workers=WORKERS, log=logs / "bare.log") as bare,
            ):
                # Every worker's first requests (its connection, its caches) are not counted.
                for server in (ours, bare):
                    for channel in ("API", "portal form"):
                        measure(_callers(channel, server.port, people, bare=server is bare), 2.0)
                return [
                    _row(channel, clients, ours, bare, people, seconds)
                    for channel in ("API", "portal form")
                    for clients in CLIENTS
                ]
    finally:
        harness.drop_database(url)


def _row(channel: str, clients: int, ours, bare, people: list[dict], seconds: float) -> dict:
    rate, cpu = measure(_callers(channel, ours.port, people[:clients]), seconds, ours)
    floor, floor_cpu = measure(_callers(channel, bare.port, people[:clients], bare=True), seconds, bare)
    target = TARGETS[(channel, clients)]
    print(
        f"{channel}, {clients} client(s): {rate:.1f} tickets/s, {cpu * 1000:.1f} ms worker CPU each;"
        f" floor {floor:.0f} requests/s, {floor_cpu * 1000:.2f} ms CPU each",
        flush=True,
    )
    return common.row(
        f"ticket creation, {channel}, {clients} client{'s' if clients > 1 else ''} (gunicorn x{WORKERS}, PostgreSQL)",
        f"{rate:.0f} tickets/s ({cpu * 1000:.1f} ms worker CPU each)",
        f">= {target} tickets/s",
        f"{floor:.0f} req/s ({floor_cpu * 1000:.2f} ms CPU each), bare Flask route",
        floor / rate if rate else None,
        rate >= target,
    )


def _callers(
    channel: str, port: int, people: list[dict], *, bare: bool = False
) -> list[Callable[[int], None]]:
    """One function per client, filing its n-th ticket; set up (signed in, form loaded) beforehand."""
    callers = []
    for person in people:
        client = harness.Client(port, person["email"], person["token"])
        if channel == "API":
            callers.append(
                lambda n, c=client: c.api_ticket(f"Bench ticket {n}", f"Printer error E-{n}, 打印机报错。")
            )
            continue
        csrf = "" if bare else _portal_session(client)
        cookies = dict(client.cookies)

        def file(n: int, c=client, csrf=csrf, cookies=cookies) -> None:
            c.portal_ticket(
                f"Bench ticket {n}", f"Printer error E-{n}, 打印机报错。", csrf=csrf or "-", follow=False
            )
            c.cookies = dict(cookies)  # the "thank you" flash would pile up in a session never shown a page

        callers.append(file)
    return callers


def _portal_session(client: harness.Client) -> str:
    client.sign_in()
    return client.csrf_token("/portal/tickets/new")


def measure(callers: list[Callable[[int], None]], seconds: float, server=None, warm_up: float = 0.5):
    """(calls per second, worker CPU seconds per call) of all `callers` together, each in its own
    thread, over `seconds`; the CPU figure is 0 without `server`."""
    start = threading.Barrier(len(callers) + 1)
    counts, calls = [0] * len(callers), [0] * len(callers)
    errors: list[BaseException] = []
    window: dict[str, float] = {}

    def work(index: int, call: Callable[[int], None]) -> None:
        start.wait()
        try:
            while time.monotonic() < window["end"]:
                call(calls[index])
                calls[index] += 1
                if window["begin"] <= time.monotonic() <= window["end"]:
                    counts[index] += 1
        except BaseException as exc:  # noqa: BLE001  (reported below, with the run failing)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(callers)]
    for thread in threads:
        thread.start()
    cpu_before = server.worker_cpu_seconds() if server else 0.0
    now = time.monotonic()
    window.update(begin=now + warm_up, end=now + warm_up + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    cpu = (server.worker_cpu_seconds() - cpu_before) if server else 0.0
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed, first: {errors[0]!r}")
    return sum(counts) / seconds, cpu / max(1, sum(calls))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="measure 10 s per figure instead of 4")
    args = parser.parse_args(argv)
    found = rows(args.full)
    width = max(len(row["figure"]) for row in found)
    print()
    for row in found:
        print(f"{row['figure']:<{width}}  {row['result']}  target {row['target']}  floor {row['floor']}")
    return 0 if all(row["met"] for row in found) else 1


if __name__ == "__main__":
    sys.exit(main())
