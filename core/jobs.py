"""The job registry and its one runner.

Each package declares its periodic jobs as a table (`JOBS` in its `jobs.py`) with stable ids; the
runner registers them with APScheduler, `coalesce=True, max_instances=1`, and gives every run an app
context and the current time. Only one process runs the scheduler (`flask jobs run`): web workers never
start one, so a job never runs once per worker; a second `flask jobs run` stands by on a lock
(`run_scheduler`, below) and takes over when the first one ends.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.pool import NullPool

try:
    import fcntl
except ImportError:  # not on Windows: there the SQLite runner runs without a lock
    fcntl = None

from core.db import utcnow, writing
from core.extensions import db


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[datetime], object]  # takes `now`, commits per unit of work, safe to run twice
    trigger: str = "interval"
    trigger_args: dict = field(default_factory=lambda: {"minutes": 1})
    description: str = ""


def collect(modules: Iterable[str]) -> list[Job]:
    """The jobs declared by `modules` (dotted names of `jobs.py` modules), in order."""
    jobs: list[Job] = []
    for name in modules:
        jobs.extend(importlib.import_module(name).JOBS)
    ids = [job.id for job in jobs]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate job ids: {ids}")
    return jobs


def run_job(app: Flask, job: Job, now: datetime | None = None) -> None:
    """Run one job inside an app context; a failure is logged and rolled back, never fatal."""
    # Jobs read and then write: on SQLite they take the write lock as each transaction begins, or a
    # request committing in between would get them refused ("database is locked") until the next run.
    with app.app_context(), writing():
        try:
            job.func(now or utcnow())
        except Exception:
            db.session.rollback()
            app.logger.exception("job %s failed", job.id)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, jobs: Iterable[Job], scheduler: BaseScheduler | None = None) -> BaseScheduler:
    scheduler = scheduler or BlockingScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(
            run_job,
            job.trigger,
            args=(app, job),
            id=job.id,
            name=job.description or job.id,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            **job.trigger_args,
        )
    return scheduler


# -- one scheduler per deployment -------------------------------------------------------------------
#
# Web workers on several machines are fine; schedulers are not: every one would run every job. So the
# runner first takes a lock that only one process can hold. On PostgreSQL it is a session-level advisory
# lock, held by a connection of its own for the life of the process: it goes away with the process (a
# crash, a kill -9, a machine that vanishes once the server's TCP keepalive notices), and a scheduler
# started by mistake stands by, trying again every JOBS_STANDBY_SECONDS, ready to take over. On SQLite
# (one machine by nature) a lock file beside the database does the same for the processes of that machine.

# Advisory locks live per database, so deployments sharing one PostgreSQL server do not meet here.
LOCK_KEY = int.from_bytes(b"aftercar", "big")
STANDBY_SECONDS = 15.0  # default of JOBS_STANDBY_SECONDS: how often a standby tries, and the holder checks


class SchedulerLock:
    """No lock at all (an in-memory database): every runner runs."""

    problem: str | None = None  # why the last acquire() failed, when it was not another holder

    def acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        pass

    def __str__(self) -> str:
        return "no lock"


class AdvisoryLock(SchedulerLock):
    """pg_try_advisory_lock on a dedicated autocommit connection (no transaction stays open on it)."""

    def __init__(self, url: sa.URL | str, key: int = LOCK_KEY) -> None:
        # An engine of its own without a pool: this connection is never shared, and closing it frees the
        # lock. On our side too a dead peer is noticed within about a minute, never hours (TCP only).
        self.engine = sa.create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 10, "keepalives_idle": 30, "tcp_user_timeout": 60_000},
        )
        self.key = key
        self.connection: sa.Connection | None = None

    def acquire(self) -> bool:
        self.release()
        connection = None
        try:
            connection = self.engine.connect()
            # The server drops the session, and with it the lock, about a minute after the holder's
            # machine disappears, instead of after the two hours of the system's default keepalive.
            for setting, value in (("idle", 30), ("interval", 10), ("count", 3)):
                connection.exec_driver_sql(f"SET tcp_keepalives_{setting} = {value}")
            got = connection.scalar(sa.select(sa.func.pg_try_advisory_lock(self.key)))
        except sa.exc.DBAPIError as exc:
            if connection is not None:
                with contextlib.suppress(sa.exc.DBAPIError):
                    connection.close()
            self.problem = f"the database is unreachable ({type(exc.orig).__name__})"
            return False
        self.problem = None
        if got:
            self.connection = connection
        else:
            connection.close()
        return bool(got)

    def held(self) -> bool:
        if self.connection is None:
            return False
        try:
            return bool(self.connection.scalar(_HOLDS_LOCK, {"key": self.key}))
        except sa.exc.DBAPIError:
            self.release()  # the connection is gone, and the lock with it
            return False

    def release(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            with contextlib.suppress(sa.exc.DBAPIError):
                connection.close()  # the session ends, the lock goes with it

    def __str__(self) -> str:
        return f"PostgreSQL advisory lock {self.key}"


# A bigint advisory key shows in pg_locks as its high and low 32 bits (classid, objid) with objsubid 1.
_HOLDS_LOCK = sa.text(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
    " AND objsubid = 1 AND (classid::bigint << 32) | objid::bigint = :key"
)


class FileLock(SchedulerLock):
    """An exclusive flock on a file: for SQLite, whose processes all run on one machine."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.file = None

    def acquire(self) -> bool:
        if self.file is not None:
            return True
        handle = open(self.path, "a")  # noqa: SIM115  (kept open for as long as the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.file = handle
        return True

    def held(self) -> bool:
        return self.file is not None

    def release(self) -> None:
        if self.file is not None:
            handle, self.file = self.file, None
            handle.close()  # closing the file drops the flock

    def __str__(self) -> str:
        return f"lock file {self.path}"


def scheduler_lock(app: Flask) -> SchedulerLock:
    """The lock that fits the app's database."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and fcntl:
        return FileLock(url.database + ".jobs-lock")
    return SchedulerLock()


def run_scheduler(
    app: Flask,
    jobs: Iterable[Job],
    lock: SchedulerLock | None = None,
    *,
    stop: threading.Event | None = None,
    say: Callable[[str], object] = print,
) -> None:
    """Run the jobs while this process holds the scheduler lock; stand by while another one does.

    Returns when `stop` is set. A holder that finds its lock gone (its database connection was cut)
    stops scheduling and stands by too: whoever holds the lock now runs the jobs.
    """
    jobs = list(jobs)
    lock = lock or scheduler_lock(app)
    stop = stop or threading.Event()
    interval = float(app.config.get("JOBS_STANDBY_SECONDS", STANDBY_SECONDS))
    waiting_for = None  # what the last standby message said, so that it is said once
    while not stop.is_set():
        if not lock.acquire():
            reason = lock.problem or f"another scheduler holds the {lock}"
            if reason != waiting_for:
                say(f"jobs: {reason}; standing by, trying every {interval:g}s")
                waiting_for = reason
            stop.wait(interval)
            continue
        waiting_for = None
        say(f"jobs: running the jobs, holding the {lock}")
        scheduler = build_scheduler(app, jobs, BackgroundScheduler(timezone="UTC"))
        scheduler.start()
        try:
            while not stop.wait(interval):
                if not lock.held():
                    say(f"jobs: lost the {lock}; no longer running the jobs")
                    break
        finally:
            scheduler.shutdown(wait=True)  # a job under way finishes before another process may start
            lock.release()
