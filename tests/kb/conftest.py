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
