"""On SQLite, a request that will write takes the write lock when its transaction begins.

Otherwise a read-then-write request fails at once with "database is locked" whenever another
request commits in between (SQLite refuses to upgrade a stale read snapshot, busy timeout or not).
"""

import sqlalchemy as sa

from core.db import writing


def _engine(path):
    engine = sa.create_engine(f"sqlite:///{path}?timeout=0.2")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    return engine


def _reads_then_writes_after_another_commit(engine) -> bool:
    """Whether the first connection's write succeeds after a second one committed meanwhile."""
    first = engine.connect()
    try:
        first.begin()
        first.exec_driver_sql("SELECT count(*) FROM t").all()
        try:
            with engine.begin() as second:
                second.exec_driver_sql("INSERT INTO t VALUES (2)")
        except sa.exc.OperationalError:
            pass  # the first one holds the write lock: the second waits its turn (here: gives up)
        try:
            first.exec_driver_sql("INSERT INTO t VALUES (1)")
            first.commit()
            return True
        except sa.exc.OperationalError:
            return False
    finally:
        first.close()


def test_a_posted_request_begins_as_a_writer_and_is_not_refused(app, tmp_path):
    engine = _engine(tmp_path / "a.db")
    with app.test_request_context("/portal/tickets/new", method="POST"):
        assert _reads_then_writes_after_another_commit(engine)


def test_a_get_request_reads_without_taking_the_write_lock(app, tmp_path):
    engine = _engine(tmp_path / "b.db")
    with app.test_request_context("/portal", method="GET"):
        # The deferred BEGIN lets the other writer in, so this stale reader's write is refused.
        assert not _reads_then_writes_after_another_commit(engine)


def test_get_views_that_log_searches_begin_as_writers(app, tmp_path):
    engine = _engine(tmp_path / "c.db")
    with app.test_request_context("/kb/suggest", method="GET"):
        assert _reads_then_writes_after_another_commit(engine)
    for endpoint in ("kb.index", "kb.suggest", "kb.article", "kb_api.search"):
        assert getattr(app.view_functions.get(endpoint), "writes_on_get", False), endpoint


def test_work_outside_requests_can_declare_it_writes(app, tmp_path):
    engine = _engine(tmp_path / "d.db")
    with writing():
        assert _reads_then_writes_after_another_commit(engine)
