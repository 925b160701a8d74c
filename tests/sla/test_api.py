"""The SLA API: a ticket's clocks for whoever may read the ticket, settings for staff."""

from datetime import UTC, datetime, timedelta

import pytest

from support import services as tickets
from tests.factories import make_engineer, make_org, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def engineer():
    return make_engineer()


def test_a_tickets_sla_lists_every_clock_with_its_segments(api, engineer):
    ticket = make_ticket(now=NOW)
    tickets.add_message(ticket, author=engineer, body="Which version?", now=NOW + timedelta(minutes=10))
    tickets.change_status(ticket, "pending", actor=engineer, now=NOW + timedelta(minutes=10))
    response = api(engineer).get(f"/tickets/{ticket.id}/sla")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ticket"] == ticket.id and body["status"] == "pending" and body["due_at"] is None
    assert body["policy"]["name"] == "Standard" and body["calendar"]["timezone"] == "Asia/Shanghai"
    clocks = {c["target"]: c for c in body["clocks"]}
    first, resolution = clocks["first_response"], clocks["resolution"]
    assert (first["phase"], first["outcome"], first["used_seconds"]) == ("completed", "met", 600)
    assert (resolution["phase"], resolution["due_at"], resolution["goal_minutes"]) == ("paused", None, 2400)
    assert resolution["left_seconds"] == 2400 * 60 - 600
    assert [(s["status"], s["running"]) for s in resolution["segments"]] == [
        ("new", True),
        ("pending", False),
    ]
    assert resolution["segments"][-1]["end"] is None


def test_customers_read_the_sla_of_their_organisations_tickets_only(api):
    org = make_org()
    mine = make_ticket(make_user(org=org), now=NOW)
    colleague = make_user(org=org)
    theirs = make_ticket(make_user(org=make_org()), now=NOW)
    caller = api(colleague)
    assert caller.get(f"/tickets/{mine.id}/sla").status_code == 200
    hidden, unknown = caller.get(f"/tickets/{theirs.id}/sla"), caller.get("/tickets/999999/sla")
    assert hidden.status_code == unknown.status_code == 404
    assert caller.get("/sla/policies").status_code == 403


def test_a_missing_token_is_401(client):
    assert client.get("/api/v1/tickets/1/sla").status_code == 401
    assert client.get("/api/v1/sla/policies").status_code == 401


def test_staff_read_policies_in_order_and_calendars(api, engineer):
    make_ticket(now=NOW)  # creates the defaults
    caller = api(engineer)
    policies = caller.get("/sla/policies").get_json()
    assert [p["name"] for p in policies][-1] == "Standard" and policies[-1]["is_default"]
    urgent = policies[0]
    assert (urgent["priorities"], urgent["calendar"]["name"]) == (["urgent"], "Around the clock")
    assert urgent["breach_actions"] == ["notify_assignee", "notify_lead"]
    calendars = {c["name"]: c for c in caller.get("/sla/calendars").get_json()}
    assert calendars["Office hours"]["hours"]["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert calendars["Office hours"]["country"] == "CN"


def test_the_openapi_document_describes_the_sla_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/tickets/{number}/sla" in paths and "/api/v1/sla/policies" in paths
