"""mail: the outbox every outgoing mail waits in (core), the inbound log with each raw message (support)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:14:43.901816

Only the mail tables; they reference tickets, messages (from 0001) and nothing newer, so the lead can
chain this revision after 0003 without changing it.
"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=500), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), server_default='', nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('related', sa.String(length=100), server_default='', nullable=False),
    sa.Column('category', sa.String(length=40), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_mail_outbox_message_id'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_related'), ['related'], unique=False)
        batch_op.create_index('ix_mail_outbox_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('mail_inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=100), server_default='', nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('message_id', sa.String(length=500), nullable=False),
    sa.Column('dedupe_key', sa.String(length=500), nullable=True),
    sa.Column('from_email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('subject', sa.String(length=300), server_default='', nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), server_default='', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('message_row_id', sa.Integer(), nullable=True),
    sa.Column('processed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_row_id'], ['messages.id'], name=op.f('fk_mail_inbound_message_row_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_mail_inbound_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_inbound')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_mail_inbound_dedupe_key'))
    )
    with op.batch_alter_table('mail_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_inbound_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_mail_inbound_outcome_received', ['outcome', 'received_at'], unique=False)
        batch_op.create_index('ix_mail_inbound_sender_received', ['from_email', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_inbound_ticket_id'), ['ticket_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_inbound_ticket_id'))
        batch_op.drop_index('ix_mail_inbound_sender_received')
        batch_op.drop_index('ix_mail_inbound_outcome_received')
        batch_op.drop_index(batch_op.f('ix_mail_inbound_message_id'))

    op.drop_table('mail_inbound')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_status_next')
        batch_op.drop_index(batch_op.f('ix_mail_outbox_related'))

    op.drop_table('mail_outbox')
