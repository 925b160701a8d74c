"""The PostgreSQL search backend's tables (migration 0008): documents, term statistics, state.

They exist on every database so that one set of models matches the migrations everywhere; only
PostgreSQL gives `document` its tsvector type and GIN index, and only the PostgreSQL backend fills them
(on SQLite they stay empty: Whoosh serves search there).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.db import UTCDateTime
from core.extensions import db

TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")

documents = sa.Table(
    "kb_search_documents",
    db.metadata,
    # No foreign key to kb_articles, like the Whoosh index: the indexing queue removes what is gone.
    sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("slug", sa.String(120)),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # plain text, for snippets
    sa.Column("language", sa.String(5), nullable=False, server_default=""),
    sa.Column("category", sa.String(20), nullable=False, server_default=""),
    sa.Column("product", sa.String(100), nullable=False, server_default=""),
    sa.Column("visibility", sa.String(10), nullable=False, server_default="public"),
    # The analysed words (jieba segmentation, folding, stemming), space-joined: title, then tags, then
    # body. `document` holds the same words with their positions, weighted A (title), B (tags), D (body).
    sa.Column("words", sa.Text, nullable=False, server_default=""),
    sa.Column("document", TSVECTOR, nullable=False),
    sa.Column("spelling", sa.Text, nullable=False, server_default=""),  # distinct words corrections use
    # Where the body's words are ("start:end:word ..."), for snippets: a tsvector keeps no offsets.
    sa.Column("marks", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_kb_search_documents_document", "document", postgresql_using="gin"),
)

# How many documents hold each term: `index` terms weigh a match (idf), `spell` words are what a
# misspelt word is corrected to. Kept up to date by every write, under the writers' lock.
terms = sa.Table(
    "kb_search_terms",
    db.metadata,
    sa.Column("field", sa.String(5), primary_key=True),
    sa.Column("term", sa.Text, primary_key=True),
    sa.Column("documents", sa.Integer, nullable=False),
)

# One row (id 1): whether the index was ever built, a rebuild request, the synonym groups, and
# versions that let every process know when its cached synonyms or spelling words are out of date.
state = sa.Table(
    "kb_search_state",
    db.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("built_at", UTCDateTime(timezone=True)),
    sa.Column("rebuild_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("documents", sa.Integer, nullable=False, server_default="0"),
    sa.Column("terms_version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("synonyms", sa.Text),  # JSON: [[term, ...], ...]
    sa.Column("synonyms_version", sa.BigInteger, nullable=False, server_default="0"),
)
