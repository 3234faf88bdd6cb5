"""dashboard performance

The chair's dashboard at national scale (docs/performance.md, "Dashboard at national
scale"): ``action.finished_at`` (when the action first moved to a finished status, kept
by an ORM hook on every new update, backfilled here from the updates), and indexes on
the columns the dashboard filters, groups and sorts by, so its aggregates read narrow
indexes instead of the wide tables.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-22 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

FINISHED = ('completed', 'assured', 'closed_not_implemented', 'superseded')


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
    # Backfill: the earliest update to a finished status, as the dashboard computed it.
    op.execute(
        "UPDATE action SET finished_at = ("
        " SELECT MIN(action_update.created_at) FROM action_update"
        " WHERE action_update.action_id = action.id"
        f" AND action_update.status IN {FINISHED!r})"
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(
            'ix_action_agency_status_due', ['owning_agency_id', 'status', 'due_date'], unique=False
        )
        batch_op.create_index('ix_action_status_due', ['status', 'due_date'], unique=False)
        batch_op.create_index(
            'ix_action_trend', ['created_at', 'finished_at', 'due_date'], unique=False
        )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_started_on', ['started_on'], unique=False)
        batch_op.create_index('ix_review_commissioned_on', ['commissioned_on'], unique=False)
    # Planner statistics for the new indexes. SQLite has none until ANALYZE, and without
    # them it drives the overdue-by-agency query from the status index and sorts, instead
    # of reading the agency index in order (docs/performance.md).
    op.execute('ANALYZE')


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_commissioned_on')
        batch_op.drop_index('ix_review_started_on')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_trend')
        batch_op.drop_index('ix_action_status_due')
        batch_op.drop_index('ix_action_agency_status_due')
        batch_op.drop_column('finished_at')
