"""Who gets what: every route of the URL map, for every role, gets exactly the outcome written down in
tests/core/access_matrix.py; a route without an entry there fails the suite.

The fixtures (tests/core/access_world.py) belong to organisation A; customer B is the stranger. The world
is built once for the module; every request runs in a savepoint that is rolled back after it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import g

from core.extensions import db
from tests.conftest import rolled_back_session
from tests.core import access_world
from tests.core.access_matrix import EXPECTATIONS, LOGIN, ROLES, Case, Ref, cases_of
from tests.security.test_headers import assert_protected

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
_PARAM = re.compile(r"<(?:[^<>]*:)?(\w+)>")
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?:\s+(?:INTO|FROM))?\s+\"?(\w+)", re.IGNORECASE)


def route_keys(app) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - SKIPPED_METHODS
    }


@pytest.fixture
def no_transaction():
    """Tells the suite's per-test transaction to stay away: the world has its own (below)."""


@pytest.fixture(scope="module")
def world(app):
    """The fixtures, built once inside a transaction that is rolled back after the module."""
    with rolled_back_session(app) as connection:
        data = access_world.build()
        db.session.commit()
        db.session.remove()
        yield World(app, connection, data)


class World:
    def __init__(self, app, connection, data: dict):
        self.app, self.connection, self.data = app, connection, data

    def client(self, role: str):
        """A fresh client signed in as `role` (a request such as POST /logout may end a session)."""
        client = self.app.test_client()
        if role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = str(self.data["user_ids"][role])
                session["_fresh"] = True
        return client

    def path(self, rule: str, case: Case) -> str:
        def fill(match: re.Match) -> str:
            name = match.group(1)
            value = case.params.get(name, name)
            return str(self.data[value] if isinstance(value, str) else value)

        return _PARAM.sub(fill, rule) + (f"?{case.query}" if case.query else "")

    def request(self, role: str, method: str, path: str, case: Case):
        """One request in a savepoint that is rolled back; returns (response, tables written)."""
        written: list[str] = []

        def watch(_conn, _cursor, statement, *_args):
            match = _WRITE.match(statement)
            if match:
                written.append(match.group(2).lower())

        headers = {}
        api = path.startswith("/api/")
        if api and role != "anonymous":
            headers["Authorization"] = f"Bearer {self.data['tokens'][role]}"
        kwargs = {"headers": headers}
        if method in ("POST", "PATCH", "PUT", "DELETE"):
            body = {k: self.data[v.key] if isinstance(v, Ref) else v for k, v in (case.body or {}).items()}
            if case.raw is not None:
                kwargs["data"] = case.raw
            elif api:
                kwargs["json"] = body
            else:
                kwargs["data"] = body
        savepoint = self.connection.begin_nested()
        sa.event.listen(self.connection, "before_cursor_execute", watch)
        try:
            g.pop("_login_user", None)
            response = self.client(role).open(path, method=method, **kwargs)
            response.get_data()  # read a streamed file, so closing it below frees it
            response.close()
        finally:
            sa.event.remove(self.connection, "before_cursor_execute", watch)
            db.session.remove()
            savepoint.rollback()
        return response, written


def describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def mismatch(expected, response, path: str) -> str | None:
    """None when the response is the expected outcome, else what differs."""
    if expected == LOGIN:
        location = urlsplit(response.headers.get("Location", ""))
        nexts = parse_qs(location.query).get("next", [])
        if response.status_code == 302 and location.path == "/login" and nexts == [path]:
            return None
        return f"expected the sign-in redirect, got {describe(response)}"
    if isinstance(expected, str):  # "303 /queue/tickets/7": a redirect to exactly this path
        status, target = expected.split(" ", 1)
        location = urlsplit(response.headers.get("Location", ""))
        if response.status_code == int(status) and location.path == target:
            return None
        return f"expected {expected}, got {describe(response)}"
    if response.status_code != expected:
        return f"expected {expected}, got {describe(response)}"
    return None


def test_every_route_has_an_expectation(app):
    """A new route fails here until someone writes down who may use it."""
    keys = route_keys(app)
    assert sorted(keys - set(EXPECTATIONS)) == [], "routes without an expectation in access_matrix.py"
    assert sorted(set(EXPECTATIONS) - keys) == [], "expectations for routes that no longer exist"


DENIED = (LOGIN, 401, 403, 404)
# Tables a refused request may still write: an API token's "last used" stamp.
BOOKKEEPING = {"api_tokens"}


