"""the yearly report's narrative: the chair's foreword and commentary under each section

Issue 18 item 5: words the figures cannot give, written in the app beside the generated
figures, one row per (scope, business year, section key), with a version for concurrent
edits. A new table: additive.

Revision ID: 0037
Revises: 0036 (chained after the migrations merged while this was written: 0039, 0040)
Create Date: 2026-12-07 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("year_start", sa.Integer(), nullable=False),
        sa.Column("section_key", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name="fk_report_narrative_updated_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_narrative"),
        sa.UniqueConstraint(
            "scope", "year_start", "section_key", name="uq_report_narrative_section"
        ),
    )


def downgrade():
    op.drop_table("report_narrative")
