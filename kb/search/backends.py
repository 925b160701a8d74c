"""The two search backends behind one interface, and the choice between them (KB_SEARCH_BACKEND).

- "whoosh" (the default): an index on disk beside the application, for the embedded, one-machine setup.
- "postgres": the index in PostgreSQL (pg_index.py, pg_query.py), for several machines sharing one
  database; needs a PostgreSQL DATABASE_URL.

Both analyse text alike (analysis.py), expand queries alike (plan.py) and answer with the same Results;
the rest of kb talks to a backend only through the methods below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from kb.search import index, pg_index, pg_query, query
from kb.search.plan import Options, Results

NAMES = ("whoosh", "postgres")


class Backend(Protocol):
    name: str
    # Whether synonyms are written after the commit (a file outside the database) or in the transaction.
    synonyms_after_commit: bool

    def search(
        self,
        text: str,
        *,
        public_only: bool = True,
        language: str | None = None,
        category: str | int | None = None,
        product: str | None = None,
        page: int = 1,
        per_page: int = 10,
        options: Options | None = None,
    ) -> Results:
        """Articles matching `text`, best first; raises IndexUnavailable when the index cannot answer."""

    def update(self, docs: Iterable[dict], remove: Iterable[int] = ()) -> int:
        """Add or replace `docs`, drop the ids in `remove`; returns how many were written."""

    def rebuild(self, docs: Iterable[dict]) -> int:
        """Replace the whole index with `docs`; searches see the old one until it is done."""

    def is_healthy(self) -> bool:
        """Whether the index can answer and nobody asked for a rebuild."""

    def request_rebuild(self) -> None: ...

    def document_count(self) -> int: ...

    def write_synonyms(self, groups: list[list[str]]) -> None: ...

    def stored_synonyms(self) -> list[list[str]] | None: ...


class WhooshBackend:
    name = "whoosh"
    synonyms_after_commit = True

    def __init__(self, index_dir: str | Path):
        self.index_dir = index_dir

    def search(self, text: str, **kwargs) -> Results:
        return query.search(self.index_dir, text, **kwargs)

    def update(self, docs: Iterable[dict], remove: Iterable[int] = ()) -> int:
        return index.update(self.index_dir, docs, remove)

    def rebuild(self, docs: Iterable[dict]) -> int:
        return index.rebuild(self.index_dir, docs)

    def is_healthy(self) -> bool:
        return index.is_healthy(self.index_dir)

    def request_rebuild(self) -> None:
        index.request_rebuild(self.index_dir)

    def document_count(self) -> int:
        return index.document_count(self.index_dir)

    def write_synonyms(self, groups: list[list[str]]) -> None:
        index.write_synonyms(self.index_dir, groups)

    def stored_synonyms(self) -> list[list[str]] | None:
        return index.stored_synonyms(self.index_dir)


class PostgresBackend:
    """Reads and writes through `session` (a SQLAlchemy session): writes join its transaction."""

    name = "postgres"
    synonyms_after_commit = False

    def __init__(self, session):
        self.session = session

    def search(self, text: str, **kwargs) -> Results:
        return pg_query.search(self.session, text, **kwargs)

    def update(self, docs: Iterable[dict], remove: Iterable[int] = ()) -> int:
        return pg_index.update(self.session, docs, remove)

    def rebuild(self, docs: Iterable[dict]) -> int:
        return pg_index.rebuild(self.session, docs)

    def is_healthy(self) -> bool:
        return pg_index.is_healthy(self.session)

    def request_rebuild(self) -> None:
        pg_index.request_rebuild(self.session)

    def document_count(self) -> int:
        return pg_index.document_count(self.session)

    def write_synonyms(self, groups: list[list[str]]) -> None:
        pg_index.write_synonyms(self.session, groups)

    def stored_synonyms(self) -> list[list[str]] | None:
        return pg_index.stored_synonyms(self.session)


def backend(config: Mapping, session=None) -> Backend:
    """The backend `config` chooses (KB_SEARCH_BACKEND); the PostgreSQL one works through `session`."""
    if config.get("KB_SEARCH_BACKEND", "whoosh") == "postgres":
        return PostgresBackend(session)
    return WhooshBackend(config["INDEX_DIR"])
