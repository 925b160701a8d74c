"""kb full-text: the PostgreSQL search backend's documents, term statistics and state

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00.000000

Additive only: three new tables. They are created on every database so that one set of models
matches the migrations everywhere; the tsvector type and the GIN index are PostgreSQL's (SQLite gets a
text column and a plain index on a table that stays empty there: Whoosh serves search on SQLite).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import core.db


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table('kb_search_documents',
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), server_default='', nullable=False),
    sa.Column('category', sa.String(length=20), server_default='', nullable=False),
    sa.Column('product', sa.String(length=100), server_default='', nullable=False),
    sa.Column('visibility', sa.String(length=10), server_default='public', nullable=False),
    sa.Column('words', sa.Text(), server_default='', nullable=False),
    sa.Column('document', postgresql.TSVECTOR() if postgres else sa.Text(), nullable=False),
    sa.Column('spelling', sa.Text(), server_default='', nullable=False),
    sa.Column('marks', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_kb_search_documents'))
    )
    op.create_index(
        'ix_kb_search_documents_document', 'kb_search_documents', ['document'], unique=False,
        postgresql_using='gin',
    )
    if postgres:
        # Ranking reads every matching row's tsvector, once per word of the query: keep it in the row,
        # uncompressed. Out of line (TOAST), each read was a lookup and a copy; compressed, each was a
        # decompression, and together they were most of a search's time. MAIN keeps it in the row
        # unless the row passes a page; a toast_tuple_target of 4 kB leaves rows below that alone
        # (the default of 2 kB had a typical article's tsvector compressed).
        op.execute('ALTER TABLE kb_search_documents ALTER COLUMN document SET STORAGE MAIN')
        op.execute('ALTER TABLE kb_search_documents SET (toast_tuple_target = 4096)')
    op.create_table('kb_search_terms',
    sa.Column('field', sa.String(length=5), nullable=False),
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('field', 'term', name=op.f('pk_kb_search_terms'))
    )
    op.create_table('kb_search_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('built_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rebuild_requested', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('documents', sa.Integer(), server_default='0', nullable=False),
    sa.Column('terms_version', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('synonyms', sa.Text(), nullable=True),
    sa.Column('synonyms_version', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_search_state'))
    )


def downgrade():
    op.drop_table('kb_search_state')
    op.drop_table('kb_search_terms')
    op.drop_index('ix_kb_search_documents_document', table_name='kb_search_documents')
    op.drop_table('kb_search_documents')
