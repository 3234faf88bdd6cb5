"""timescales as written, saved import mappings, historical reviews

Issue 19: an imported due date keeps its precision ("March 2027" is a month, not the 31st)
and the cell as written; a partnership's confirmed column mapping is saved for its next
tracker; a review imported from a register of past reviews is marked historical so no
reminder fires for its old deadlines. All additive.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-07 07:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0028"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("due_precision", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("due_as_written", sa.String(length=200), nullable=True))
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the review table, which
    # drops the search triggers migration 0025 put on it.
    op.add_column(
        "review", sa.Column("historical", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnership.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.UniqueConstraint("partnership_id", "header", name="uq_import_mapping_header"),
    )


def downgrade():
    op.drop_table("import_mapping")
    op.drop_column("review", "historical")
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_column("due_as_written")
        batch_op.drop_column("due_precision")
