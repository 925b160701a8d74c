"""Teams of engineers: the services, the admin pages (admins only), and the queue's team filter."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from core import services
from core.extensions import db
from core.models import Team, User
from sla import settings
from sla.clock import WEEKDAYS
from support import services as tickets
from tests.factories import make_admin, make_engineer, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def team_named(name: str) -> Team | None:
    return db.session.scalar(sa.select(Team).where(Team.name == name))


def ticked(page: str, user_id: int) -> bool:
    return (
        re.search(rf'<input checked [^>]*name="members" type="checkbox" value="{user_id}">', page) is not None
    )


def error_of(page: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    assert match, f"no error next to {field}"
    return html.unescape(match.group(1))


# -- services ------------------------------------------------------------------------------------------


def test_a_team_holds_engineers_and_admins():
    bo, root = make_engineer(name="Bo"), make_admin(name="Root")
    team = services.create_team("  Network   and VPN ", description=" Routers, VPN. ", members=[bo, root, bo])
    assert team.id is not None
    assert (team.name, team.description) == ("Network and VPN", "Routers, VPN.")
    assert team.members == [bo, root]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the team a name."), ("   ", "Give the team a name."), ("x" * 101, "at most 100")],
)
def test_a_team_needs_a_name(name, message):
    with pytest.raises(services.AccountError) as refused:
        services.create_team(name)
    assert refused.value.field == "name" and message in str(refused.value)


def test_team_names_are_unique_whatever_the_case():
    network = services.create_team("Network")
    with pytest.raises(services.AccountError) as refused:
        services.create_team("network")
    assert refused.value.field == "name" and "already exists" in str(refused.value)
    database = services.create_team("Database")
    with pytest.raises(services.AccountError):
        services.update_team(database, name="NETWORK")
    services.update_team(network, name="network", description="Renamed in place")  # itself is no clash
    assert network.name == "network"


def test_customers_cannot_be_in_a_team():
    team = services.create_team("Network", members=[make_engineer()])
    customer = make_user(name="Carla Customer")
    with pytest.raises(services.AccountError) as refused:
        services.set_team_members(team, [customer])
    assert refused.value.field == "members" and "Carla Customer" in str(refused.value)
    with pytest.raises(services.AccountError):
        services.create_team("Support", members=[customer])
    assert team_named("Support") is None


def test_setting_members_replaces_them_and_deleting_a_team_keeps_its_people():
    bo, cy, di = make_engineer(name="Bo"), make_engineer(name="Cy"), make_engineer(name="Di")
    team = services.create_team("Network", members=[bo, cy])
    services.set_team_members(team, [cy, di])
    db.session.expire_all()
    assert team.members == [cy, di]
    services.delete_team(team)
    assert team_named("Network") is None
    assert db.session.get(User, bo.id) is not None and db.session.get(User, cy.id) is not None


# -- admin pages ---------------------------------------------------------------------------------------


@pytest.fixture
def admin(login):
    user = make_admin(name="Root")
    db.session.commit()
    login(user)
    return user


@pytest.mark.parametrize("path", ["/admin/teams", "/admin/teams/new"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["customer", "engineer"])
def test_only_admins_see_or_change_teams(client, login, role):
    team = services.create_team("Network")
    login(make_engineer() if role == "engineer" else make_user())
    for path in ("/admin/teams", "/admin/teams/new", f"/admin/teams/{team.id}"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/teams/new", data={"name": "Sneaky"}).status_code == 403
    assert client.post(f"/admin/teams/{team.id}/delete").status_code == 403
    assert team_named("Sneaky") is None and team_named("Network") is not None


def test_admins_create_a_team_with_staff_ticked(client, admin):
    bo = make_engineer(name="Bo")
    make_engineer(name="Gone", active=False)
    make_user(name="Carla Customer")
    db.session.commit()
    form = client.get("/admin/teams/new").get_data(as_text=True)
    assert ">Bo</label>" in form and ">Root</label>" in form  # engineers and admins
    assert "Carla Customer" not in form and "Gone" not in form  # not customers, not inactive people
    assert 'href="/admin/teams"' in form  # the admin menu leads here

    response = client.post(
        "/admin/teams/new",
        data={"name": "Network", "description": "Routers and VPN", "members": [str(bo.id), str(admin.id)]},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/teams"
    team = team_named("Network")
    assert team.description == "Routers and VPN" and {u.id for u in team.members} == {bo.id, admin.id}
    listing = re.sub(r"\s+", " ", client.get("/admin/teams").get_data(as_text=True))
    assert "Network" in listing and "Bo, Root" in listing


def test_editing_a_team_shows_its_members_ticked_and_saves_changes(client, admin):
    bo, cy = make_engineer(name="Bo"), make_engineer(name="Cy")
    team = services.create_team("Network", members=[bo])
    services.update_user(bo, active=False)  # left the company: still shown, so they can be taken out
    db.session.commit()
    page = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert ticked(page, bo.id)
    assert "Bo (inactive)" in page

    response = client.post(
        f"/admin/teams/{team.id}", data={"name": "Networking", "description": "", "members": [str(cy.id)]}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert team.name == "Networking" and team.members == [cy]


def test_mistakes_are_shown_next_to_the_field_keeping_what_was_typed(client, admin):
    bo = make_engineer(name="Bo")
    services.create_team("Network")
    customer = make_user()
    db.session.commit()
    data = {"name": "network", "description": "Typed with care", "members": [str(bo.id)]}
    response = client.post("/admin/teams/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "already exists" in error_of(page, "name")
    assert "Typed with care" in page and ticked(page, bo.id)

    for members, message in (([str(customer.id)], "not a valid choice"), (["x"], "Invalid choice")):
        response = client.post("/admin/teams/new", data={"name": "Database", "members": members})
        assert response.status_code == 400
        assert message in error_of(response.get_data(as_text=True), "members")
    assert client.post("/admin/teams/new", data={"name": ""}).status_code == 400
    assert team_named("Database") is None
    assert client.get("/admin/teams/999999").status_code == 404


def test_admins_delete_a_team_unless_a_policy_escalates_to_it(client, admin):
    spare, used = services.create_team("Spare"), services.create_team("Network", members=[make_engineer()])
    calendar = settings.save_calendar(
        None, name="Always", timezone="UTC", hours={d: [("00:00", "24:00")] for d in WEEKDAYS}
    )
    settings.save_policy(
        None, name="Urgent", calendar=calendar, breach_actions=["reassign"], reassign_team=used
    )
    db.session.commit()

    response = client.post(f"/admin/teams/{spare.id}/delete")
    assert response.status_code == 303 and team_named("Spare") is None

    response = client.post(f"/admin/teams/{used.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "The SLA policy Urgent reassigns tickets to Network" in html.unescape(
        response.get_data(as_text=True)
    )
    assert team_named("Network") is not None
    assert client.post("/admin/teams/999999/delete").status_code == 404


# -- the queue's filter --------------------------------------------------------------------------------


def test_the_queue_filters_on_a_teams_members(client, login):
    bo, cy, di = make_engineer(name="Bo"), make_engineer(name="Cy"), make_engineer(name="Di")
    team = services.create_team("Network", members=[bo, cy])
    mine = {}
    for engineer in (bo, cy, di):
        ticket = make_ticket(subject=f"Router of {engineer.name}", now=NOW)
        tickets.assign(ticket, engineer, actor=engineer, now=NOW)
        mine[engineer.name] = ticket.id
    make_ticket(subject="Nobody's router", now=NOW)
    db.session.commit()
    login(di)
    page = client.get("/queue").get_data(as_text=True)
    assert f'<option value="team:{team.id}">Team Network</option>' in page

    response = client.get(f"/queue?assignee=team:{team.id}")
    assert response.status_code == 200
    shown = set(map(int, re.findall(r'href="/queue/tickets/(\d+)"', response.get_data(as_text=True))))
    assert shown == {mine["Bo"], mine["Cy"]}
    assert client.get("/queue?assignee=team:999999").status_code == 400  # not one of the choices
