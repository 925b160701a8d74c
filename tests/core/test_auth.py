"""Signing in and out, joining by invitation or company address, language and personal settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import create_app
from core import services
from core.extensions import db, limiter
from core.models import User
from tests.conftest import forget_request_globals
from tests.factories import make_admin, make_engineer, make_org, make_user

PASSWORD = "correct horse"


@pytest.fixture
def outbox(app):
    """The mails sent (after commit) during the test, as core.mail records them without a server."""
    sent = app.extensions.setdefault("aftercare_sent_mail", [])
    sent.clear()
    return sent


def session_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def link_in(mail, pattern: str) -> str:
    match = re.search(pattern, mail.get_content())
    assert match, mail.get_content()
    return match.group(0)


# -- signing in ----------------------------------------------------------------------------------------


def test_login_page_posts_back_to_itself_keeping_next(client):
    page = client.get("/login?next=/portal/tickets/7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/login?next=/portal/tickets/7"' in html
    assert 'name="email"' in html and 'name="password"' in html


@pytest.mark.parametrize(
    ("role", "home"), [("customer", "/portal"), ("engineer", "/queue"), ("admin", "/queue")]
)
def test_login_redirects_to_home_of_the_role(client, role, home):
    user = make_user(role=role, org=make_org() if role == "customer" else None)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == home
    assert session_user_id(client) == str(user.id)
    assert user.last_login_at is not None


def test_login_follows_a_local_next(client):
    user = make_user()
    response = client.post(
        "/login?next=/portal/tickets/7?tab=history", data={"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal/tickets/7?tab=history"


def test_login_next_from_the_hidden_field_wins(client):
    user = make_user()
    response = client.post(
        "/login?next=/portal", data={"email": user.email, "password": PASSWORD, "next": "/portal/tickets/3"}
    )
    assert response.headers["Location"] == "/portal/tickets/3"


@pytest.mark.parametrize(
    "unsafe",
    [
        "//evil.com",
        "https://evil.com",
        "http:evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "/\t/evil.com",
        "/\n/evil.com",
        "evil.com",
    ],
)
def test_login_ignores_an_unsafe_next(client, unsafe):
    user = make_user()
    page = client.get("/login", query_string={"next": unsafe})
    assert page.status_code == 200
    response = client.post(
        "/login", query_string={"next": unsafe}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal"
    response = client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": unsafe})
    assert response.headers["Location"] == "/portal"


def test_wrong_password_shows_error_next_to_the_field_and_keeps_the_email(client):
    user = make_user("li.na@example.com")
    response = client.post("/login", data={"email": "li.na@example.com", "password": "wrong password"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="password-error"[^>]*>Wrong email address or password', html)
    assert 'value="li.na@example.com"' in html
    assert session_user_id(client) is None
    assert user.last_login_at is None


def test_unknown_address_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/login", data={"email": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "Wrong email address or password" in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client):
    user = make_user(active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This account is not active" in response.get_data(as_text=True)
    assert session_user_id(client) is None
    # A wrong password does not reveal that the account exists.
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert "not active" not in response.get_data(as_text=True)


def test_deactivated_user_loses_the_session(client, login):
    user = make_user()
    login(user)
    services.update_user(user, active=False)
    db.session.commit()
    assert client.get("/profile").status_code == 302


def test_signed_in_user_visiting_login_goes_home(client, login):
    login(make_engineer())
    response = client.get("/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/queue"


def test_sign_out_is_a_post(client, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert session_user_id(client) is not None
    response = client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert session_user_id(client) is None


@pytest.fixture
def throttled(app):
    """A second app on the same database with the limiter on (the suite's app runs without it)."""
    was_enabled = limiter.enabled
    config = {
        key: app.config[key]
        for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "WTF_CSRF_ENABLED", "SERVER_NAME")
    }
    throttled_app = create_app({**config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "5 per minute"})
    throttled_app.before_request(forget_request_globals)
    try:
        with throttled_app.app_context():
            yield throttled_app
    finally:
        # Limiter is one object shared by every app in the process: switch it back off for the suite.
        limiter.enabled = was_enabled


