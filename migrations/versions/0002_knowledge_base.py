"""knowledge base: articles, revisions, categories, feedback, search log, synonyms, index queue,
deflection, and ticket <-> article links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:06:50.605215

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kb_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_kb_categories_name'))
    )
    op.create_table('kb_index_queue',
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('queued_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_kb_index_queue'))
    )
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.String(length=100), server_default='', nullable=False),
    sa.Column('tags', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('translation_group', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('view_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_kb_articles_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['kb_categories.id'], name=op.f('fk_kb_articles_category_id_kb_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_kb_articles_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_articles_slug')),
    sa.UniqueConstraint('translation_group', 'language', name='uq_kb_articles_translation_language')
    )
    op.create_index(op.f('ix_kb_articles_category_id'), 'kb_articles', ['category_id'], unique=False)
    op.create_index(op.f('ix_kb_articles_product'), 'kb_articles', ['product'], unique=False)
    op.create_index('ix_kb_articles_status_updated', 'kb_articles', ['status', 'updated_at'], unique=False)
    op.create_index(op.f('ix_kb_articles_translation_group'), 'kb_articles', ['translation_group'], unique=False)

    op.create_table('kb_search_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('normalized', sa.String(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kb_search_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_search_log'))
    )
    op.create_index(op.f('ix_kb_search_log_created_at'), 'kb_search_log', ['created_at'], unique=False)
    op.create_index('ix_kb_search_log_hits_created', 'kb_search_log', ['hits', 'created_at'], unique=False)

    op.create_table('kb_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.String(length=500), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_kb_synonyms_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_synonyms'))
    )
    op.create_table('kb_article_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('category_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('product', sa.String(length=100), server_default='', nullable=False),
    sa.Column('tags', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=True),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_revisions_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_kb_article_revisions_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article_revisions')),
    sa.UniqueConstraint('article_id', 'number', name='uq_kb_article_revisions_number')
    )
    op.create_table('kb_deflections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('started_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened', sa.Integer(), server_default='0', nullable=False),
    sa.Column('first_article_id', sa.Integer(), nullable=True),
    sa.Column('last_opened_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ticket_number', sa.Integer(), nullable=True),
    sa.Column('filed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['first_article_id'], ['kb_articles.id'], name=op.f('fk_kb_deflections_first_article_id_kb_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kb_deflections_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_deflections')),
    sa.UniqueConstraint('token', name=op.f('uq_kb_deflections_token'))
    )
    op.create_index(op.f('ix_kb_deflections_started_at'), 'kb_deflections', ['started_at'], unique=False)

    op.create_table('kb_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('voter', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_feedback_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kb_feedback_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_feedback')),
    sa.UniqueConstraint('article_id', 'voter', name='uq_kb_feedback_voter')
    )
    op.create_index(op.f('ix_kb_feedback_article_id'), 'kb_feedback', ['article_id'], unique=False)

    op.create_table('ticket_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_ticket_articles_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ticket_articles_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_articles_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_articles')),
    sa.UniqueConstraint('ticket_id', 'article_id', 'relation', name='uq_ticket_articles_link')
    )
    op.create_index(op.f('ix_ticket_articles_article_id'), 'ticket_articles', ['article_id'], unique=False)
    op.create_index(op.f('ix_ticket_articles_ticket_id'), 'ticket_articles', ['ticket_id'], unique=False)


def downgrade():
    # Indexes go with their tables; dependants first.
    for table in (
        'ticket_articles',
        'kb_feedback',
        'kb_deflections',
        'kb_article_revisions',
        'kb_synonyms',
        'kb_search_log',
        'kb_articles',
        'kb_index_queue',
        'kb_categories',
    ):
        op.drop_table(table)
