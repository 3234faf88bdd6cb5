"""page indexes

Indexes for the key pages at national scale (issue 8; measured in
docs/performance-history.md, "Pages at national scale, 22 November 2026"):

- action (status, due_date, off_track, id): the Master Action Plan counts its RAG ratings
  over every open action; with these columns in one index the count reads the index, not
  the wide action rows.
- action (owning_agency_id, due_date, reference): the plan grouped by agency, and an
  agency's workspace, read an agency's actions already in due-date order.
- action_update (action_id, kind, created_at): the latest progress update of an action
  (RAG amber) without reading each update row.
- review (started_on): the review list's business years (min and max start date).
- review (reference): the plan grouped by review reads reviews in reference order and
  stops after the page.

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-22 03:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        # 0011's (status, due_date) widened: the plan's RAG count reads the index alone.
        batch_op.drop_index('ix_action_status_due')
        batch_op.create_index(
            'ix_action_status_due', ['status', 'due_date', 'off_track', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_action_agency_due', ['owning_agency_id', 'due_date', 'reference'], unique=False
        )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(
            'ix_action_update_action_kind_created',
            ['action_id', 'kind', 'created_at'],
            unique=False,
        )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_reference', ['reference'], unique=False)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_reference')
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.drop_index('ix_action_update_action_kind_created')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_agency_due')
        batch_op.drop_index('ix_action_status_due')
        batch_op.create_index('ix_action_status_due', ['status', 'due_date'], unique=False)