def test_login_throttling_locks_after_a_handful_of_failures_from_one_address(throttled):
    user = make_user()
    client = throttled.test_client()
    wrong = {"email": user.email, "password": "guess guess"}
    for _attempt in range(5):
        assert client.post("/login", data=wrong).status_code == 400
    locked = client.post("/login", data=wrong)
    assert locked.status_code == 429
    assert "Wait a minute" in locked.get_data(as_text=True)
    # Even the right password waits now: that is what makes guessing slow.
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    # Another address is not affected, and reading the page is never throttled.
    other = throttled.test_client()
    response = other.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert response.status_code == 303
    assert client.get("/login").status_code == 200


def test_successful_logins_do_not_use_up_the_allowance(throttled):
    user = make_user()
    client = throttled.test_client()
    for _attempt in range(8):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
        client.post("/logout")


# -- language and settings ------------------------------------------------------------------------------


def test_language_switcher_sets_the_session_language(client):
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    response = client.post("/language/zh_Hans", data={"next": "/login?next=/portal"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/portal"
    assert '<html lang="zh-Hans">' in client.get("/login").get_data(as_text=True)
    client.post("/language/en", data={"next": "https://evil.com"})
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_language_switcher_saves_the_choice_on_the_account(client, login):
    user = make_user(locale="en")
    login(user)
    client.post("/language/zh_Hans", data={"next": "/profile"})
    assert user.locale == "zh_Hans"
    assert '<html lang="zh-Hans">' in client.get("/profile").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language/klingon")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_language_chosen_before_signing_in_becomes_the_accounts(client):
    user = make_user()
    client.post("/language/zh_Hans")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert user.locale == "zh_Hans"


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-Hans">' in page.get_data(as_text=True)


def test_profile_saves_name_language_and_time_zone(client, login):
    user = make_user()
    login(user)
    page = client.get("/profile")
    assert page.status_code == 200 and 'value="Asia/Shanghai"' in page.get_data(as_text=True)
    response = client.post(
        "/profile", data={"name": "Li Na", "locale": "zh_Hans", "timezone": " Europe/Berlin "}
    )
    assert response.status_code == 303
    assert (user.name, user.locale, user.timezone) == ("Li Na", "zh_Hans", "Europe/Berlin")


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "CST+8", "../../etc/passwd", ""])
def test_profile_refuses_an_unknown_time_zone_keeping_the_input(client, login, timezone):
    user = make_user(timezone="Asia/Shanghai")
    login(user)
    response = client.post("/profile", data={"name": "Li Na", "locale": "en", "timezone": timezone})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="timezone-error"' in html
    assert 'value="Li Na"' in html
    assert user.timezone == "Asia/Shanghai"


