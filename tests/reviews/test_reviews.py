"""Review meetings: the scheduled draft with its snapshot, action items followed until done, carried over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.extensions import db
from reviews import jobs, services, snapshot, surveys
from reviews.errors import ReviewError
from reviews.models import Review
from support import services as tickets
from tests.factories import make_engineer, make_ticket, make_user

MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def test_last_period_is_the_finished_local_week_or_month():
    start, end = snapshot.last_period(MONDAY, "weekly", "Asia/Shanghai")
    assert (start, end) == (datetime(2026, 11, 8, 16, tzinfo=UTC), datetime(2026, 11, 15, 16, tzinfo=UTC))
    start, end = snapshot.last_period(MONDAY, "monthly", "Asia/Shanghai")
    assert (start, end) == (datetime(2026, 9, 30, 16, tzinfo=UTC), datetime(2026, 10, 31, 16, tzinfo=UTC))


def test_the_job_prepares_the_draft_once_with_the_periods_figures(app):
    start, end = snapshot.last_period(MONDAY, "weekly", "Asia/Shanghai")
    ticket = make_ticket(kind="incident", now=start + timedelta(days=1))
    tickets.change_status(ticket, "resolved", actor=make_engineer(), now=start + timedelta(days=2))
    survey = db.session.scalars(db.select(surveys.Survey).where(surveys.Survey.ticket_id == ticket.id)).one()
    surveys.answer(survey, score=1, comment="Took too long", channel="link", now=start + timedelta(days=3))
    assert services.create_due_review(now=MONDAY) is not None
    assert services.create_due_review(now=MONDAY + timedelta(hours=1)) is None  # once per period
    review = db.session.scalars(db.select(Review)).one()
    snap = review.snapshot
    assert snap["volume"]["opened"] == 1 and snap["volume"]["by_kind"] == {"incident": 1}
    assert snap["resolution"]["resolved"] == 1 and snap["resolution"]["median_hours"] == 24.0
    assert snap["satisfaction"]["average"] == 1.0
    assert [row["ticket"] for row in snap["satisfaction"]["low"]] == [ticket.id]
    assert set(snap["sla"]) == {"first_response", "next_reply", "resolution"}
    assert snap["knowledge_gaps"]["resolved_without_article"] == 1
    services.hold_review(review, now=MONDAY)
    assert survey.reviewed_in_id == review.id  # looked at: not flagged for the next review again


def test_jobs_are_registered_and_safe_to_run_twice(app):
    assert {job.id for job in jobs.JOBS} == {"reviews.detect", "reviews.create_review"}
    assert "reviews.jobs" in app.config["JOB_MODULES"]


def test_action_items_are_followed_until_done_and_carry_into_the_next_review():
    owner = make_engineer()
    first = services.create_review(
        period_start=MONDAY - timedelta(days=14), period_end=MONDAY - timedelta(days=7), now=MONDAY
    )
    action = services.add_action(
        first, title="Renew the console certificate", owner=owner, due_on=date(2026, 11, 10)
    )
    assert action.is_overdue(date(2026, 11, 16))
    second = services.create_review(period_start=MONDAY - timedelta(days=7), period_end=MONDAY, now=MONDAY)
    assert [row["id"] for row in second.snapshot["open_actions"]] == [action.id]
    assert second.snapshot["open_actions"][0]["overdue"] is True
    services.update_action(action, status="done", owner=owner, due_on=action.due_on, now=MONDAY)
    assert action.done_at == MONDAY and not action.is_overdue(date(2026, 11, 16))
    with pytest.raises(ReviewError):
        services.add_action(second, title="x", owner=make_user(), due_on=None)  # a customer owns nothing


def test_a_review_period_must_be_over_and_unique():
    with pytest.raises(ReviewError):
        services.create_review(period_start=MONDAY, period_end=MONDAY + timedelta(days=7), now=MONDAY)
    services.create_review(period_start=MONDAY - timedelta(days=7), period_end=MONDAY, now=MONDAY)
    with pytest.raises(ReviewError):
        services.create_review(period_start=MONDAY - timedelta(days=7), period_end=MONDAY, now=MONDAY)
