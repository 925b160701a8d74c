"""The PostgreSQL index: each article as a weighted tsvector of the analyser's words, term statistics,
and the state that tells searchers whether the index was built and which synonyms apply.

The tsvector is written from the analyser's own tokens (positions and weights given), not through
`to_tsvector`: PostgreSQL's parser would cut "E-42", "ERR_CONN_RESET" or "2.0" up again and knows no
Chinese words, while these are exactly the terms Whoosh indexes. It is the `simple` configuration's
job done in Python: no stemming or stop words are added by the database.

Every write runs in the caller's transaction (the indexing job commits it together with the queue
rows it handled) under one advisory lock, so two processes draining the queue take turns, as they do
for Whoosh's writer lock, and the term counts stay exact.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert

from core.db import utcnow
from kb.search.analysis import analyzer, spelling_analyzer
from kb.search.index import IndexUnavailable
from kb.search.pg_tables import documents, state, terms

WRITERS_LOCK = 0x6B625F696E646578  # "kb_index": one writer at a time, across processes
BATCH = 500
MAX_POSITION = 16383  # PostgreSQL keeps positions up to here
MAX_POSITIONS = 255  # ... and this many per word and document
MAX_TERM_BYTES = 2046  # a longer word cannot be a lexeme; nobody searches for it either
MAX_VECTOR_BYTES = 1_000_000  # a tsvector stays under 1 MB: words past that (in a huge body) are left out
FIELD_GAP = 2  # between title, tags and body, so a phrase never spans two fields

_index_analyzer = analyzer()
_spelling_analyzer = spelling_analyzer()


def quote(term: str) -> str:
    """A lexeme for tsvector or tsquery input, taken as it is (no parsing, no normalisation)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def row(doc: dict) -> dict:
    """What the documents table keeps of a document (kb.indexing.document's plain data)."""
    # PostgreSQL's text holds no NUL character: a space separates words as the NUL did.
    title, body = doc["title"].replace("\x00", " "), (doc.get("body") or "").replace("\x00", " ")
    tags = ", ".join(doc.get("tags", ())).replace("\x00", " ")
    positions: dict[str, list[str]] = {}
    words: list[str] = []
    marks: list[str] = []
    start, size = 1, 0
    for text, weight in ((title, "A"), (tags, "B"), (body, "D")):
        last = start
        for token in _index_analyzer(text, positions=True, chars=True, mode="index"):
            term = token.text
            found = positions.get(term)
            if found is None:
                length = len(term.encode())
                if length > MAX_TERM_BYTES or size + length + 8 > MAX_VECTOR_BYTES:
                    continue
                size += length + 8
                found = positions[term] = []
            words.append(term)
            if weight == "D":
                marks.append(f"{token.startchar}:{token.endchar}:{term}")
            at = min(start + token.pos, MAX_POSITION)
            last = max(last, at)
            if len(found) < MAX_POSITIONS:
                found.append(f"{at}{weight}" if weight != "D" else str(at))
                size += 2
        start = min(last + FIELD_GAP + 1, MAX_POSITION)
    spelling = sorted({t.text for t in _spelling_analyzer(" ".join([title, body, tags]))})
    return {
        "article_id": int(doc["id"]),
        "slug": doc.get("slug"),
        "title": title,
        "body": body,
        "language": doc.get("language", "") or "",
        "category": str(doc.get("category") or ""),
        "product": doc.get("product") or "",
        "visibility": doc.get("visibility", "public") or "public",
        "words": " ".join(words),
        "document": " ".join(f"{quote(t)}:{','.join(p)}" for t, p in positions.items()),
        "spelling": " ".join(spelling),
        "marks": " ".join(marks),
    }


def _terms_of(r: dict) -> Iterator[tuple[str, str]]:
    yield from (("index", t) for t in set(r["words"].split()))
    yield from (("spell", w) for w in r["spelling"].split())


_INSERT = insert(documents).values(
    {c.name: sa.bindparam(c.name) for c in documents.c if c.name != "document"}
    | {"document": sa.cast(sa.bindparam("document"), documents.c.document.type)}
)
_CHANGED = [c for c in documents.c if c.name != "article_id"]
# A row that did not change is not written again: a rebuild of an index that is up to date leaves no
# dead rows and no GIN work behind.
_UPSERT = _INSERT.on_conflict_do_update(
    index_elements=["article_id"],
    set_={c.name: _INSERT.excluded[c.name] for c in _CHANGED},
    where=sa.tuple_(*_CHANGED).is_distinct_from(sa.tuple_(*(_INSERT.excluded[c.name] for c in _CHANGED))),
)


