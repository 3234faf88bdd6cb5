"""notification claims without a foreign key check per item

A digest claims each of its items by setting ``notification.digest_id``. At xl a first
reminder run claims 515,000 items, and on PostgreSQL each claim fired the foreign key's
check against ``outbox_message`` and wrote a new entry into the pending-email index:
109 s of a 160 s run (docs/performance-history.md, "3 December 2026"). Now:

- ``digest_id`` has no foreign key. The only outbox messages ever deleted are digests
  that claimed nothing, so no item can point at a deleted message; an item whose digest
  is gone would in any case count as sent, never be sent twice.
- ``ix_notification_pending_email`` (wants_email, digest_id, user_id) becomes the partial
  index ``ix_notification_unsent`` (user_id) over the unsent email items only: a claimed
  item leaves it instead of adding a second entry, and it stays as small as the backlog.
- ``ix_notification_digest_id`` covers claimed items only (``digest_id IS NOT NULL``): a
  new item adds no entry to it, and SQLite no longer reads every unsent item through it
  when looking for the people with unsent items.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 08:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

# The predicate as each dialect renders the query's ``wants_email.is_(True)``, so each
# planner sees that the query implies it.
UNSENT = {
    "postgresql_where": sa.text("wants_email IS true AND digest_id IS NULL"),
    "sqlite_where": sa.text("wants_email IS 1 AND digest_id IS NULL"),
}
CLAIMED = {
    "postgresql_where": sa.text("digest_id IS NOT NULL"),
    "sqlite_where": sa.text("digest_id IS NOT NULL"),
}


def upgrade():
    op.drop_index("ix_notification_pending_email", table_name="notification")
    op.drop_index("ix_notification_digest_id", table_name="notification")
    # SQLite cannot drop a constraint in place: batch mode copies the table.
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("fk_notification_digest_id_outbox_message", type_="foreignkey")
    op.create_index("ix_notification_unsent", "notification", ["user_id"], **UNSENT)
    op.create_index("ix_notification_digest_id", "notification", ["digest_id"], **CLAIMED)


def downgrade():
    op.drop_index("ix_notification_unsent", table_name="notification")
    op.drop_index("ix_notification_digest_id", table_name="notification")
    # Items whose digest was deleted while there was no foreign key: unlinked, as the
    # foreign key's ON DELETE SET NULL would have done.
    op.execute(
        "UPDATE notification SET digest_id = NULL WHERE digest_id IS NOT NULL AND digest_id "
        "NOT IN (SELECT id FROM outbox_message)"
    )
    with op.batch_alter_table("notification") as batch:
        batch.create_foreign_key(
            "fk_notification_digest_id_outbox_message",
            "outbox_message",
            ["digest_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(
        "ix_notification_pending_email", "notification", ["wants_email", "digest_id", "user_id"]
    )
    op.create_index("ix_notification_digest_id", "notification", ["digest_id"])
