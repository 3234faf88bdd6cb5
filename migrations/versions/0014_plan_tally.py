"""plan tally

The Master Action Plan at national scale (docs/performance-history.md, "Lead's idle
measurements after every change", 22 November 2026): ``action.review_count`` (how many
reviews' findings an action answers: it is listed under each), and ``action_due_tally``,
actions and plan entries per status, off track and due date, from which the plan's RAG
summary and its number of entries are exact without reading every open action. Both are
kept by ORM hooks (sgreviews/models/plan_tally.py) and backfilled here.
``action.off_track`` is part of the key, and the hooks read its old value, so it is counted
by every write path.

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-22 09:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_count", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE action SET review_count = (SELECT COUNT(DISTINCT finding.review_id)"
        " FROM action_finding JOIN finding ON finding.id = action_finding.finding_id"
        " WHERE action_finding.action_id = action.id)"
    )
    op.create_table(
        "action_due_tally",
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "completed",
                "assured",
                "closed_not_implemented",
                "superseded",
                name="actionstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("off_track", sa.Boolean(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "status", "off_track", "due_date", name=op.f("pk_action_due_tally")
        ),
    )
    op.execute(
        "INSERT INTO action_due_tally (status, off_track, due_date, actions, entries)"
        " SELECT status, off_track, due_date, COUNT(*), COALESCE(SUM(review_count), 0)"
        " FROM action GROUP BY status, off_track, due_date"
    )
    op.execute("ANALYZE")


def downgrade():
    op.drop_table("action_due_tally")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("review_count")