def update(session, docs: Iterable[dict], remove: Iterable[int] = ()) -> int:
    """Add or replace `docs` and drop the ids in `remove`; returns how many were written."""
    rows = [row(doc) for doc in docs]
    ids = [r["article_id"] for r in rows]
    written = set(ids)
    gone = [int(i) for i in remove if int(i) not in written]
    _lock(session)
    counts: Counter = Counter()
    old = session.execute(
        sa.select(documents.c.words, documents.c.spelling).where(documents.c.article_id.in_(ids + gone))
    ).all()
    for words, spelling in old:
        counts.subtract(_terms_of({"words": words, "spelling": spelling}))
    for r in rows:
        counts.update(_terms_of(r))
    if gone:
        session.execute(sa.delete(documents).where(documents.c.article_id.in_(gone)))
    if rows:
        session.execute(_UPSERT, rows)
    _count_terms(session, {key: n for key, n in counts.items() if n})
    _mark(session, built=False)
    _merge_pending(session)
    return len(rows)


def rebuild(session, docs: Iterable[dict]) -> int:
    """Make the index hold exactly `docs`; searches see the old index until the caller commits."""
    _lock(session)
    # New GIN entries wait in the index's pending list and are merged in one pass at the end.
    session.execute(sa.text("SET LOCAL gin_pending_list_limit = '256MB'"))
    session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    counts: Counter = Counter()
    kept: list[int] = []
    docs = iter(docs)
    while batch := [row(doc) for doc in islice(docs, BATCH)]:
        session.execute(_UPSERT, batch)
        for r in batch:
            counts.update(_terms_of(r))
            kept.append(r["article_id"])
    kept_ids = sa.bindparam("kept", kept, type_=postgresql.ARRAY(sa.Integer))
    session.execute(sa.delete(documents).where(sa.not_(documents.c.article_id == sa.any_(kept_ids))))
    for field, term, n in session.execute(sa.select(terms.c.field, terms.c.term, terms.c.documents)):
        counts[(field, term)] -= n
    _count_terms(session, {key: n for key, n in counts.items() if n})
    _mark(session, built=True)
    _merge_pending(session)
    return len(kept)


def _merge_pending(session) -> None:
    """Move the GIN index's pending entries into the index proper now, in the writer's transaction,
    rather than have every search scan them until autovacuum does it."""
    try:
        with session.begin_nested():
            session.execute(
                sa.select(
                    sa.func.gin_clean_pending_list(sa.text("'ix_kb_search_documents_document'::regclass"))
                )
            )
    except sa.exc.DBAPIError:
        pass  # not the index's owner: autovacuum will do it


def _lock(session) -> None:
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITERS_LOCK)))


def _count_terms(session, changes: dict[tuple[str, str], int]) -> None:
    if not changes:
        return
    stmt = insert(terms).values(field=sa.bindparam("f"), term=sa.bindparam("t"), documents=sa.bindparam("n"))
    stmt = stmt.on_conflict_do_update(
        index_elements=["field", "term"], set_={"documents": terms.c.documents + stmt.excluded.documents}
    )
    session.execute(stmt, [{"f": f, "t": t, "n": n} for (f, t), n in sorted(changes.items())])
    session.execute(sa.delete(terms).where(terms.c.documents <= 0))


def _upsert_state(session, **values) -> None:
    stmt = insert(state).values(id=1, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


def _mark(session, *, built: bool) -> None:
    """Record a write: new term statistics (a new version), the document count, a finished build."""
    values = {
        "terms_version": secrets.randbits(62) + 1,
        "documents": sa.select(sa.func.count()).select_from(documents).scalar_subquery(),
    }
    if built:
        values |= {"built_at": utcnow(), "rebuild_requested": False}
    _upsert_state(session, **values)


def built_state(session):
    """The state row (built_at, rebuild_requested, documents, versions); raises IndexUnavailable when the
    index was never built."""
    found = session.execute(sa.select(state).where(state.c.id == 1)).first()
    if found is None or found.built_at is None:
        raise IndexUnavailable("the PostgreSQL search index was never built")
    return found


def current_state(session):
    """built_state, also raising IndexUnavailable when the tables cannot be read (in a savepoint)."""
    try:
        with session.begin_nested():
            return built_state(session)
    except sa.exc.SQLAlchemyError as exc:
        raise IndexUnavailable(str(exc)) from exc


def is_healthy(session) -> bool:
    try:
        return not current_state(session).rebuild_requested
    except IndexUnavailable:
        return False


def request_rebuild(session) -> None:
    """Ask the indexing job to rebuild the index (in the caller's transaction)."""
    _upsert_state(session, rebuild_requested=True)


def document_count(session) -> int:
    try:
        return current_state(session).documents
    except IndexUnavailable:
        return 0


def write_synonyms(session, groups: list[list[str]]) -> None:
    """Keep the editors' synonym groups with the index, where every machine reads them."""
    _upsert_state(
        session,
        synonyms=json.dumps(groups, ensure_ascii=False),
        synonyms_version=secrets.randbits(62) + 1,
    )


def stored_synonyms(session) -> list[list[str]] | None:
    try:
        with session.begin_nested():
            found = session.scalar(sa.select(state.c.synonyms).where(state.c.id == 1))
    except sa.exc.SQLAlchemyError:
        return None
    try:
        return json.loads(found) if found else None
    except ValueError:
        return None
