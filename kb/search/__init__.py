"""Full-text search over articles: a Whoosh index on disk, one analyser for Chinese and English.

This package is the only place that imports whoosh or jieba (DESIGN.md); it is split in three modules
to keep each readable (analysis, index, query) and exposes one interface, used as `from kb import search`.
It knows no database: callers hand it plain documents and get plain results (ids in rank order, with
snippets) back.

- Ranking: BM25F over title (boosted), tags and body; a document matching more of the query's words
  gets a coordination bonus.
- Beyond BM25: a synonym list that editors keep (also a glossary between the languages) adds each
  group's other members to the query; an English word the index does not know is corrected against the
  index's own vocabulary ("did you mean") and the correction is searched too.
- A missing or unreadable index raises `IndexUnavailable`: the caller degrades and asks for a rebuild.
"""

from kb.search.analysis import warm_up
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
from kb.search.query import Hit, Options, Results, search

__all__ = [
    "Hit",
    "IndexUnavailable",
    "Options",
    "Results",
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
