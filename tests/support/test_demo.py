"""`flask demo seed`: what a newcomer sees on a first start, the same every time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.mail_models import OutboundMail
from core.models import Organisation, User
from support import demo
from support.models import Kind, Message, Status, Ticket, TicketEvent
from tests.factories import make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["demo", "seed", *args])


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_loads_organisations_people_and_a_month_of_tickets(cli, client):
    result = cli()
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000" in result.output
    for email, password in [
        ("admin@aftercare.example", "admin-demo-1"),
        ("li.wei@aftercare.example", "engineer-demo-1"),
        ("sarah.jones@aftercare.example", "engineer-demo-1"),
        ("zhang.min@hengtai.cn", "customer-demo-1"),
        ("tom.baker@northwind.example", "customer-demo-1"),
    ]:
        assert re.search(rf"{re.escape(email)}\s+{password}", result.output)

    # The demo's people are made up: no package queued a mail to any of them (surveys, SLA, notices).
    assert count(OutboundMail) == 0

    orgs = db.session.scalars(sa.select(Organisation)).all()
    assert len(orgs) == 3
    assert {o.tier for o in orgs} == {"basic", "standard", "premium"}
    assert any(CHINESE.search(o.name) for o in orgs) and all(o.domains for o in orgs)
    roles = db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all()
    assert dict(roles) == {"admin": 1, "engineer": 3, "customer": 6}

    tickets = db.session.scalars(sa.select(Ticket)).all()
    assert 45 <= len(tickets) <= 60
    combinations = {(t.kind, t.status) for t in tickets}
    assert combinations == {(kind, status) for kind in Kind for status in Status}
    assert any(CHINESE.search(t.subject) for t in tickets)
    assert any(not CHINESE.search(t.subject) for t in tickets)
    assert all(t.organisation_id == t.requester.organisation_id for t in tickets)

    now = datetime.now(UTC)
    assert all(now - timedelta(days=30) <= t.created_at <= now for t in tickets)
    assert max(t.created_at for t in tickets) - min(t.created_at for t in tickets) > timedelta(days=20)
    assert count(Message) > 2 * len(tickets)
    assert db.session.scalar(sa.select(sa.func.count()).where(Message.internal)) > 0
    event_kinds = set(db.session.scalars(sa.select(TicketEvent.kind).distinct()))
    assert {"created", "replied", "noted", "assigned", "status_changed"} <= event_kinds

    # The history is what the services wrote: staff replies count as first responses.
    answered = [t for t in tickets if t.status != Status.new]
    assert all(t.first_response_at is not None and t.assignee is not None for t in answered)
    assert all(t.resolved_at is not None for t in tickets if t.status in (Status.resolved, Status.closed))

    for email, password, home in [
        ("admin@aftercare.example", "admin-demo-1", "/queue"),
        ("wang.fang@hengtai.cn", "customer-demo-1", "/portal"),
    ]:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 303 and response.headers["Location"] == home
        client.post("/logout")


def test_seed_refuses_a_database_with_data_unless_asked_to_skip(cli):
    assert cli().exit_code == 0
    counts = count(User), count(Ticket), count(Message)

    again = cli()
    assert again.exit_code != 0
    assert "already holds accounts" in again.output

    skipped = cli("--if-empty")
    assert skipped.exit_code == 0
    assert "nothing was added" in skipped.output
    assert "admin@aftercare.example" in skipped.output and "http://127.0.0.1:5000" in skipped.output
    assert (count(User), count(Ticket), count(Message)) == counts


def test_if_empty_leaves_someone_elses_data_alone(cli):
    make_user("real.customer@example.com")
    result = cli("--if-empty")
    assert result.exit_code == 0
    assert "nothing was added" in result.output
    assert count(Ticket) == 0 and count(User) == 1


def test_seed_writes_the_same_data_every_time():
    def snapshot():
        tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        return [
            (
                t.subject,
                t.kind,
                t.status,
                t.priority,
                t.requester.email,
                t.assignee.email if t.assignee else None,
                t.created_at,
                [(m.author.email, m.body, m.internal, m.created_at) for m in t.messages],
            )
            for t in tickets
        ]

    savepoint = db.session.begin_nested()
    demo.seed(now=NOW)
    first = snapshot()
    savepoint.rollback()
    assert count(Ticket) == 0

    demo.seed(now=NOW)
    assert snapshot() == first
