"""What people see: the ticket's SLA panel and its explanation, the queue's due column, the admin pages."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from sla.models import Calendar, SlaPolicy
from support import services as tickets
from tests.factories import make_admin, make_engineer, make_ticket

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 17:00 in Shanghai


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def commit():
    db.session.commit()


@pytest.fixture
def engineer():
    user = make_engineer(name="Erin Engineer", timezone="Asia/Shanghai")
    commit()  # views roll back refused changes; committed rows (savepoints here) survive that
    return user


@pytest.fixture
def staff(login, engineer):
    return login(engineer)


@pytest.fixture
def admin(login):
    user = make_admin(timezone="Asia/Shanghai")
    commit()
    return login(user)


# -- ticket page and explanation ---------------------------------------------------------------------


def test_the_ticket_page_shows_each_target_with_its_due_time_in_the_viewers_zone(staff, engineer):
    ticket = make_ticket(now=NOW)
    commit()
    page = text_of(staff.get(f"/queue/tickets/{ticket.id}"))
    panel = page[page.index('data-testid="sla-panel"') :]
    assert "Policy: Standard" in panel
    assert 'data-target="first_response" data-phase="running"' in panel
    assert "Due 2026-11-25 12:00" in panel  # Wednesday noon, Shanghai time: the viewer's zone
    assert "Explain these times" in panel

    tickets.add_message(ticket, author=engineer, body="On it.", now=NOW + timedelta(minutes=20))
    commit()
    panel = text_of(staff.get(f"/queue/tickets/{ticket.id}"))
    assert 'data-target="first_response" data-phase="completed" data-outcome="met"' in panel
    assert "✓ </span>Met" in panel and "Used 20m of 4h 00m business time." in panel


def test_the_explanation_lists_segments_and_the_calendar_days_that_produced_the_due_time(staff, engineer):
    opened = datetime(2026, 9, 30, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai, the eve of National Day
    ticket = make_ticket(now=opened)
    tickets.add_message(ticket, author=engineer, body="Logs?", now=opened + timedelta(minutes=30))
    tickets.change_status(ticket, "pending", actor=engineer, now=opened + timedelta(minutes=30))
    tickets.add_message(ticket, author=ticket.requester, body="Here.", now=opened + timedelta(hours=1))
    commit()
    response = staff.get(f"/queue/tickets/{ticket.id}/sla")
    assert response.status_code == 200
    page = text_of(response)
    resolution = page[page.index('data-target="resolution"') :]
    assert resolution.count('data-running="yes"') == 2 and resolution.count('data-running="no"') == 1
    assert "Waiting on customer" in resolution
    assert "Public holiday: National Day" in resolution
    assert "Make-up working day" in resolution  # Saturday 10 October works in 2026
    assert 'data-testid="derivation"' in resolution
    assert "Office hours" in page and "Asia/Shanghai" in page


def test_the_explanation_is_for_staff_only(client, login):
    ticket = make_ticket(now=NOW)
    commit()
    assert client.get(f"/queue/tickets/{ticket.id}/sla").status_code == 302
    assert login(ticket.requester).get(f"/queue/tickets/{ticket.id}/sla").status_code == 403


def test_unknown_ticket_explanation_is_404(staff):
    assert staff.get("/queue/tickets/999999/sla").status_code == 404


# -- the queue ---------------------------------------------------------------------------------------


def test_the_queue_says_time_left_overdue_or_paused_in_words_and_sorts_by_due_by_default(staff, engineer):
    overdue = make_ticket(subject="Overdue one", now=NOW - timedelta(days=3))
    paused = make_ticket(subject="Paused one", now=NOW)
    tickets.add_message(paused, author=engineer, body="Which version?", now=NOW + timedelta(minutes=1))
    tickets.change_status(paused, "pending", actor=engineer, now=NOW + timedelta(minutes=1))
    running = make_ticket(subject="Running one", now=datetime.now(UTC))
    commit()
    response = staff.get("/queue")
    page = text_of(response)
    rows = re.findall(r'data-ticket="(\d+)"', page)
    assert rows == [str(overdue.id), str(running.id), str(paused.id)]
    assert re.search(r'<option selected value="sla_due">', response.get_data(as_text=True))
    assert '<span aria-hidden="true">⚠ </span>Overdue' in page
    assert '<span aria-hidden="true">▶ </span>' in page and " left</span>" in page
    assert '<span aria-hidden="true">‖ </span>Paused, ' in page


def test_the_queue_runs_no_more_statements_for_more_tickets(sql_counter, login, engineer):
    def count():
        with sql_counter() as counter:
            assert login(engineer).get("/queue").status_code == 200
        return counter.count

    make_ticket(now=NOW)
    commit()
    few = count()
    for _ in range(8):
        make_ticket(now=NOW)
    commit()
    assert count() == few


# -- admin: calendars ----------------------------------------------------------------------------------


def calendar_form(**overrides):
    data = {
        "name": "Berlin office",
        "timezone": "Europe/Berlin",
        **{day: "08:00-12:00, 13:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")},
        "sat": "",
        "sun": "",
        "country": "DE",
        "holidays": "2026-12-24 Christmas Eve\n2026-12-31",
        "workdays": "",
        "save": "Save",
    }
    data.update(overrides)
    return data


def test_admins_create_a_calendar_and_see_when_targets_started_now_fall_due(admin):
    response = admin.post("/admin/sla/calendars/new", data=calendar_form())
    assert response.status_code == 303
    calendar = db.session.scalar(sa.select(Calendar).where(Calendar.name == "Berlin office"))
    assert calendar.holidays == ["2026-12-24", "2026-12-31"] and calendar.country == "DE"
    page = text_of(admin.get(response.location))
    assert "a 4-hour target started now is due at" in page
    assert 'value="08:00-12:00, 13:00-17:00"' in page


def test_a_calendar_without_working_time_is_refused_keeping_what_was_typed(admin):
    empty = {day: "" for day in ("mon", "tue", "wed", "thu", "fri")}
    response = admin.post("/admin/sla/calendars/new", data=calendar_form(**empty, name="Nobody works"))
    assert response.status_code == 400
    page = text_of(response)
    assert "a target could never fall due" in page and 'value="Nobody works"' in page
    assert db.session.scalar(sa.select(Calendar).where(Calendar.name == "Nobody works")) is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"mon": "09:00-13:00, 12:00-18:00"}, "mon", "overlap"),
        ({"tue": "18:00-09:00"}, "tue", "does not end after it starts"),
        ({"wed": "nine to five"}, "wed", "is not a range"),
        ({"holidays": "Christmas"}, "holidays", "is not a date"),
    ],
)
def test_calendar_mistakes_are_shown_next_to_the_field(admin, fields, field, message):
    response = admin.post("/admin/sla/calendars/new", data=calendar_form(**fields))
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert error and message in html.unescape(error.group(1))


def test_the_preview_button_shows_due_times_without_saving(admin):
    data = calendar_form(name="Trial", save="")
    data["preview"] = "Preview"
    del data["save"]
    response = admin.post("/admin/sla/calendars/new", data=data)
    assert response.status_code == 200 and 'data-testid="preview"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Calendar).where(Calendar.name == "Trial")) is None


def test_sla_settings_are_for_admins(staff):
    assert staff.get("/admin/sla/calendars").status_code == 403
    assert staff.get("/admin/sla/policies").status_code == 403


# -- admin: policies -----------------------------------------------------------------------------------


def policy_form(calendar_id, **overrides):
    data = {
        "name": "Premium incidents",
        "active": "y",
        "priorities": ["urgent", "high"],
        "tiers": ["premium"],
        "calendar": str(calendar_id),
        "first_response": "30m",
        "next_reply": "1h",
        "resolution": "1h 30m",
        "warn_percent": "75",
        "warn_before": "",
        "breach_actions": ["notify_assignee", "raise_priority"],
    }
    data.update(overrides)
    return data


def test_admins_add_a_policy_and_order_it(admin):
    make_ticket(now=NOW)  # the defaults
    commit()
    calendar = db.session.scalar(sa.select(Calendar).where(Calendar.name == "Around the clock"))
    response = admin.post("/admin/sla/policies/new", data=policy_form(calendar.id))
    assert response.status_code == 303
    policy = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == "Premium incidents"))
    assert (policy.first_response_minutes, policy.resolution_minutes) == (30, 90)
    assert policy.priorities == "urgent high" and policy.actions("breach") == [
        "raise_priority",
        "notify_assignee",
    ]
    page = text_of(admin.get("/admin/sla/policies"))
    assert page.index("Premium incidents") < page.index("Standard")
    admin.post(f"/admin/sla/policies/{policy.id}/move", data={"up": "1"})
    moved = admin.post(f"/admin/sla/policies/{policy.id}/move", data={"up": "1"}, follow_redirects=True)
    assert "Policy “Premium incidents” moved" in moved.get_data(as_text=True)
    names = re.findall(r'policies/\d+">([^<]+)</a>', admin.get("/admin/sla/policies").get_data(as_text=True))
    assert names.index("Premium incidents") == 1 and names[-1] == "Standard"
    edit = text_of(admin.get(f"/admin/sla/policies/{policy.id}"))
    assert 'value="1h 30m"' in edit


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"first_response": "half an hour"}, "first_response", "Write a duration"),
        ({"warn_percent": "120"}, "warn_percent", ""),
        ({"breach_actions": ["notify_lead"]}, "lead", "Choose the lead"),
        ({"name": "Standard"}, "name", "already exists"),
    ],
)
def test_policy_mistakes_are_shown_next_to_the_field(admin, fields, field, message):
    make_ticket(now=NOW)
    commit()
    calendar = db.session.scalar(sa.select(Calendar).where(Calendar.name == "Office hours"))
    response = admin.post("/admin/sla/policies/new", data=policy_form(calendar.id, **fields))
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert error and message in html.unescape(error.group(1))
