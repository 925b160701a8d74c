"""The index on disk: opening, writing in batches, rebuilding, health, and the synonym file beside it."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F
from whoosh.writing import CLEAR

from kb.search.analysis import schema
from kb.search.plan import SynonymTable
from kb.search.plan import synonym_table as build_synonym_table

# Bump when the schema or the analyser changes: an index of another version reads as missing and is rebuilt.
INDEX_NAME = "kb4"
REBUILD_MARKER = "REBUILD_REQUESTED"
SYNONYMS_FILE = "synonyms.json"
# Postings a rebuild keeps in memory before it sorts them through temporary files (Whoosh's estimate;
# about 150 bytes each): 10,000 articles fit, and spilling them cost a fifth of the rebuild.
REBUILD_MB = 512


class IndexUnavailable(Exception):
    """The index is missing or cannot be read; search should degrade until it is rebuilt."""


def _storage(path: Path) -> FileStorage:
    # No mmap: a segment file truncated or replaced under a reader would kill the process with SIGBUS
    # instead of raising an error that search can degrade on.
    return FileStorage(str(path), supports_mmap=False)


def _open(index_dir: str | Path, *, create: bool = False):
    path = Path(index_dir)
    if path.is_dir() and whoosh_index.exists(_storage(path), indexname=INDEX_NAME):
        return _storage(path).open_index(INDEX_NAME)
    if not create:
        raise IndexUnavailable(f"no search index in {path}")
    path.mkdir(parents=True, exist_ok=True)
    return _storage(path).create_index(schema(), indexname=INDEX_NAME)


def _fields(doc: dict) -> dict:
    words = " ".join([doc["title"], doc.get("body", ""), " ".join(doc.get("tags", ()))])
    return {
        "id": str(doc["id"]),
        "slug": doc.get("slug"),
        "title": doc["title"],
        "body": doc.get("body", ""),
        "tags": ", ".join(doc.get("tags", ())),
        "spell": words,
        "language": doc.get("language", ""),
        "category": str(doc.get("category") or ""),
        "product": doc.get("product") or "",
        "visibility": doc.get("visibility", "public"),
    }


def update(index_dir: str | Path, docs: Iterable[dict] = (), remove: Iterable[int] = ()) -> int:
    """Add or replace `docs` and drop the ids in `remove`, in one commit; returns how many were written.

    Waits up to ten seconds for another process's writer; raises IndexUnavailable when the index
    cannot be opened (the caller rebuilds it).
    """
    try:
        ix = _open(index_dir, create=True)
        writer = ix.writer(timeout=10.0)
    except IndexUnavailable:
        raise
    except Exception as exc:
        raise IndexUnavailable(str(exc)) from exc
    written = 0
    try:
        for article_id in remove:
            writer.delete_by_term("id", str(article_id))
        for doc in docs:
            writer.update_document(**_fields(doc))
            written += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    forget_searchers()
    return written


def rebuild(index_dir: str | Path, docs: Iterable[dict]) -> int:
    """Replace the whole index with `docs`; readers see the old index until the new one is committed."""
    path = Path(index_dir)
    try:
        ix = _open(path)
        writer = ix.writer(timeout=30.0, limitmb=REBUILD_MB)
    except Exception:
        # Missing, unreadable or of an older version: start from nothing.
        ix = _open_fresh(path)
        writer = ix.writer(timeout=30.0, limitmb=REBUILD_MB)
    _remember_lengths(writer)
    count = 0
    try:
        for doc in docs:
            writer.add_document(**_fields(doc))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=CLEAR)
    with contextlib.suppress(FileNotFoundError):
        (path / REBUILD_MARKER).unlink()
    forget_searchers()
    return count


def _remember_lengths(writer) -> None:
    """Have the writer read each document's field lengths once while it writes the postings.

    For every posting it writes, Whoosh looks up the document's field length (for the term's length
    statistics) with a read from the new segment's file; a segment of 10,000 articles has millions of
    postings and only tens of thousands of lengths.
    """
    open_reader = writer.per_document_reader

    def per_document_reader():
        return _LengthMemo(open_reader())

    writer.per_document_reader = per_document_reader


class _LengthMemo:
    def __init__(self, reader):
        self._reader = reader
        self._fields: dict[str, dict[int, int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        known = self._fields.get(fieldname)
        if known is None:
            known = self._fields[fieldname] = {}
        try:
            return known[docnum]
        except KeyError:
            found = known[docnum] = self._reader.doc_field_length(docnum, fieldname, default)
            return found

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


def _open_fresh(path: Path):
    path.mkdir(parents=True, exist_ok=True)
    for child in path.iterdir():
        if child.name.startswith(f"_{INDEX_NAME}_") or child.name.startswith(f"{INDEX_NAME}_"):
            with contextlib.suppress(OSError):
                child.unlink()
    return _storage(path).create_index(schema(), indexname=INDEX_NAME)


def request_rebuild(index_dir: str | Path) -> None:
    """Leave a mark for the indexing job (any process) that the index must be rebuilt."""
    with contextlib.suppress(OSError):
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        (Path(index_dir) / REBUILD_MARKER).touch()


def is_healthy(index_dir: str | Path) -> bool:
    """Whether the index exists, opens and answers a query, and nobody asked for a rebuild."""
    if (Path(index_dir) / REBUILD_MARKER).exists():
        return False
    try:
        ix = _open(index_dir)
        with ix.searcher() as searcher:
            searcher.search(Q.Every(), limit=1)
            for stored in searcher.all_stored_fields():
                stored.get("id")
                break
    except Exception:
        return False
    return True


def document_count(index_dir: str | Path) -> int:
    try:
        return _open(index_dir).doc_count()
    except Exception:
        return 0


# -- synonyms --------------------------------------------------------------------------------------


def write_synonyms(index_dir: str | Path, groups: list[list[str]]) -> None:
    """Keep the editors' synonym groups beside the index, where every process reads them."""
    path = Path(index_dir)
    path.mkdir(parents=True, exist_ok=True)
    tmp = path / f".{SYNONYMS_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(groups, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path / SYNONYMS_FILE)


