"""Forgot your password?: a mailed link that works once, for an hour, and tells nobody which addresses
have accounts."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from core.db import utcnow
from core.extensions import db
from tests.factories import make_user

NEW_PASSWORD = "blue kettle on the sill"


def link_path(mail) -> str:
    body = mail.get_payload(decode=True).decode()
    match = re.search(r"https?://\S+/password/reset/\S+", body)
    assert match, body
    return urlsplit(match.group(0)).path


def ask_for_link(client, email: str):
    return client.post("/password/forgot", data={"email": email})


def flashed(client) -> str:
    return client.get("/login").get_data(as_text=True)


def test_the_sign_in_page_links_to_the_form(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
    page = client.get("/password/forgot")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)


def test_a_known_address_gets_a_link_and_the_new_password_works(client, outbox):
    user = make_user(email="wang.fang@hengtai.example")
    response = ask_for_link(client, "Wang.Fang@hengtai.example")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "a link to choose a new password is on its way" in flashed(client)
    assert [mail["To"] for mail in outbox] == [user.email]
    path = link_path(outbox[0])

    form = client.get(path)
    assert form.status_code == 200
    assert 'name="password"' in form.get_data(as_text=True) and 'name="confirm"' in form.get_data(
        as_text=True
    )
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert "Your password was changed" in flashed(client)
    assert client.post("/login", data={"email": user.email, "password": "correct horse"}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 303


@pytest.mark.parametrize("email", ["nobody@hengtai.example", "inactive@hengtai.example"])
def test_other_addresses_get_the_same_answer_and_no_mail(client, outbox, email):
    make_user(email="inactive@hengtai.example", active=False)
    known = make_user()
    answer = ask_for_link(client, email)
    assert (answer.status_code, answer.headers["Location"]) == (303, "/login")
    message = flashed(client).replace(email, "ADDRESS")
    assert outbox == []
    ask_for_link(client, known.email)
    assert flashed(client).replace(known.email, "ADDRESS") == message


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"}, "The two passwords are not the same."),
        ({"password": "short", "confirm": "short"}, "Use at least 8 characters."),
        ({"password": "password123", "confirm": "password123"}, "too easy to guess"),
        ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, "too easy to guess"),
        ({"password": "li.wei.2024!", "confirm": "li.wei.2024!"}, "Do not use your email address"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(client, outbox, data, error):
    make_user(email="li.wei@hengtai.example")
    ask_for_link(client, "li.wei@hengtai.example")
    path = link_path(outbox[0])
    refused = client.post(path, data=data)
    assert refused.status_code == 400 and error in refused.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_a_link_works_once_and_so_do_the_links_mailed_before_it(client, outbox):
    user = make_user()
    ask_for_link(client, user.email)
    ask_for_link(client, user.email)
    first, second = (link_path(mail) for mail in outbox)
    assert client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    for used in (second, first):
        page = client.get(used)
        assert page.status_code == 410
        assert "This link was already used" in page.get_data(as_text=True)
        again = client.post(used, data={"password": "another good one", "confirm": "another good one"})
        assert again.status_code == 410
    assert 'href="/password/forgot"' in page.get_data(as_text=True)


def test_a_link_expires_after_an_hour(client, outbox):
    user = make_user()
    ask_for_link(client, user.email)
    path = link_path(outbox[0])
    with time_machine.travel(utcnow() + timedelta(minutes=59)):
        assert client.get(path).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        expired = client.get(path)
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)


@pytest.mark.parametrize("change", ["flip", "truncate", "other secret"])
def test_a_tampered_link_is_refused(client, outbox, app, change, monkeypatch):
    user = make_user()
    ask_for_link(client, user.email)
    path = link_path(outbox[0])
    if change == "flip":
        path = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    elif change == "truncate":
        path = path[:-10]
    else:
        monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    page = client.get(path)
    assert page.status_code == 404 and "This link is not valid" in page.get_data(as_text=True)


def test_a_deactivated_account_cannot_use_its_link(client, outbox):
    user = make_user()
    ask_for_link(client, user.email)
    user.active = False
    db.session.commit()
    assert client.get(link_path(outbox[0])).status_code == 410


def test_the_mail_speaks_the_accounts_language(client, outbox):
    make_user(email="zhao.lei@hengtai.example", locale="zh_Hans")
    ask_for_link(client, "zhao.lei@hengtai.example")
    body = outbox[0].get_payload(decode=True).decode()
    assert "密码" in body and "/password/reset/" in body


def test_requests_are_rate_limited_per_address_and_mails_per_account(throttled):
    user = make_user()
    client = throttled.test_client()
    outbox = throttled.extensions.setdefault("aftercare_sent_mail", [])
    for n in range(5):
        answer = client.post(
            "/password/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}
        )
        assert answer.status_code == 303
    # Three mails an hour to one address, however many people ask: no mail bombing through us.
    assert len(outbox) == 3
    for _n in range(5):
        client.post("/password/forgot", data={"email": "x@example.com"})
    assert client.post("/password/forgot", data={"email": "x@example.com"}).status_code == 429
