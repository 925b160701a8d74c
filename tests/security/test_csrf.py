"""CSRF: every state-changing page route refuses a POST without the form's token.

The REST API is exempt (app.py), and must be: it authenticates only by the Authorization header, which
a browser never adds on its own to a request another site makes it send. A cookie alone, the thing
CSRF abuses, opens nothing under /api/v1 (checked below). The survey API's credential is the token in
its path, which another site does not know either.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import csrf_token_from
from tests.factories import make_admin, make_ticket, make_user

_PARAM = re.compile(r"<(?:([^<>:]*)(?:\([^<>]*\))?:)?(\w+)>")


def fill(rule) -> str:
    """A concrete path for a rule: the CSRF check comes before the view, so any id does."""

    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        if converter.startswith("any"):
            return rule.rule[match.start() :].split("(", 1)[1].split(",", 1)[0].strip()
        return "1" if converter == "int" else "en" if name == "code" else "x"

    return _PARAM.sub(value, rule.rule)


def page_post_paths(app) -> list[str]:
    return sorted(
        fill(rule)
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    )


def test_every_page_post_without_a_token_is_refused(app, client, login, csrf_on):
    paths = page_post_paths(app)
    assert len(paths) > 60  # the whole map, not an empty list
    for who in ("anonymous", "admin"):
        if who == "admin":
            login(make_admin())
        accepted = [
            (path, r.status_code) for path in paths if (r := client.post(path, data={})).status_code != 400
        ]
        assert accepted == [], f"POSTs accepted without a CSRF token ({who})"


def test_a_wrong_or_foreign_token_is_refused_too(app, client, login, csrf_on):
    user = make_user()
    ticket = make_ticket(requester=user)
    login(user)
    path = f"/portal/tickets/{ticket.number}/replies"
    for token in ("", "nonsense", csrf_token_from(app.test_client().get("/login").get_data(as_text=True))):
        refused = client.post(path, data={"body": "Hello", "csrf_token": token})
        assert refused.status_code == 400, token
        assert "Reload the page" in refused.get_data(as_text=True)
    assert len(ticket.messages) == 1


def test_the_pages_own_token_is_accepted(client, login, csrf_on):
    user = make_user()
    ticket = make_ticket(requester=user)
    login(user)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    sent = client.post(
        f"/portal/tickets/{ticket.number}/replies",
        data={"body": "Hello", "csrf_token": csrf_token_from(page)},
    )
    assert sent.status_code == 303
    # htmx sends the same token as a header (static/js/app.js reads it from <meta name="csrf-token">).
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/language/en", headers={"X-CSRFToken": token}).status_code == 303


def test_the_api_ignores_the_session_cookie_so_it_needs_no_csrf_token(client, login, api, csrf_on):
    user = make_user()
    login(user)  # a signed-in browser session...
    body = {"subject": "Scanner offline", "body": "Since 9:00."}
    refused = client.post("/api/v1/tickets", json=body)
    assert refused.status_code == 401  # ...opens nothing in the API
    assert api(user).post("/tickets", json=body).status_code == 201  # the bearer token does


def test_every_post_form_in_the_templates_carries_the_token():
    missing = []
    for path in sorted(Path("templates").rglob("*.html")):
        text = path.read_text()
        for form in re.finditer(r"<form\b[^>]*>", text, re.IGNORECASE):
            if not re.search(r"method=[\"']?post", form.group(0), re.IGNORECASE):
                continue
            end = text.find("</form>", form.end())
            if "csrf_token" not in text[form.end() : end if end != -1 else None]:
                missing.append(f"{path}: {form.group(0)[:80]}")
    assert missing == []
