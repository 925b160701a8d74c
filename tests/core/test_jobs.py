"""The job table and its runner, and the support desk's own periodic job."""

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from core import jobs
from core.extensions import db
from support import services
from support.jobs import close_resolved_tickets
from support.models import Status
from tests.factories import make_engineer, make_ticket

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_every_declared_job_registers_once_with_coalescing(app):
    table = jobs.collect(app.config["JOB_MODULES"])
    assert "support.close_resolved" in [job.id for job in table]
    scheduler = jobs.build_scheduler(app, table, BackgroundScheduler(timezone="UTC"))
    registered = scheduler.get_jobs()
    assert [j.id for j in registered] == [job.id for job in table]
    assert all(j.coalesce and j.max_instances == 1 for j in registered)


def test_resolved_tickets_close_after_the_configured_days_and_a_second_run_does_nothing(app):
    engineer = make_engineer()
    old = make_ticket(now=NOW - timedelta(days=10))
    recent = make_ticket(now=NOW - timedelta(days=10))
    services.change_status(old, Status.resolved, actor=engineer, now=NOW - timedelta(days=8))
    services.change_status(recent, Status.resolved, actor=engineer, now=NOW - timedelta(days=2))
    db.session.commit()

    assert close_resolved_tickets(NOW) == 1
    assert (old.status, recent.status) == (Status.closed, Status.resolved)
    assert old.events[-1].actor_id is None  # the system did it, and the history says so
    assert close_resolved_tickets(NOW) == 0


def test_a_failing_job_is_logged_and_rolled_back_not_raised(app, caplog):
    def broken(now):
        raise RuntimeError("boom")

    jobs.run_job(app, jobs.Job("test.broken", broken))
    assert "job test.broken failed" in caplog.text
