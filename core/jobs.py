"""The job registry and its one runner.

Each package declares its periodic jobs as a table (`JOBS` in its `jobs.py`) with stable ids; the
runner registers them with APScheduler, `coalesce=True, max_instances=1`, and gives every run an app
context and the current time. Only one process runs the scheduler (`flask jobs run`): web workers never
start one, so a job never runs once per worker.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from core.db import utcnow
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
    with app.app_context():
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
