"""Test fixtures: one app and schema per run, one rolled-back transaction per test (STYLE.md §8).

The suite runs on SQLite by default and on PostgreSQL with `--db=postgres` (TEST_DATABASE_URL).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from app import create_app
from core.extensions import db


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database backend for the suite; postgres needs TEST_DATABASE_URL",
    )


def database_url(config, tmp_path_factory) -> str:
    if config.getoption("--db") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            raise pytest.UsageError("--db=postgres needs TEST_DATABASE_URL")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def test_config(url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_DIR": str(tmp_path / "attachments"),
        "INDEX_DIR": str(tmp_path / "index"),
        "SERVER_NAME": "localhost",
    }


def reset_schema(app) -> None:
    """Drop everything, then build the schema the only way production does: the migrations."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()


def forget_request_globals() -> None:
    """Requests in a test share the test's app context, so `g` outlives each request: drop what
    extensions cache there per request (the signed-in user, the chosen language and time zone)."""
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


@pytest.fixture(scope="session")
def app(request, tmp_path_factory):
    url = database_url(request.config, tmp_path_factory)
    app = create_app(test_config(url, tmp_path_factory.mktemp("instance")))
    app.before_request(forget_request_globals)
    reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


class _ConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine itself and ignores `bind`: without this, every query
    ran on a pooled connection outside the test's transaction and a commit in a test or view stayed."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Every test runs inside a transaction that is rolled back; commits become savepoints."""
    if "e2e" in request.keywords or "no_transaction" in request.fixturenames:
        yield
        return
    with rolled_back_session(app):
        yield


@contextmanager
def undone_afterwards():
    """What the block commits is undone at its end: a savepoint of the test's connection (see
    `rolled_back_session`) around the session's own savepoints, for tests that run many cases."""
    db.session.commit()
    savepoint = db.session.get_bind().begin_nested()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.close()
        if savepoint.is_active:
            savepoint.rollback()


@contextmanager
def rolled_back_session(app):
    """An app and request context whose `db.session` works inside one transaction on one connection
    (yielded), rolled back at the end: commits inside become savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
        )
        try:
            with app.test_request_context():
                yield connection
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """Sign `client` in as a user (by setting the session, as Flask-Login reads it)."""

    def sign_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        # Requests share the test's app context, where Flask-Login caches the previous user on `g`.
        g.pop("_login_user", None)
        return client

    return sign_in


@pytest.fixture
def api(client):
    """A JSON client for /api/v1 with a bearer token for a user."""
    from core.services import create_api_token

    class ApiClient:
        def __init__(self, user):
            self.headers = {"Authorization": f"Bearer {create_api_token(user)}"}

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(client, method)("/api/v1" + path, headers=headers, **kwargs)

            return call

    return ApiClient


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)


@pytest.fixture
def sql_counter(app):
    """Count SQL statements run inside a `with` block (N+1 checks)."""

    class Counter:
        def __init__(self):
            self.count = 0

        def __enter__(self):
            sa.event.listen(db.engine, "before_cursor_execute", self._hit)
            return self

        def __exit__(self, *exc):
            sa.event.remove(db.engine, "before_cursor_execute", self._hit)

        def _hit(self, *args):
            self.count += 1

    return Counter
