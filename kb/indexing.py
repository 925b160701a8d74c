"""Keeping the search index in step with the database: after the commit, in batches, off the request.

How a saved article reaches the index:
1. The service that changed it adds its id to `kb_index_queue` in the same transaction: a rolled-back
   change queues nothing, a committed one is remembered even if the process dies right after.
2. After the commit (core.outbox.after_commit) the process wakes its indexing thread, which drains the
   queue in batches in its own app context; the editor's request does not wait for the index.
3. The `kb.index_pending` job drains the queue every 30 seconds anyway (`flask jobs run`), so nothing
   stays unindexed when a web worker's thread died or several processes raced for the writer's lock,
   and it rebuilds an index that is missing or that a search found unreadable.
Indexing twice is harmless (documents are replaced by id), so a crash between the Whoosh commit and the
database commit only means the article is indexed again. The PostgreSQL backend (KB_SEARCH_BACKEND)
writes its index in the same transaction as the queue rows it handled: both commit or neither does.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from core.db import utcnow
from core.extensions import db
from core.outbox import after_commit
from kb import markup, search
from kb.models import Article, ArticleStatus, IndexQueue, Synonym

BATCH = 500


def queue(article_id: int, *, now: datetime | None = None) -> None:
    """Mark an article's index entry as out of date, in the caller's transaction."""
    now = now or utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # An upsert: two editors saving the same article at once must not collide on the primary key.
    stmt = dialect.insert(IndexQueue).values(article_id=article_id, queued_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_={"queued_at": now}))
    after_commit(kick, current_app._get_current_object())


def backend() -> search.Backend:
    """The search backend the configuration chooses (KB_SEARCH_BACKEND), on this session."""
    return search.backend(current_app.config, db.session)


def publish_synonyms() -> None:
    """Hand the synonym groups to the index: a file beside Whoosh's once the transaction that changed
    them commits, PostgreSQL's state row within that transaction."""
    groups = [s.term_list for s in db.session.scalars(sa.select(Synonym).order_by(Synonym.id))]
    engine = backend()
    if engine.synonyms_after_commit:
        after_commit(engine.write_synonyms, groups)
    else:
        engine.write_synonyms(groups)


def document(article: Article) -> dict:
    """What the index keeps of an article (plain data)."""
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "body": markup.plain_text(article.body_html),
        "tags": article.tag_list,
        "language": article.language,
        "category": article.category_id or "",
        "product": article.product,
        "visibility": article.visibility,
    }


def drain(*, now: datetime | None = None, batches: int = 20) -> int:
    """Index what the queue holds, BATCH articles per index commit; commits the queue's rows it handled."""
    engine = backend()
    if not engine.is_healthy():
        return rebuild_all()
    done = 0
    for _ in range(batches):
        rows = db.session.execute(
            sa.select(IndexQueue.article_id, IndexQueue.queued_at).order_by(IndexQueue.queued_at).limit(BATCH)
        ).all()
        if not rows:
            break
        ids = [row.article_id for row in rows]
        articles = db.session.scalars(
            sa.select(Article).where(Article.id.in_(ids)).options(joinedload(Article.category))
        ).all()
        docs = [document(a) for a in articles if a.status == ArticleStatus.published]
        indexed = {doc["id"] for doc in docs}
        engine.update(docs, remove=[i for i in ids if i not in indexed])
        # A row queued again while we indexed keeps its newer time and is picked up next round.
        table = IndexQueue.__table__
        db.session.execute(
            table.delete().where(
                table.c.article_id == sa.bindparam("a"), table.c.queued_at == sa.bindparam("q")
            ),
            [{"a": row.article_id, "q": row.queued_at} for row in rows],
        )
        db.session.commit()
        done += len(rows)
    _refresh_synonyms(engine)
    return done


def rebuild_all() -> int:
    """Rebuild the whole index from the database; returns how many articles it holds."""
    engine = backend()
    started = utcnow()
    count = engine.rebuild(_published_documents())
    db.session.execute(sa.delete(IndexQueue).where(IndexQueue.queued_at <= started))
    db.session.commit()
    _refresh_synonyms(engine, force=True)
    return count


def _published_documents() -> Iterator[dict]:
    stmt = (
        sa.select(Article)
        .where(Article.status == ArticleStatus.published)
        .options(joinedload(Article.category))
        .order_by(Article.id)
        .execution_options(yield_per=BATCH)
    )
    for article in db.session.scalars(stmt):
        yield document(article)


def _refresh_synonyms(engine: search.Backend, *, force: bool = False) -> None:
    groups = [s.term_list for s in db.session.scalars(sa.select(Synonym).order_by(Synonym.id))]
    if force or groups != engine.stored_synonyms():
        engine.write_synonyms(groups)
        db.session.commit()  # PostgreSQL keeps them in its state row


# -- the per-process indexing thread ---------------------------------------------------------------

_wake = threading.Event()
_guard = threading.Lock()
_thread: threading.Thread | None = None


def kick(app: Flask) -> None:
    """Wake this process's indexing thread (started on first use); never waits for it."""
    global _thread
    if app.testing or not app.config.get("KB_INDEX_IN_BACKGROUND", True):
        return  # tests and single-shot commands leave the queue to `drain` (the job)
    with _guard:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, args=(app,), name="kb-indexer", daemon=True)
            _thread.start()
    _wake.set()


def _work(app: Flask) -> None:
    while True:
        _wake.wait()
        time.sleep(0.3)  # let a burst of saves land in one batch
        _wake.clear()
        with app.app_context():
            try:
                drain()
            except Exception:
                db.session.rollback()
                app.logger.exception("indexing the knowledge base failed; the job will retry")
            finally:
                db.session.remove()


def _after_fork() -> None:
    # A worker forked from a process that had a thread must start its own, with fresh locks.
    global _thread, _wake, _guard
    _thread, _wake, _guard = None, threading.Event(), threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
