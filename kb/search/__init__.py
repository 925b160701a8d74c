"""Full-text search over articles, one analyser for Chinese and English, two backends.

This package is the only place that imports whoosh or jieba (DESIGN.md); it exposes one interface,
used as `from kb import search`: `search.backend(config, session)` returns the backend the
configuration chooses (KB_SEARCH_BACKEND: "whoosh", the embedded default, an index on disk; or
"postgres", the index in PostgreSQL for several machines; see backends.py), whose methods search,
update, rebuild, report health and keep the synonyms. Callers hand it plain documents and get plain
results (ids in rank order, with snippets) back. The module-level functions are the Whoosh backend's,
taking the index directory.

- Analysis (analysis.py): jieba for Chinese, folding and Porter stemming for the rest.
- Queries (plan.py, shared): a synonym list that editors keep (also a glossary between the languages)
  adds each group's other members to the query; an English word the index does not know is corrected
  against the index's own vocabulary ("did you mean") and the correction is searched too.
- Ranking: Whoosh's BM25F over title (boosted), tags and body with a coordination bonus (query.py,
  topk.py); PostgreSQL's ts_rank on a weighted tsvector times each word's idf (pg_query.py).
- A missing or unreadable index raises `IndexUnavailable`: the caller degrades and asks for a rebuild.
"""

from kb.search.analysis import warm_up
from kb.search.backends import NAMES, Backend, PostgresBackend, WhooshBackend, backend
from kb.search.index import (
    IndexUnavailable,
    document_count,
    is_healthy,
    rebuild,
    request_rebuild,
    stored_synonyms,
    update,
    write_synonyms,
)
from kb.search.plan import Hit, Options, Results
from kb.search.query import search

__all__ = [
    "NAMES",
    "Backend",
    "Hit",
    "IndexUnavailable",
    "Options",
    "PostgresBackend",
    "Results",
    "WhooshBackend",
    "backend",
    "document_count",
    "is_healthy",
    "rebuild",
    "request_rebuild",
    "search",
    "stored_synonyms",
    "update",
    "warm_up",
    "write_synonyms",
]
