"""No open redirect: whatever `next` says, we only ever send people to a path on this site."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.factories import make_user

UNSAFE = [
    "//evil.com",
    "///evil.com",
    "https://evil.com",
    "http:evil.com",
    "https:/evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "\\/evil.com",
    "//evil.com/%2F..",
    "/\t/evil.com",
    "/\n/evil.com",
    " //evil.com",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "／／evil.com",  # fullwidth solidus
    "%2F%2Fevil.com",  # arrives decoded once: still text, not a path
    "/%2F%2Fevil.com",  # a path on this site, however it looks
    "@evil.com",
    "evil.com",
]


def leaves(response, allowed: tuple[str, ...]) -> str | None:
    """What is wrong with where this response sends the browser, or None."""
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    if response.status_code not in (302, 303):
        return f"status {response.status_code}"
    if parts.scheme or parts.netloc or not location.startswith("/") or location.startswith(("//", "/\\")):
        return f"off-site: {location!r}"
    if "\\" in location or any(ord(ch) < 32 for ch in location) or location not in allowed:
        return f"unexpected: {location!r}"
    return None


def test_signing_in_never_leaves_the_site(client):
    user = make_user()  # one account for all targets: hashing a password is the slow part
    problems = {}
    for target in UNSAFE:
        client.post("/logout")
        response = client.post(
            "/login?next=" + quote(target, safe=""),
            data={"email": user.email, "password": "correct horse", "next": target},
        )
        problem = leaves(response, ("/portal", "/%2F%2Fevil.com"))
        # Already signed in, the page itself redirects at once: the same rule.
        problem = problem or leaves(
            client.get("/login?next=" + quote(target, safe="")), ("/portal", "/%2F%2Fevil.com")
        )
        if problem:
            problems[target] = problem
    assert problems == {}


@pytest.mark.parametrize("target", UNSAFE)
def test_the_language_switch_never_leaves_the_site(client, target):
    assert leaves(client.post("/language/en", data={"next": target}), ("/", "/%2F%2Fevil.com")) is None


def test_a_local_next_is_followed_with_its_query(client):
    user = make_user()
    response = client.post(
        "/login?next=/portal/tickets/7%3Ftab%3Dfiles",
        data={"email": user.email, "password": "correct horse"},
    )
    assert response.headers["Location"] == "/portal/tickets/7?tab=files"
