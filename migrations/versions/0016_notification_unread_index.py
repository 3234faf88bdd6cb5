"""the header's unread count from an index on (user_id, read_at)

Every page's header counts the signed-in person's unread notifications. The index on
``(user_id, created_at)`` found that person's notifications but the count then read every
one of them from the table to test ``read_at``: the cost grew with everything they had
ever been sent (a year of daily overdue items is thousands). The index on
``(user_id, read_at)`` answers the count from the index alone, over the unread ones only.
Nothing used ``created_at`` in the old index, so inserts keep one index, not two.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:00:00

"""

from alembic import op


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_notification_user_created", table_name="notification")
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"])


def downgrade():
    op.drop_index("ix_notification_user_unread", table_name="notification")
    op.create_index("ix_notification_user_created", "notification", ["user_id", "created_at"])
