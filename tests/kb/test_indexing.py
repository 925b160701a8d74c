"""The index follows the database after the commit, through the queue; `flask kb reindex` rebuilds it;
a missing or corrupt index degrades search to a plain database match and is rebuilt by the job.

The tests that take `search_backend` run with each backend (KB_SEARCH_BACKEND; PostgreSQL in the
--db=postgres run); the corrupt files are Whoosh's, PostgreSQL's counterparts are in test_pg_backend.py."""

from __future__ import annotations

import gc

import pytest

from core import jobs
from core.extensions import db
from kb import indexing, queries, search, services
from kb.jobs import index_pending
from kb.models import IndexQueue
from tests.factories import make_user


def _ids(found):
    return [hit.id for hit in found.hits]


def test_an_article_is_searchable_once_the_queue_is_drained_after_commit(
    search_backend, make_article, drain, editor
):
    article = make_article(title="EdgeVPN connection drops every hour", body="Set the keepalive to 20 s.")
    db.session.commit()
    assert queries.search_articles("keepalive", viewer=editor).degraded  # no index yet: the database answers
    assert drain() == 1
    found = queries.search_articles("keepalive", viewer=editor)
    assert not found.degraded and _ids(found) == [article.id]
    assert db.session.query(IndexQueue).count() == 0


def test_a_rolled_back_save_queues_nothing(search_backend, make_article, drain):
    drain()
    make_article()
    db.session.rollback()
    assert db.session.query(IndexQueue).count() == 0


def test_unpublished_or_internal_articles_leave_customer_results(search_backend, make_article, drain, editor):
    article = make_article(title="Reset your password", body="Use the forgot password link.")
    db.session.commit()
    drain()
    customer = make_user()
    assert _ids(queries.search_articles("password", viewer=customer)) == [article.id]
    # Made internal and committed, not yet re-indexed: the database check already hides it.
    services.update_article(article, editor=editor, visibility="internal")
    db.session.commit()
    assert _ids(queries.search_articles("password", viewer=customer)) == []
    assert _ids(queries.search_articles("password", viewer=editor)) == [article.id]
    services.update_article(article, editor=editor, status="archived")
    db.session.commit()
    drain()
    assert _ids(queries.search_articles("password", viewer=editor)) == []


def test_the_job_is_registered_and_safe_to_run_twice(search_backend, app, make_article, index_dir):
    assert "kb.index_pending" in [job.id for job in jobs.collect(app.config["JOB_MODULES"])]
    make_article()
    db.session.commit()
    assert index_pending(None) >= 1
    assert index_pending(None) == 0


def test_reindex_command_rebuilds_from_the_database(search_backend, app, make_article, index_dir):
    for n in range(3):
        make_article(title=f"Article number {n}", body=f"Body {n} about printers.")
    make_article(title="A draft", status="draft")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["kb", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 3 articles" in result.output and f"{search_backend} backend" in result.output
    assert indexing.backend().document_count() == 3
    assert db.session.query(IndexQueue).count() == 0


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_corrupt_index_degrades_search_and_the_job_rebuilds_it(client, make_article, drain, index_dir):
    article = make_article(title="Printer offline", body="Check the network cable.")
    db.session.commit()
    drain()
    for path in index_dir.iterdir():
        if path.is_file() and not path.name.endswith(".json"):
            path.write_bytes(b"\x00not an index" * 50)
    page = client.get("/kb?q=printer")
    assert page.status_code == 200
    assert "Printer offline" in page.text and "being rebuilt" in page.text
    response = client.get("/api/v1/kb/search?q=printer")  # no token: still a clean 401, never a 500
    assert response.status_code == 401
    assert not search.is_healthy(index_dir)
    drain()  # the job notices and rebuilds
    assert search.is_healthy(index_dir)
    found = queries.search_articles("printer", viewer=None)
    assert not found.degraded and _ids(found) == [article.id]
    gc.collect()


def test_synonyms_reach_search_after_the_commit(search_backend, make_article, drain, editor):
    article = make_article(title="打印机脱机无法打印", body="检查网线。", language="zh")
    db.session.commit()
    drain()
    assert _ids(queries.search_articles("printer offline", viewer=editor)) == []
    services.save_synonyms(None, "打印机, printer", editor=editor)
    services.save_synonyms(None, "脱机, offline", editor=editor)
    db.session.commit()
    assert _ids(queries.search_articles("printer offline", viewer=editor)) == [article.id]
    assert indexing.backend().stored_synonyms() == [["打印机", "printer"], ["脱机", "offline"]]


def test_the_background_thread_is_not_started_in_tests(app):
    indexing.kick(app)
    assert indexing._thread is None
