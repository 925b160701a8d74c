"""queue indexes: one for every filter and sort of the queue, the API's ticket list and the portal

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 06:00:00.000000

Open tickets are a few percent of a desk's history, so the queue's indexes are partial ones on "not
resolved or closed" (support.queries writes the open-status filter exactly so): small, cheap to keep, and
ordered the way each sort walks them. The lists over every status (the API's default, the portal) and
over one chosen status get full indexes. Only indexes are added: on a large PostgreSQL database each
takes seconds to build, while tickets cannot be written.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('resolved', 'closed')"
SLA_ORDER = ['sla_due_at', 'priority_rank', 'id']
PARTIAL = {
    'ix_tickets_open_sla_due': SLA_ORDER,
    'ix_tickets_open_priority': ['priority_rank', 'created_at', 'id'],
    'ix_tickets_open_created': ['created_at', 'id'],
    'ix_tickets_open_updated': ['updated_at', 'id'],
    'ix_tickets_open_assignee_due': ['assignee_id', *SLA_ORDER],
    'ix_tickets_open_org_due': ['organisation_id', *SLA_ORDER],
    'ix_tickets_open_kind_due': ['kind', *SLA_ORDER],
    'ix_tickets_open_priority_due': ['priority', *SLA_ORDER],
    'ix_tickets_open_product_due': ['product', *SLA_ORDER],
}
FULL = {
    'ix_tickets_status_sla_due': ['status', *SLA_ORDER],
    'ix_tickets_priority_created': ['priority_rank', 'created_at', 'id'],
    'ix_tickets_created': ['created_at', 'id'],
    'ix_tickets_updated': ['updated_at', 'id'],
    'ix_tickets_org_updated': ['organisation_id', 'updated_at', 'id'],
    'ix_tickets_requester_updated': ['requester_id', 'updated_at', 'id'],
}


def upgrade():
    for name, columns in PARTIAL.items():
        where = sa.text(OPEN)
        op.create_index(name, 'tickets', columns, unique=False, sqlite_where=where, postgresql_where=where)
    for name, columns in FULL.items():
        op.create_index(name, 'tickets', columns, unique=False)


def downgrade():
    for name in [*FULL, *PARTIAL][::-1]:
        op.drop_index(name, table_name='tickets')
