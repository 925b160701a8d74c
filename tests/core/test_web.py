"""Behaviour every page and API response shares: error bodies, security headers, language."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po


def test_unknown_page_is_a_404_page_and_unknown_api_path_is_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and b"<html" in page.data
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and api.json["code"] == 404


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_no_template_has_inline_script_or_event_handlers():
    import re

    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogues_are_complete(language):
    """Every UI string has a translation: switching language leaves nothing behind."""
    with open("translations/messages.pot", "rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    with open(f"translations/{language}/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    ids = {m.id for m in catalogue if m.id}
    assert template <= ids, f"run `make extract-messages`: missing {sorted(template - ids)[:5]}"
    if language == "zh_Hans":
        untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
        assert untranslated == []
    # Placeholders that differ between msgid and msgstr would raise at render time.
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalogue.check()]
    assert problems == []


def test_accept_language_picks_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh-Hans"' in page.get_data(as_text=True)


def test_numbers_beyond_the_database_integer_are_404_not_500(login):
    from tests.factories import make_engineer

    client = login(make_engineer())
    assert client.get("/queue/tickets/99999999999").status_code == 404
    assert client.get("/portal/tickets/2147483648").status_code in (303, 404)


def test_nul_characters_are_dropped_from_queries_and_forms(login):
    """PostgreSQL refuses NUL in text; a fuzzer's NUL must not turn a search or a form into a 500."""
    from tests.factories import make_engineer, make_ticket

    client = login(make_engineer())
    ticket = make_ticket(subject="Disk full")
    page = client.get("/queue?q=Disk%00")
    assert page.status_code == 200 and f"/queue/tickets/{ticket.number}" in page.get_data(as_text=True)