@pytest.mark.parametrize(("key", "case"), cases_of(EXPECTATIONS))
def test_access(world, no_transaction, key, case):
    method, rule = key.split(" ", 1)
    problems = []
    for role in ROLES:
        expected = case.outcomes[role]
        path = world.path(rule, case)
        response, written = world.request(role, method, path, case)
        target = world.path(expected, case) if isinstance(expected, str) and " /" in expected else expected
        if (problem := mismatch(target, response, path)) is not None:
            problems.append(f"{role}: {problem}")
        elif expected in DENIED and (writes := set(written) - BOOKKEEPING):
            problems.append(f"{role}: refused but wrote to {sorted(writes)}")
        if response.status_code >= 500:
            problems.append(f"{role}: server error")
        try:
            assert_protected(response)  # every answer, refusals and redirects included
        except (AssertionError, KeyError) as missing:
            problems.append(f"{role}: security headers: {missing!r}")
    assert problems == [], f"{key} {case.label}".strip()


# -- what the allowed pages and answers contain -----------------------------------------------------


def get(world, role: str, path: str, **query):
    case = Case(outcomes={}, query="&".join(f"{k}={v}" for k, v in query.items()))
    response, _written = world.request(role, "GET", world.path(path, case), case)
    assert response.status_code == 200, (role, path, response.status_code)
    return response


def test_customers_never_see_internal_notes_or_their_files(world, no_transaction):
    secret = (access_world.INTERNAL_NOTE, access_world.INTERNAL_FILE)
    page = get(world, "customer_a", "/portal/tickets/<number>").get_data(as_text=True)
    assert access_world.PUBLIC_REPLY in page and access_world.PUBLIC_FILE in page
    assert not [text for text in secret if text in page]
    staff_page = get(world, "engineer", "/queue/tickets/<number>").get_data(as_text=True)
    assert all(text in staff_page for text in secret)

    thread = get(world, "customer_a", "/api/v1/tickets/<number>/messages").json
    assert [m["internal"] for m in thread] == [False, False]
    assert not [text for text in secret if text in str(thread)]
    assert [m["internal"] for m in get(world, "engineer", "/api/v1/tickets/<number>/messages").json] == [
        False,
        True,
        False,
    ]
    history = get(world, "customer_a", "/api/v1/tickets/<number>/history").json
    assert "noted" not in {event["kind"] for event in history}
    assert "noted" in {e["kind"] for e in get(world, "engineer", "/api/v1/tickets/<number>/history").json}


def test_customers_do_not_learn_of_articles_they_cannot_read(world, no_transaction):
    """A draft linked to a ticket stays the team's: not in the links, not in the history's events."""
    draft = access_world.DRAFT_TITLE
    assert draft not in str(get(world, "customer_a", "/api/v1/tickets/<number>/articles").json)
    assert draft not in str(get(world, "customer_a", "/api/v1/tickets/<number>/history").json)
    assert draft in str(get(world, "engineer", "/api/v1/tickets/<number>/history").json)
    for role in ("anonymous", "customer_a"):
        assert draft not in get(world, role, "/kb").get_data(as_text=True)
        assert draft not in get(world, role, "/kb", q="firmware").get_data(as_text=True)
        assert draft not in get(world, role, "/kb/suggest", subject="firmware+notes").get_data(as_text=True)
    assert draft not in str(get(world, "customer_a", "/api/v1/kb/articles").json)
    assert draft not in str(get(world, "customer_a", "/api/v1/kb/articles", status="draft").json)
    assert draft not in str(get(world, "customer_a", "/api/v1/kb/search", q="firmware").json)
    assert draft in get(world, "engineer", "/kb/manage").get_data(as_text=True)


def test_another_organisations_tickets_appear_nowhere(world, no_transaction):
    subject = access_world.SUBJECT
    for path, query in (("/portal", {}), ("/portal", {"scope": "org", "status": "all"})):
        assert subject not in get(world, "customer_b", path, **query).get_data(as_text=True)
    assert subject in get(world, "customer_a", "/portal", scope="org").get_data(as_text=True)
    for query in ({}, {"q": "blank"}, {"organisation": "org_id"}):
        filled = {k: world.data.get(v, v) for k, v in query.items()}
        assert get(world, "customer_b", "/api/v1/tickets", **filled).json["tickets"] == []
    article = get(world, "customer_b", "/kb/<ref>").get_data(as_text=True)
    assert subject not in article  # staff see the tickets linked to an article; customers do not
    assert subject in get(world, "engineer", "/kb/<ref>").get_data(as_text=True)
