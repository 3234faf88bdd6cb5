"""national reviews tabled by a partnership, and what was done

Issue 18, item 5: the yearly report says which national reviews the partnership
considered (tabled at the board or a subgroup) and what it did as a result. Additive: a
new table only, so it can be re-chained after any other revision.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "national_review_tabled",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnership.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("tabled_on", sa.Date(), nullable=False),
        sa.Column("tabled_at", sa.String(length=200), nullable=False),
        sa.Column("what_was_done", sa.Text(), nullable=False),
        sa.Column(
            "recorded_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_national_review_tabled_partnership_id", "national_review_tabled", ["partnership_id"]
    )
    op.create_index("ix_national_review_tabled_tabled_on", "national_review_tabled", ["tabled_on"])


def downgrade():
    op.drop_table("national_review_tabled")
