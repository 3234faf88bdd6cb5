"""performance indexes

An index on action_finding.finding_id: the primary key (action_id, finding_id) serves
lookups by action only, so going from findings to their actions (the agency workspace's
"reviews with this agency's actions", the review page) scanned the whole table.
Measured in docs/performance-history.md ("Pages over generated data", "Changes made").

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-22 01:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_finding', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_action_finding_finding_id'), ['finding_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('action_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_finding_finding_id'))
