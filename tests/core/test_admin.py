"""The admin pages: who may open them, users, organisations and invitations."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core import services
from core.extensions import db
from core.models import Invitation, Organisation, User
from tests.factories import make_admin, make_engineer, make_org, make_user

ADMIN_PAGES = [
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/invitations",
]


@pytest.fixture
def admin(login):
    user = make_admin(email="root@aftercare.example")
    login(user)
    return user


@pytest.fixture
def outbox(app):
    sent = app.extensions.setdefault("aftercare_sent_mail", [])
    sent.clear()
    return sent


def error_of(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    assert match, f"no error next to {field}"
    return match.group(1)


# -- who may enter --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["customer", "engineer"])
def test_customers_and_engineers_are_refused(client, login, path, role):
    login(make_engineer() if role == "engineer" else make_user())
    assert client.get(path).status_code == 403


def test_posts_are_refused_too(client, login):
    login(make_engineer())
    response = client.post("/admin/users/new", data={"email": "x@example.com", "role": "admin"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.com")) is None


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admins_see_every_page(client, admin, path):
    assert client.get(path).status_code == 200


def test_overview_links_to_every_part_with_counts(client, admin):
    make_user(org=make_org("Hengtai"))
    html = client.get("/admin").get_data(as_text=True)
    for path in ("/admin/users", "/admin/organisations", "/admin/invitations"):
        assert f'href="{path}"' in html
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert f'data-testid="count-users">{users}<' in html


def test_admin_link_in_the_header_only_for_admins(client, login, admin):
    assert 'href="/admin"' in client.get("/admin/users").get_data(as_text=True)


# -- users ----------------------------------------------------------------------------------------------


def test_user_list_searches_by_email_or_name_and_filters_by_role_and_organisation(client, admin):
    hengtai, northwind = make_org("Hengtai"), make_org("Northwind")
    make_user("zhang.min@hengtai.cn", name="张敏", org=hengtai)
    make_user("tom.baker@northwind.example", name="Tom Baker", org=northwind)
    make_engineer(email="li.wei@aftercare.example", name="Li Wei")

    def emails(**query):
        html = client.get("/admin/users", query_string=query).get_data(as_text=True)
        assert "field-error" not in html
        return set(re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', html))

    assert emails(q="BAKER") == {"tom.baker@northwind.example"}
    assert emails(q="张") == {"zhang.min@hengtai.cn"}
    assert emails(q="hengtai") == {"zhang.min@hengtai.cn"}
    assert emails(q="100%") == set()
    assert emails(role="engineer", q="aftercare.example") == {"li.wei@aftercare.example"}
    assert emails(org=str(northwind.id)) == {"tom.baker@northwind.example"}
    assert emails(org="nonsense", q="tom") == {"tom.baker@northwind.example"}
    assert len(emails()) == 4


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"},
        {"page": "-3"},
        {"org": "1" + "0" * 30},
        {"org": "-1"},
        {"role": "overlord"},
        {"q": "' OR 1=1 --"},
        {"q": "x" * 500},
    ],
)
def test_odd_list_queries_show_a_page_not_an_error(client, admin, query):
    assert client.get("/admin/users", query_string=query).status_code == 200


def test_admin_creates_a_user_whose_password_works(client, admin):
    org = make_org("Hengtai")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "Wang.Fang@hengtai.cn",
            "name": "王芳",
            "role": "customer",
            "organisation": str(org.id),
            "active": "y",
            "password": "s3cret-enough",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    user = db.session.scalar(sa.select(User).where(User.email == "wang.fang@hengtai.cn"))
    assert (user.name, user.role, user.organisation, user.active) == ("王芳", "customer", org, True)
    assert services.authenticate("wang.fang@hengtai.cn", "s3cret-enough") is user


def test_creating_a_user_with_a_taken_address_shows_the_error_and_keeps_the_input(client, admin):
    make_user("taken@example.com")
    response = client.post(
        "/admin/users/new",
        data={"email": "taken@example.com", "name": "Someone Else", "role": "engineer", "organisation": ""},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "already exists" in error_of(html, "email")
    assert 'value="Someone Else"' in html
    assert '<option selected value="engineer">' in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address", "role": "customer"}, "email"),
        ({"email": "a@example.com", "role": "overlord"}, "role"),
        ({"email": "a@example.com", "role": "customer", "organisation": "9999"}, "organisation"),
        ({"email": "a@example.com", "role": "customer", "password": "short"}, "password"),
    ],
)
def test_user_form_errors_sit_next_to_the_field(client, admin, data, field):
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert error_of(response.get_data(as_text=True), field)
    assert db.session.scalar(sa.select(User).where(User.email == "a@example.com")) is None


def test_admin_edits_role_organisation_activity_and_resets_the_password(client, admin):
    user = make_user("eng@example.com", org=make_org())
    other = make_org("Northwind")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="eng@example.com"' in page
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "email": "eng2@example.com",
            "name": "Renamed",
            "role": "engineer",
            "organisation": str(other.id),
            "password": "brand-new-pass",
        },
    )
    assert response.status_code == 303
    assert (user.email, user.name, user.role, user.organisation, user.active) == (
        "eng2@example.com",
        "Renamed",
        "engineer",
        other,
        False,  # the unticked box
    )
    services.update_user(user, active=True)
    assert services.authenticate("eng2@example.com", "brand-new-pass") is user
    assert services.authenticate("eng2@example.com", "correct horse") is None


def test_empty_password_field_keeps_the_password(client, admin):
    user = make_user("keep@example.com")
    data = {"email": user.email, "role": "customer", "organisation": str(user.organisation_id), "active": "y"}
    assert client.post(f"/admin/users/{user.id}", data={**data, "password": ""}).status_code == 303
    assert services.authenticate(user.email, "correct horse") is user


def test_changing_an_address_to_a_taken_one_changes_nothing(client, admin):
    make_user("first@example.com")
    second = make_user("second@example.com")
    response = client.post(
        f"/admin/users/{second.id}",
        data={"email": "first@example.com", "name": "New name", "role": "customer", "active": "y"},
    )
    assert response.status_code == 400
    assert "already exists" in error_of(response.get_data(as_text=True), "email")
    db.session.expire_all()
    assert (second.email, second.name) == ("second@example.com", db.session.get(User, second.id).name)
    assert second.name != "New name"


def test_admin_cannot_lock_themselves_out(client, admin):
    data = {"email": admin.email, "role": "engineer", "active": "y"}
    response = client.post(f"/admin/users/{admin.id}", data=data)
    assert response.status_code == 400
    assert "own admin rights" in error_of(response.get_data(as_text=True), "role")
    response = client.post(f"/admin/users/{admin.id}", data={**data, "role": "admin", "active": ""})
    assert response.status_code == 400
    assert admin.role == "admin" and admin.active


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404


# -- organisations --------------------------------------------------------------------------------------


def test_admin_creates_and_edits_an_organisation(client, admin):
    response = client.post(
        "/admin/organisations/new",
        data={"name": " 恒泰智能制造 ", "tier": "premium", "email_domains": "Hengtai.cn, @hengtai.com.cn"},
    )
    assert response.status_code == 303
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "恒泰智能制造"))
    assert (org.tier, org.domains) == ("premium", ["hengtai.cn", "hengtai.com.cn"])
    assert services.organisation_for_email("x@hengtai.com.cn") is org

    listing = client.get("/admin/organisations").get_data(as_text=True)
    assert "恒泰智能制造" in listing and "hengtai.cn, hengtai.com.cn" in listing

    response = client.post(
        f"/admin/organisations/{org.id}", data={"name": "Hengtai", "tier": "basic", "email_domains": ""}
    )
    assert response.status_code == 303
    assert (org.name, org.tier, org.domains) == ("Hengtai", "basic", [])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Taken", "tier": "basic"}, "name", "already exists"),
        ({"name": "", "tier": "basic"}, "name", "required"),
        ({"name": "New", "tier": "platinum"}, "tier", "Not a valid choice"),
        ({"name": "New", "tier": "basic", "email_domains": "not a domain!"}, "email_domains", "not a domain"),
        ({"name": "New", "tier": "basic", "email_domains": "qq.com"}, "email_domains", "public mail service"),
        (
            {"name": "New", "tier": "basic", "email_domains": "taken.example"},
            "email_domains",
            "belongs to Taken",
        ),
    ],
)
def test_organisation_form_errors_sit_next_to_the_field(client, admin, data, field, message):
    make_org("Taken", domains="taken.example")
    response = client.post("/admin/organisations/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in error_of(html, field)
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.name == "New")) == 0


def test_organisation_keeps_its_own_domains_when_saved_again(client, admin):
    org = make_org("Own", domains="own.example")
    response = client.post(
        f"/admin/organisations/{org.id}",
        data={"name": "Own", "tier": "standard", "email_domains": "own.example"},
    )
    assert response.status_code == 303


# -- invitations ----------------------------------------------------------------------------------------


def test_admin_invites_a_customer_who_gets_the_link_by_mail(client, admin, outbox):
    org = make_org("Northwind")
    response = client.post(
        "/admin/invitations", data={"email": "Emma@Northwind.example", "organisation": org.id}
    )
    assert response.status_code == 303
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "emma@northwind.example"))
    assert invitation.organisation is org and invitation.invited_by_id == admin.id

    [mail] = outbox
    assert mail["To"] == "emma@northwind.example" and "Northwind" in mail["Subject"]
    link = re.search(r"http://127\.0\.0\.1:5000/register\?invite=\S+", mail.get_content()).group(0)

    page = client.get("/admin/invitations").get_data(as_text=True)
    assert link in page  # shown to the admin once, to pass on by hand if the mail does not arrive
    assert "emma@northwind.example" in page and 'data-testid="invitation-row"' in page
    assert link not in client.get("/admin/invitations").get_data(as_text=True)

    client.post("/logout")
    assert client.get(link.removeprefix("http://127.0.0.1:5000")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "member@example.com"}, "email", "already exists"),
        ({"email": "nobody"}, "email", "Invalid email"),
        ({"email": "new@example.com", "organisation": ""}, "organisation", "Choose an organisation"),
    ],
)
def test_invitation_form_errors_sit_next_to_the_field(client, admin, outbox, data, field, message):
    org = make_org()
    make_user("member@example.com", org=org)
    response = client.post("/admin/invitations", data={"organisation": str(org.id), **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in error_of(html, field)
    assert f'value="{data["email"]}"' in html
    assert outbox == []


def test_pending_list_leaves_out_used_and_expired_invitations_and_revoking_works(client, admin):
    org = make_org()
    services.create_invitation("pending@example.com", org)
    used = services.check_invitation(services.create_invitation("used@example.com", org))
    services.accept_invitation(used, name="Used", password="long enough")
    revoked = services.create_invitation("revoked@example.com", org)
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "<td>pending@example.com</td>" in page and "<td>revoked@example.com</td>" in page
    assert "used@example.com" not in page

    invitation = services.check_invitation(revoked)
    response = client.post(f"/admin/invitations/{invitation.id}/revoke")
    assert response.status_code == 303
    assert "<td>revoked@example.com</td>" not in client.get("/admin/invitations").get_data(as_text=True)
    assert client.get(f"/register?invite={revoked}").status_code == 410
