"""indexes for the "Your work" queues

The secretariat's home page lists actions sent back and not yet resubmitted, and assured
actions without impact evidence after a configured time. Without these indexes the first
read every progress entry in the country to find the few sent-back ones (the existing
index leads with the action), and the second every assured action to order them by their
assurance (104 ms and 56 ms of the page at scale l on SQLite; 26 ms and 1 ms with them).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 06:40:00

"""

from alembic import op


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_action_update_kind_action", "action_update", ["kind", "action_id", "created_at"]
    )
    op.create_index("ix_action_status_assured", "action", ["status", "assured_at"])


def downgrade():
    op.drop_index("ix_action_status_assured", table_name="action")
    op.drop_index("ix_action_update_kind_action", table_name="action_update")