def test_profile_needs_a_signed_in_user(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# -- joining by invitation --------------------------------------------------------------------------------


def test_invited_customer_joins_the_organisation_and_is_signed_in(client, outbox):
    org = make_org("Hengtai")
    token = services.create_invitation("Zhang.Min@hengtai.cn", org, invited_by=make_admin())
    page = client.get(f"/register?invite={token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="zhang.min@hengtai.cn" readonly' in html
    assert "Hengtai" in html
    # A field named email is not read: the invitation decides the address.
    response = client.post(
        f"/register?invite={token}",
        data={"name": "张敏", "password": "long enough", "email": "someone@else.example"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal"
    user = db.session.scalar(sa.select(User).where(User.email == "zhang.min@hengtai.cn"))
    assert user.active and user.organisation is org and user.role == "customer" and user.name == "张敏"
    assert session_user_id(client) == str(user.id)
    assert db.session.scalar(sa.select(User).where(User.email == "someone@else.example")) is None


def test_invitation_form_errors_keep_the_input(client):
    token = services.create_invitation("new@hengtai.cn", make_org())
    response = client.post(f"/register?invite={token}", data={"name": "Wang Fang", "password": "short"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="password-error"[^>]*>Use at least 8 characters', html)
    assert 'value="Wang Fang"' in html
    assert services.find_invitation(token) is not None


def test_used_invitation_is_refused(client):
    token = services.create_invitation("new@hengtai.cn", make_org())
    client.post(f"/register?invite={token}", data={"name": "Wang Fang", "password": "long enough"})
    client.post("/logout")
    for response in (
        client.get(f"/register?invite={token}"),
        client.post(f"/register?invite={token}", data={"name": "Intruder", "password": "long enough"}),
    ):
        assert response.status_code == 410
        assert "already been used" in response.get_data(as_text=True)
    assert session_user_id(client) is None


def test_expired_invitation_is_refused(client):
    long_ago = datetime.now(UTC) - timedelta(days=15)
    token = services.create_invitation("late@hengtai.cn", make_org(), now=long_ago)
    response = client.get(f"/register?invite={token}")
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)


def test_unknown_invitation_is_refused(client):
    response = client.get("/register?invite=made-up")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_accepting_twice_at_once_creates_one_account():
    invitation_token = services.create_invitation("twice@hengtai.cn", make_org())
    invitation = services.check_invitation(invitation_token)
    services.accept_invitation(invitation, name="A", password="long enough")
    with pytest.raises(services.AccountError):
        services.accept_invitation(invitation, name="B", password="long enough")


# -- joining with a company address -----------------------------------------------------------------------


def test_company_address_registers_inactive_and_the_mailed_link_activates(client, outbox):
    org = make_org("Northwind", domains="northwind.example")
    response = client.post(
        "/register",
        data={"email": "Tom.Baker@Northwind.example", "name": "Tom Baker", "password": "long enough"},
    )
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == "tom.baker@northwind.example"))
    assert user.organisation is org and not user.active
    assert "We sent a link to tom.baker@northwind.example" in client.get("/login").get_data(as_text=True)

    # Not before the address is confirmed.
    response = client.post("/login", data={"email": user.email, "password": "long enough"})
    assert response.status_code == 400

    [mail] = outbox
    assert mail["To"] == "tom.baker@northwind.example"
    link = link_in(mail, r"http://127\.0\.0\.1:5000/register/confirm/\S+")
    response = client.get(link.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal"
    assert user.active
    assert session_user_id(client) == str(user.id)

    # The link does not sign anyone in a second time.
    client.post("/logout")
    response = client.get(link.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert session_user_id(client) is None
    assert client.post("/login", data={"email": user.email, "password": "long enough"}).status_code == 303


def test_confirmation_link_expires_after_two_days_and_a_new_one_can_be_sent(client, outbox):
    make_org(domains="northwind.example")
    client.post(
        "/register", data={"email": "emma@northwind.example", "name": "Emma", "password": "long enough"}
    )
    path = link_in(outbox[0], r"/register/confirm/\S+")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2, minutes=1)):
        response = client.get(path)
        assert response.status_code == 410
        html = response.get_data(as_text=True)
        assert "expired" in html and f'action="{path}/resend"' in html
        response = client.post(f"{path}/resend")
        assert response.status_code == 303
        assert len(outbox) == 2 and outbox[1]["To"] == "emma@northwind.example"
        assert client.get(link_in(outbox[1], r"/register/confirm/\S+")).status_code == 303
    assert db.session.scalar(sa.select(User.active).where(User.email == "emma@northwind.example"))


def test_tampered_confirmation_link_is_refused(client, outbox):
    make_org(domains="northwind.example")
    client.post(
        "/register", data={"email": "eve@northwind.example", "name": "Eve", "password": "long enough"}
    )
    path = link_in(outbox[0], r"/register/confirm/\S+")
    response = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_old_link_does_not_reactivate_a_deactivated_account(client, outbox):
    make_org(domains="northwind.example")
    client.post("/register", data={"email": "ex@northwind.example", "name": "Ex", "password": "long enough"})
    path = link_in(outbox[0], r"/register/confirm/\S+")
    client.get(path)
    client.post("/logout")
    user = db.session.scalar(sa.select(User).where(User.email == "ex@northwind.example"))
    services.update_user(user, active=False)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert not user.active


def test_address_outside_every_organisation_is_told_to_ask_for_an_invitation(client, outbox):
    make_org(domains="northwind.example")
    response = client.post(
        "/register", data={"email": "someone@gmail.com", "name": "Someone", "password": "long enough"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="email-error"[^>]*>[^<]*Ask your administrator for an invitation', html)
    assert 'value="someone@gmail.com"' in html and 'value="Someone"' in html
    assert outbox == []


def test_registering_an_address_twice_is_refused(client, outbox):
    org = make_org(domains="northwind.example")
    make_user("taken@northwind.example", org=org)
    response = client.post(
        "/register", data={"email": "taken@northwind.example", "name": "Again", "password": "long enough"}
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert outbox == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "a@northwind.example", "name": "A", "password": "1234567"}, "password"),
        ({"email": "not an address", "name": "A", "password": "long enough"}, "email"),
        ({"email": "a@northwind.example", "name": "", "password": "long enough"}, "name"),
    ],
)
def test_registration_form_errors_sit_next_to_the_field(client, data, field):
    make_org(domains="northwind.example")
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == data["email"])) == 0
