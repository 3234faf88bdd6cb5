"""signed-off yearly reports: frozen, versioned snapshots

Issue 18 item 6: the chair signs off a yearly report; its figures and text are kept as
they were (the report's data, its rendered print documents and Markdown), with who signed
and when. A new version supersedes, never edits. Additive.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 12:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signed_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.Column("year_start", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("public_report", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("public_html", sa.Text(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name="fk_signed_report_partnership_id_partnership",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["user_account.id"], name="fk_signed_report_signed_by_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signed_report"),
        sa.UniqueConstraint("scope", "year_start", "number", name="uq_signed_report_version"),
    )
    op.create_index("ix_signed_report_partnership_id", "signed_report", ["partnership_id"])


def downgrade():
    op.drop_index("ix_signed_report_partnership_id", table_name="signed_report")
    op.drop_table("signed_report")
