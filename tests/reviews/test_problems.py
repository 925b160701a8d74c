"""Recurring clusters from the database, problems through their lifecycle, dismissals, known errors on new
tickets, effectiveness before and after a fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.extensions import db
from reviews import queries, services
from reviews.errors import ReviewError
from reviews.models import LinkState, ProblemStatus, ProblemTicket
from tests.factories import make_engineer, make_ticket, make_user
from tests.reviews.labelled import DEV

NOW = datetime.now(UTC).replace(microsecond=0)


def _file(label: str, *, days_ago: float = 1, limit: int = 99) -> list[int]:
    numbers = []
    for item in [t for t in DEV if t.label == label][:limit]:
        ticket = make_ticket(
            make_user(),
            subject=item.subject,
            body=item.body,
            product=item.product,
            now=NOW - timedelta(days=days_ago),
        )
        numbers.append(ticket.id)
    return numbers


def _cluster_with(views, number):
    return next(v for v in views if number in v.tickets)


def test_detection_over_stored_tickets_reports_trend_organisations_and_products():
    now_numbers = _file("CERT_EXPIRED", days_ago=2)
    before = _file("CERT_EXPIRED", days_ago=40, limit=3)
    _file("BACKUP_FAILED", days_ago=3)
    views = queries.detect_recurring(days=30, now=NOW)
    cert = _cluster_with(views, now_numbers[0])
    assert sorted(cert.tickets) == sorted(now_numbers)
    assert cert.previous == len(before) and cert.trend == "up"
    assert len(cert.organisations) == len(now_numbers) and cert.products == ["Insight Console"]
    assert "证书" in cert.label and "certificate" in cert.label


def test_a_dismissed_cluster_does_not_come_back_even_with_new_tickets():
    numbers = _file("SLOW_DASHBOARD", days_ago=3, limit=4)
    view = _cluster_with(queries.detect_recurring(days=30, now=NOW), numbers[0])
    services.dismiss_cluster(
        key=view.key, label=view.label, numbers=view.tickets, signature=view.signature, actor=make_engineer()
    )
    _file("SLOW_DASHBOARD", days_ago=1)  # the same fault again, more tickets, other words
    assert not [v for v in queries.detect_recurring(days=30, now=NOW) if "SLOW" in v.signature["features"]]


def test_problem_lifecycle_from_cluster_to_fixed():
    numbers = _file("BACKUP_FAILED", days_ago=2)
    view = _cluster_with(queries.detect_recurring(days=30, now=NOW), numbers[0])
    problem = services.confirm_cluster(
        title="Nightly backup E1023", numbers=view.tickets, signature=view.signature, actor=make_engineer()
    )
    assert problem.status == ProblemStatus.investigating
    assert {link.ticket_id for link in problem.links} == set(view.tickets)
    with pytest.raises(ReviewError) as refused:
        services.update_problem(problem, title=problem.title, status="known_error", workaround="  ")
    assert refused.value.field == "workaround"
    services.update_problem(
        problem,
        title=problem.title,
        status="known_error",
        root_cause="Disk quota",
        workaround="Run it by hand",
    )
    assert problem.status == "known_error" and problem.known_error_at is not None
    services.update_problem(problem, title=problem.title, status="fixed", workaround="Run it by hand")
    assert problem.fixed_at is not None
    assert _cluster_with(queries.detect_recurring(days=30, now=NOW), numbers[0]).problem_id == problem.id


def test_a_new_ticket_like_a_known_error_gets_it_suggested_and_can_be_linked():
    numbers = _file("CERT_EXPIRED", days_ago=2)
    view = _cluster_with(queries.detect_recurring(days=30, now=NOW), numbers[0])
    problem = services.confirm_cluster(
        title="Console certificate expired", numbers=view.tickets, signature=view.signature, actor=None
    )
    services.update_problem(
        problem, title=problem.title, status="known_error", workaround="Accept the warning until renewed"
    )
    new = make_ticket(
        subject="Zertifikat? certificate has expired", body="The browser says the certificate expired today."
    )
    unrelated = make_ticket(subject="Invoice", body="Please resend the invoice for October.")
    suggested = queries.ticket_problems(new)
    assert [(s.problem_id, s.state) for s in suggested] == [(problem.id, LinkState.suggested)]
    assert queries.ticket_problems(unrelated) == []
    services.link_ticket(problem, new, actor=make_engineer())
    assert (
        db.session.scalar(db.select(ProblemTicket.state).where(ProblemTicket.ticket_id == new.id)) == "linked"
    )


def test_effectiveness_compares_equal_windows_before_and_after_the_fix():
    fixed = NOW - timedelta(days=10)
    before = _file("ALARM_MAIL_MISSING", days_ago=14)  # 4 days before the fix
    view = _cluster_with(queries.detect_recurring(days=30, now=NOW), before[0])
    problem = services.confirm_cluster(
        title="Alarm mails", numbers=view.tickets, signature=view.signature, actor=None
    )
    services.update_problem(problem, title="Alarm mails", status="fixed", fixed_on=fixed, now=NOW)
    _file("ALARM_MAIL_MISSING", days_ago=5, limit=1)  # one came back after the fix
    effect = queries.effectiveness(problem, now=NOW)
    assert (effect.days, effect.before, effect.after) == (10, len(before), 1)
    assert effect.change == pytest.approx((1 - len(before)) / len(before))
    assert effect.after_per_week < effect.before_per_week
