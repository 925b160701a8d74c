"""One scheduler per deployment: a second `flask jobs run` stands by, and takes over when the first dies.

The process tests start real `python -m flask --app app jobs run` processes whose only job is the probe
below (JOB_MODULES points at this module): it appends the process id to a file several times a second,
so the file tells which process ran jobs, and when. They use the suite's database: the PostgreSQL
advisory lock with --db=postgres, the lock file beside a SQLite database otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import jobs
from core.extensions import db

ROOT = Path(__file__).resolve().parents[2]
STANDBY_SECONDS = 0.5


def probe(now: datetime) -> None:
    """The one job of the scheduler processes under test: say who ran."""
    with open(os.environ["SCHEDULER_PROBE_FILE"], "a") as out:
        out.write(f"{os.getpid()} {time.monotonic():.3f}\n")


JOBS = [jobs.Job("test.scheduler_probe", probe, "interval", {"seconds": 0.2}, "Say which scheduler runs")]


def is_postgres(app) -> bool:
    return sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"


@pytest.fixture
def pg_url(app):
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL: run with --db=postgres")
    return app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture
def scheduler_db(app, tmp_path):
    """The database URL the scheduler processes use: the suite's PostgreSQL, or a SQLite file of their own."""
    if is_postgres(app):
        return app.config["SQLALCHEMY_DATABASE_URI"]
    return f"sqlite:///{tmp_path / 'scheduler.db'}"


# -- the locks themselves --------------------------------------------------------------------------


def test_a_second_file_lock_waits_until_the_first_is_released(tmp_path):
    first, second = jobs.FileLock(tmp_path / "db.jobs-lock"), jobs.FileLock(tmp_path / "db.jobs-lock")
    assert first.acquire() and first.held()
    assert not second.acquire() and not second.held()
    first.release()
    assert second.acquire()
    second.release()


def test_the_lock_follows_the_database():
    assert isinstance(jobs.scheduler_lock(_app_with("sqlite:////tmp/x/aftercare.db")), jobs.FileLock)
    assert str(jobs.scheduler_lock(_app_with("sqlite:////tmp/x/aftercare.db"))).endswith(
        "aftercare.db.jobs-lock"
    )
    assert type(jobs.scheduler_lock(_app_with("sqlite://"))) is jobs.SchedulerLock
    lock = jobs.scheduler_lock(_app_with("postgresql+psycopg://u@127.0.0.1/x"))
    assert isinstance(lock, jobs.AdvisoryLock)
    lock.engine.dispose()


def _app_with(url: str):
    class Stub:
        config = {"SQLALCHEMY_DATABASE_URI": url}

    return Stub()


def test_only_one_advisory_lock_holder_and_a_cut_connection_frees_it(pg_url):
    first, second = jobs.AdvisoryLock(pg_url), jobs.AdvisoryLock(pg_url)
    try:
        assert first.acquire() and first.held()
        assert not second.acquire()
        assert second.connection is None  # a standby keeps no connection open
        pid = first.connection.scalar(sa.text("SELECT pg_backend_pid()"))
        with db.engine.connect() as admin:
            assert admin.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 10
        while first.held() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not first.held()  # the holder notices, and stops scheduling
        assert second.acquire() and second.held()
    finally:
        first.release()
        second.release()
        first.engine.dispose()
        second.engine.dispose()


def test_an_unreachable_database_is_said_so_not_taken_for_another_scheduler():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lock = jobs.AdvisoryLock(f"postgresql+psycopg://nobody@127.0.0.1:{port}/aftercare")
    assert not lock.acquire()
    assert lock.problem.startswith("the database is unreachable")
    lock.engine.dispose()


def test_a_runner_that_loses_its_lock_stops_its_jobs_and_stands_by(app):
    class Flaky(jobs.SchedulerLock):
        """Acquired, then lost after a while, then never to be had again."""

        def __init__(self):
            self.acquired, self.checks = 0, 0

        def acquire(self):
            self.acquired += 1
            return self.acquired == 1

        def held(self):
            self.checks += 1
            return self.checks < 3

        def __str__(self):
            return "flaky lock"

    runs, said, stop = [], [], threading.Event()
    table = [jobs.Job("test.count", lambda now: runs.append(now), "interval", {"seconds": 0.05})]
    app.config["JOBS_STANDBY_SECONDS"] = 0.1
    try:
        thread = threading.Thread(
            target=jobs.run_scheduler, args=(app, table, Flaky()), kwargs={"stop": stop, "say": said.append}
        )
        thread.start()
        deadline = time.monotonic() + 10
        while not any("standing by" in line for line in said) and time.monotonic() < deadline:
            time.sleep(0.05)
        ran = len(runs)
        time.sleep(0.3)
        stop.set()
        thread.join(timeout=10)
    finally:
        app.config.pop("JOBS_STANDBY_SECONDS")
    assert not thread.is_alive()
    assert said == [
        "jobs: running the jobs, holding the flaky lock",
        "jobs: lost the flaky lock; no longer running the jobs",
        "jobs: another scheduler holds the flaky lock; standing by, trying every 0.1s",
    ]
    assert ran > 0 and len(runs) == ran  # it ran jobs while it held the lock, none after


# -- real scheduler processes -----------------------------------------------------------------------


class Scheduler:
    """One `flask jobs run` process; its output goes to a file the test reads."""

    def __init__(self, url: str, probe_file: Path, log: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "AFTERCARE_JOB_MODULES": json.dumps([__name__]),
            "AFTERCARE_JOBS_STANDBY_SECONDS": str(STANDBY_SECONDS),
            "AFTERCARE_KB_WARM_UP": "false",
            "AFTERCARE_SECRET_KEY": "scheduler-test",
            "SCHEDULER_PROBE_FILE": str(probe_file),
        }
        self.log = log
        with open(log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "jobs", "run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def probes(path: Path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [
        (int(pid), float(at)) for pid, at in (line.split() for line in path.read_text().splitlines() if line)
    ]


def wait_for(condition, timeout: float, what: str) -> float:
    """Poll `condition` until it holds; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_dies(scheduler_db, tmp_path):
    probe_file = tmp_path / "probes"
    first = Scheduler(scheduler_db, probe_file, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: first.pid in {p for p, _ in probes(probe_file)}, 30, "the first scheduler's jobs")
        second = Scheduler(scheduler_db, probe_file, tmp_path / "second.log")
        wait_for(lambda: "standing by" in second.output(), 30, "the second scheduler to stand by")
        time.sleep(1.5)  # several probe intervals and standby attempts
        assert {pid for pid, _ in probes(probe_file)} == {first.pid}, "the standby ran jobs"
        assert "running the jobs" not in second.output()
        assert second.process.poll() is None  # idle, not gone

        first.process.send_signal(signal.SIGKILL)  # a crash: no goodbye, no unlock
        killed_at = time.monotonic()
        first.process.wait(timeout=10)
        took = wait_for(lambda: second.pid in {p for p, _ in probes(probe_file)}, 15, "the takeover")
        print(f"takeover after {took:.2f}s")
        assert took < 10
        assert "running the jobs" in second.output()
        runs = probes(probe_file)
        assert all(pid == first.pid for pid, at in runs if at < killed_at - 0.5)
        assert all(pid == second.pid for pid, at in runs if at > killed_at + 0.5)

        second.process.send_signal(signal.SIGTERM)  # the polite way out frees the lock at once
        assert second.process.wait(timeout=15) == 0
    finally:
        first.stop()
        if second is not None:
            second.stop()
