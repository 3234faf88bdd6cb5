"""submissions of a review to external bodies, as records

Issue 22, item 6: each submission (to the national Panel, Ofsted, the Home Office quality
assurance panel, the Care Inspectorate, Welsh Government...) is a row with the date sent,
what was sent, the reply and its date, its own reply clock, and a link to the earlier
submission it resubmits. Additive: a new table only.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("review.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("body_key", sa.String(length=60), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("what_was_sent", sa.Text(), nullable=False),
        sa.Column("reply_within", sa.Integer(), nullable=False),
        sa.Column("reply_unit", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction", sa.String(length=3), nullable=False),
        sa.Column("reply_due_on", sa.Date(), nullable=False),
        sa.Column("reply_on", sa.Date(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column(
            "resubmission_of_id",
            sa.Integer(),
            sa.ForeignKey("review_submission.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_review_submission_review_id", "review_submission", ["review_id"])
    op.create_index("ix_review_submission_reply_due_on", "review_submission", ["reply_due_on"])
    op.create_index(
        "ix_review_submission_resubmission_of_id", "review_submission", ["resubmission_of_id"]
    )


def downgrade():
    op.drop_table("review_submission")
