"""Fixtures for the knowledge-base tests: a fresh index directory per test and an article factory."""

from __future__ import annotations

import pytest

from kb import indexing, services
from tests.factories import make_engineer


@pytest.fixture
def index_dir(app, tmp_path, monkeypatch):
    """A fresh, empty index directory for this test (searches before any indexing find it missing)."""
    path = tmp_path / "index"
    monkeypatch.setitem(app.config, "INDEX_DIR", str(path))
    return path


@pytest.fixture
def editor():
    return make_engineer(name="Editor")


@pytest.fixture
def make_article(editor):
    def make(**fields):
        values = {
            "title": "Printer shows error E-42",
            "body": "Open tray 2 and remove the torn paper.",
            "language": "en",
            "status": "published",
        }
        values.update(fields)
        return services.create_article(author=values.pop("author", editor), **values)

    return make


@pytest.fixture
def drain(index_dir):
    """Run the indexing job's work now, as `flask jobs run` would after the commit."""

    def run() -> int:
        return indexing.drain()

    return run


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, app, index_dir, monkeypatch):
    """Each search backend in turn (KB_SEARCH_BACKEND): Whoosh in this test's index directory, then
    PostgreSQL inside this test's transaction, which only the --db=postgres run (CI's second run) has."""
    if request.param == "postgres":
        needs_postgres(request)
    monkeypatch.setitem(app.config, "KB_SEARCH_BACKEND", request.param)
    return request.param


def needs_postgres(request) -> None:
    if request.config.getoption("--db") != "postgres":
        pytest.skip("the PostgreSQL search backend keeps its index in the database: runs with --db=postgres")