def stored_synonyms(index_dir: str | Path) -> list[list[str]] | None:
    try:
        return json.loads((Path(index_dir) / SYNONYMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


_synonyms: dict[str, SynonymTable] = {}


def synonym_table(index_dir: str | Path) -> SynonymTable:
    """The synonym file's groups, read again only when the file changed."""
    path = Path(index_dir) / SYNONYMS_FILE
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return SynonymTable()
    cached = _synonyms.get(str(path))
    if cached is not None and cached.version == mtime:
        return cached
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        groups = []
    table = _synonyms[str(path)] = build_synonym_table(groups, version=mtime)
    return table


# -- searchers -----------------------------------------------------------------------------------

_local = threading.local()


def searcher_for(index_dir: str | Path):
    """A searcher per thread and index, refreshed when another writer committed."""
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
        # Searchers hold open files. A threaded server runs each request on a new thread: close that
        # thread's searchers when it ends instead of leaving the files to the garbage collector.
        weakref.finalize(threading.current_thread(), _close_all, cache)
    key = str(index_dir)
    searcher = cache.get(key)
    if searcher is None:
        searcher = _open(index_dir).searcher(weighting=_Weighting(B=0.75, K1=1.2, title_B=0.3, tags_B=0.3))
    else:
        fresh = searcher.refresh()  # a new searcher when the index changed; the old one stays open
        if fresh is not searcher:
            with contextlib.suppress(Exception):
                searcher.close()
        searcher = fresh
    cache[key] = searcher
    return searcher


class _Weighting(BM25F):
    """BM25F that reads a document's field length once per reader: Whoosh reads it from the segment
    file again for every posting it scores, and that was most of the cost of scoring."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if hasattr(scorer, "dfl"):  # an unscorable field's scorer has none
            scorer.dfl = _field_lengths(searcher, fieldname)
        return scorer


def _field_lengths(searcher, fieldname: str):
    """The length lookup Whoosh's scorer uses (`searcher.doc_field_length(docnum, fieldname, 1)`),
    remembered for the reader's life: a new reader comes with a changed index."""
    known = searcher.reader().__dict__.setdefault("_kb_lengths", {}).setdefault(fieldname, {})
    read = searcher.doc_field_length

    def length(docnum: int):
        try:
            return known[docnum]
        except KeyError:
            found = known[docnum] = read(docnum, fieldname, 1)
            return found

    return length


def _close_all(cache: dict) -> None:
    for searcher in cache.values():
        with contextlib.suppress(Exception):
            searcher.close()
    cache.clear()


def forget_searchers() -> None:
    _close_all(getattr(_local, "searchers", {}))
