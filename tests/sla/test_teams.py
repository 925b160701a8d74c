"""Escalation to a team: the least-loaded active member takes the ticket, once, through the history."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core import services as accounts
from core.extensions import db
from sla import jobs, settings
from sla.clock import WEEKDAYS
from sla.models import SlaPolicy
from support import services as tickets
from support.models import TicketEvent
from tests.factories import make_admin, make_engineer, make_ticket

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ALWAYS = {day: [("00:00", "24:00")] for day in WEEKDAYS}
BREACH = NOW + timedelta(minutes=61)


def urgent_policy(team, **overrides) -> SlaPolicy:
    """Urgent tickets only (the load tickets below are low and get no clock): an hour to first reply."""
    calendar = settings.save_calendar(None, name="Always", timezone="UTC", hours=ALWAYS)
    fields = {
        "priorities": ["urgent"],
        "first_response_minutes": 60,
        "warn_percent": 50,
        "breach_actions": ["reassign"],
        "reassign_team": team,
    }
    return settings.save_policy(None, name="Urgent", calendar=calendar, **{**fields, **overrides})


def give(engineer, open_tickets: int = 0, resolved: int = 0) -> None:
    """Load an engineer with tickets; only open ones count towards who is least busy.

    Call it after `urgent_policy`: the first ticket of a desk without policies creates the defaults.
    """
    for n in range(open_tickets + resolved):
        ticket = make_ticket(priority="low", now=NOW - timedelta(days=1))
        tickets.assign(ticket, engineer, actor=engineer, now=NOW - timedelta(days=1))
        if n >= open_tickets:
            tickets.change_status(ticket, "resolved", actor=engineer, now=NOW - timedelta(hours=1))


def reassignments(ticket) -> list[dict]:
    """The history's "assigned" entries made by the system (no actor)."""
    rows = db.session.scalars(
        sa.select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind == "assigned",
            TicketEvent.actor_id.is_(None),
        )
        .order_by(TicketEvent.id)
    )
    return [row.data for row in rows]


def test_a_breach_goes_to_the_active_member_with_fewest_open_tickets_once():
    bo = make_engineer(name="Bo")
    cy = make_engineer(name="Cy")
    di = make_engineer(name="Di", active=False)  # no tickets at all, but cannot work
    ed = make_engineer(name="Ed")  # as loaded as Cy; Cy's lower id wins the tie
    urgent_policy(accounts.create_team("Network", members=[bo, cy, di, ed]))
    give(bo, open_tickets=2)
    give(cy, open_tickets=1, resolved=3)
    give(ed, open_tickets=1)
    ticket = make_ticket(priority="urgent", now=NOW)
    db.session.commit()

    result = jobs.sweep(BREACH)
    assert (result.breached, result.actions) == (1, 1)
    assert ticket.assignee is cy
    assert reassignments(ticket) == [{"from": None, "to": "Cy", "from_id": None, "to_id": cy.id}]
    # Sweeping again (the next minute, a restart) changes nothing and adds nothing to the history.
    assert jobs.sweep(BREACH + timedelta(minutes=1)).breached == 0
    assert jobs.sweep(BREACH + timedelta(hours=2)).actions == 0
    assert len(reassignments(ticket)) == 1


def test_the_current_assignee_is_passed_over_when_someone_else_can_take_it():
    ann, bo = make_engineer(name="Ann"), make_engineer(name="Bo")
    urgent_policy(accounts.create_team("Database", members=[ann, bo]))
    give(bo, open_tickets=3)
    ticket = make_ticket(priority="urgent", now=NOW)
    tickets.assign(ticket, ann, actor=ann, now=NOW)  # Ann has the fewest open tickets: just this one
    db.session.commit()

    jobs.sweep(BREACH)
    assert ticket.assignee is bo
    assert [(e["from_id"], e["to_id"]) for e in reassignments(ticket)] == [(ann.id, bo.id)]


def test_tickets_due_in_the_same_sweep_are_spread_over_the_team():
    bo, cy = make_engineer(name="Bo"), make_engineer(name="Cy")
    team = accounts.create_team("Field service", members=[bo, cy])
    urgent_policy(team)
    first = make_ticket(priority="urgent", now=NOW)
    second = make_ticket(priority="urgent", now=NOW)
    db.session.commit()

    assert jobs.sweep(BREACH).actions == 2
    assert {first.assignee, second.assignee} == {bo, cy}


def test_a_warning_can_reassign_to_the_team_too():
    bo = make_engineer(name="Bo")
    team = accounts.create_team("Night shift", members=[bo])
    urgent_policy(team, warning_actions=["reassign"], breach_actions=[])
    ticket = make_ticket(priority="urgent", now=NOW)
    db.session.commit()

    assert jobs.sweep(NOW + timedelta(minutes=29)).actions == 0
    assert jobs.sweep(NOW + timedelta(minutes=31)).warned == 1
    assert ticket.assignee is bo and len(reassignments(ticket)) == 1
    jobs.sweep(BREACH)
    assert len(reassignments(ticket)) == 1


