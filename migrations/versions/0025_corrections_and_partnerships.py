"""corrections with a trail, and partnerships kept in the app

Issue 20. Evidence removed or replaced keeps its row (who, when, why); a corrected
progress note keeps its earlier texts; a review created in error is withdrawn, never
deleted; a reader's reflections on a briefing accumulate with their dates; a partnership
records its jurisdiction and go-live date. All additive and nullable.

Revision ID: 0025
Revises: 0018
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0025"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence_file") as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_evidence_file_removed_by_id_user_account",
            "user_account",
            ["removed_by_id"],
            ["id"],
        )
    with op.batch_alter_table("review") as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_review_withdrawn_by_id_user_account", "user_account", ["withdrawn_by_id"], ["id"]
        )
    with op.batch_alter_table("partnership") as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("go_live_on", sa.Date(), nullable=True))
    op.create_table(
        "action_update_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["action_update.id"],
            name="fk_action_update_revision_update_id_action_update",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["user_account.id"],
            name="fk_action_update_revision_replaced_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_action_update_revision"),
    )
    op.create_index(
        "ix_action_update_revision_update_id", "action_update_revision", ["update_id"]
    )
    op.create_table(
        "briefing_reflection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("read_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["read_id"],
            ["briefing_read.id"],
            name="fk_briefing_reflection_read_id_briefing_read",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["briefing_version.id"],
            name="fk_briefing_reflection_version_id_briefing_version",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_briefing_reflection"),
    )
    op.create_index("ix_briefing_reflection_read_id", "briefing_reflection", ["read_id"])
    # The reflections already written become each reader's first dated reflection.
    op.execute(
        "INSERT INTO briefing_reflection (read_id, version_id, text, created_at) "
        "SELECT id, version_id, reflection, read_at FROM briefing_read WHERE reflection <> ''"
    )


def downgrade():
    op.drop_index("ix_briefing_reflection_read_id", table_name="briefing_reflection")
    op.drop_table("briefing_reflection")
    op.drop_index("ix_action_update_revision_update_id", table_name="action_update_revision")
    op.drop_table("action_update_revision")
    with op.batch_alter_table("partnership") as batch_op:
        batch_op.drop_column("go_live_on")
        batch_op.drop_column("jurisdiction")
    with op.batch_alter_table("review") as batch_op:
        batch_op.drop_constraint("fk_review_withdrawn_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("evidence_file") as batch_op:
        batch_op.drop_constraint("fk_evidence_file_removed_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("removal_reason")
        batch_op.drop_column("removed_by_id")
        batch_op.drop_column("removed_at")
