"""Headers on every response (pages, redirects, errors, API, files) and the session cookies' flags."""

from __future__ import annotations

import pytest

from support.attachments import Upload
from tests.factories import make_engineer, make_ticket, make_user


def directives(csp: str) -> dict[str, list[str]]:
    parts = (part.split() for part in csp.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_protected(response) -> None:
    csp = directives(response.headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, "no script source policy"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts)
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("object-src", csp.get("default-src")) in (["'none'"], ["'self'"])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_kind_of_response_carries_the_security_headers(client, login, api, csrf_on):
    user = make_user()
    ticket = make_ticket(requester=user, attachments=[Upload("a.txt", b"x")])
    attachment = ticket.messages[0].attachments[0]
    anonymous = [
        client.get("/login"),  # a page
        client.get("/portal"),  # a redirect to sign in
        client.get("/no-such-page"),  # an error page
        client.post("/login", data={}),  # a CSRF refusal
        client.get("/static/css/app.css"),  # a static file
        client.get("/api/v1/openapi.json"),  # the API's document
        client.get("/api/v1/tickets"),  # an API refusal
    ]
    for response in anonymous:
        assert_protected(response)
        response.close()
    login(user)
    download = client.get(f"/attachments/{attachment.id}/a.txt")
    assert_protected(download)
    download.close()
    assert_protected(api(make_engineer()).get(f"/tickets/{ticket.number}"))


def test_the_session_cookie_is_httponly_and_samesite_and_not_secure_on_plain_http(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "correct horse"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # http://127.0.0.1 in development must still sign in


@pytest.mark.parametrize(
    ("settings", "session", "remember"),
    [
        ({"BASE_URL": "https://support.example.com"}, True, True),  # production: served over HTTPS
        ({"BASE_URL": "http://127.0.0.1:5000"}, False, False),  # `make run`
        ({"BASE_URL": "https://support.example.com", "SESSION_COOKIE_SECURE": False}, False, True),
        ({"BASE_URL": "http://intranet", "SESSION_COOKIE_SECURE": True}, True, False),  # TLS at a proxy
    ],
)
def test_cookies_are_secure_exactly_when_the_site_is_served_over_https(make_app, settings, session, remember):
    """Secure follows BASE_URL unless AFTERCARE_SESSION_COOKIE_SECURE / _REMEMBER_ say otherwise."""
    other = make_app(**settings)
    assert other.config["SESSION_COOKIE_SECURE"] is session
    assert other.config["REMEMBER_COOKIE_SECURE"] is remember
    for prefix in ("SESSION", "REMEMBER"):
        assert other.config[f"{prefix}_COOKIE_HTTPONLY"] is True
        assert other.config[f"{prefix}_COOKIE_SAMESITE"] == "Lax"


def test_an_https_site_sends_the_session_cookie_secure(make_app):
    other = make_app(BASE_URL="https://support.example.com")
    with other.app_context():
        user = make_user()
        response = other.test_client().post("/login", data={"email": user.email, "password": "correct horse"})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_an_https_site_asks_browsers_to_stay_on_https(make_app, client):
    other = make_app(BASE_URL="https://support.example.com")
    assert other.test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers  # plain-http development