@pytest.mark.parametrize("who", ["nobody", "only inactive people"])
def test_a_team_nobody_can_work_in_leaves_the_assignee_and_the_log_says_why(who, caplog):
    ann = make_engineer(name="Ann", email="ann@aftercare.example")
    members = [] if who == "nobody" else [make_engineer(name="Di", active=False)]
    team = accounts.create_team("Empty", members=members)
    urgent_policy(team)
    ticket = make_ticket(priority="urgent", now=NOW)
    tickets.assign(ticket, ann, actor=ann, now=NOW)
    db.session.commit()

    result = jobs.sweep(BREACH)
    assert (result.breached, result.actions) == (1, 0)
    assert ticket.assignee is ann and reassignments(ticket) == []
    assert (
        "team Empty has no active member to reassign to; it stays with ann@aftercare.example" in caplog.text
    )
    caplog.clear()
    assert jobs.sweep(BREACH + timedelta(minutes=1)).breached == 0  # handled: not retried every minute
    assert caplog.text == ""


def test_a_team_of_just_the_assignee_keeps_the_ticket_with_them(caplog):
    ann = make_engineer(name="Ann")
    team = accounts.create_team("Solo", members=[ann])
    urgent_policy(team)
    ticket = make_ticket(priority="urgent", now=NOW)
    tickets.assign(ticket, ann, actor=ann, now=NOW)
    db.session.commit()

    assert jobs.sweep(BREACH).actions == 0
    assert ticket.assignee is ann and reassignments(ticket) == []
    assert "team Solo has no other active member" in caplog.text


# -- settings, admin page, API -------------------------------------------------------------------------


def test_a_policy_names_an_engineer_or_a_team_to_reassign_to_not_both():
    bo = make_engineer()
    team = accounts.create_team("Network", members=[bo])
    calendar = settings.save_calendar(None, name="Always", timezone="UTC", hours=ALWAYS)
    with pytest.raises(settings.SlaError) as neither:
        settings.save_policy(None, name="P", calendar=calendar, breach_actions=["reassign"])
    assert neither.value.field == "reassign_to" and "engineer or the team" in str(neither.value)
    with pytest.raises(settings.SlaError) as both:
        settings.save_policy(None, name="P", calendar=calendar, reassign_to=bo, reassign_team=team)
    assert both.value.field == "reassign_team"
    policy = settings.save_policy(
        None, name="P", calendar=calendar, warning_actions=["reassign"], reassign_team=team
    )
    assert policy.reassign_team is team and policy.reassign_to is None


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def admin(login):
    user = make_admin()
    db.session.commit()
    return login(user)


def policy_form(calendar_id, **overrides) -> dict:
    data = {
        "name": "Network faults",
        "active": "y",
        "calendar": str(calendar_id),
        "first_response": "1h",
        "warn_percent": "75",
        "breach_actions": ["reassign", "notify_assignee"],
    }
    return {**data, **overrides}


def test_admins_choose_a_team_on_the_policy_form_and_see_it_in_the_list(admin):
    team = accounts.create_team("Network", members=[make_engineer()])
    calendar = settings.save_calendar(None, name="Always", timezone="UTC", hours=ALWAYS)
    db.session.commit()
    form = text_of(admin.get("/admin/sla/policies/new"))
    assert "Or reassign to a team" in form and f'<option value="{team.id}">Network</option>' in form

    response = admin.post(
        "/admin/sla/policies/new", data=policy_form(calendar.id, reassign_team=str(team.id))
    )
    assert response.status_code == 303
    policy = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == "Network faults"))
    assert policy.reassign_team_id == team.id
    assert "Team Network" in text_of(admin.get("/admin/sla/policies"))
    edit = admin.get(f"/admin/sla/policies/{policy.id}").get_data(as_text=True)
    assert f'<option selected value="{team.id}">Network</option>' in edit


def test_the_policy_form_refuses_an_engineer_and_a_team_keeping_both(admin):
    bo = make_engineer(name="Bo")
    team = accounts.create_team("Network", members=[bo])
    calendar = settings.save_calendar(None, name="Always", timezone="UTC", hours=ALWAYS)
    db.session.commit()
    data = policy_form(calendar.id, reassign_to=str(bo.id), reassign_team=str(team.id))
    response = admin.post("/admin/sla/policies/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'id="reassign_team-error"[^>]*>([^<]*)<', page)
    assert error and "not both" in html.unescape(error.group(1))
    assert f'<option selected value="{team.id}">Network</option>' in page
    assert f'<option selected value="{bo.id}">Bo</option>' in page
    assert db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == "Network faults")) is None


def test_the_api_lists_the_team_a_policy_reassigns_to(api):
    engineer = make_engineer(name="Bo")
    team = accounts.create_team("Network", members=[engineer])
    urgent_policy(team)
    policies = api(engineer).get("/sla/policies").get_json()
    urgent = next(p for p in policies if p["name"] == "Urgent")
    assert urgent["reassign_team"] == {"id": team.id, "name": "Network"}
    assert urgent["reassign_to"] is None and urgent["breach_actions"] == ["reassign"]
