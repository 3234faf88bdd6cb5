"""open action month tally

The national dashboard's "open overdue actions by agency" (docs/performance-history.md,
"Dashboard at national scale, second pass"): ``open_action_month_tally``, open actions per
owning agency and month of the due date with the sum of their due dates as day numbers, kept
by ORM hooks (sgreviews/models/tally.py) and backfilled here.

Revision ID: 0013
Revises: 0014
Create Date: 2026-11-22 09:50:00

"""

from collections import Counter

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic. (Chained after 0014, which main already had.)
revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None

OPEN = ("not_started", "in_progress")


def upgrade():
    op.create_table(
        "open_action_month_tally",
        sa.Column("owning_agency_id", sa.Integer(), nullable=False),
        sa.Column("due_month", sa.String(length=7), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("due_days", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owning_agency_id"],
            ["agency.id"],
            name=op.f("fk_open_action_month_tally_owning_agency_id_agency"),
        ),
        sa.PrimaryKeyConstraint(
            "owning_agency_id", "due_month", name=op.f("pk_open_action_month_tally")
        ),
        sqlite_with_rowid=False,
    )
    _backfill(op.get_bind())
    op.execute("ANALYZE")


def _backfill(connection):
    """The same counts as sgreviews.services.actions.tallies.rebuild_action_tallies (kept here so the
    migration does not depend on the application code of the day)."""
    action = sa.table(
        "action",
        sa.column("owning_agency_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("due_date", sa.Date()),
    )
    actions, days = Counter(), Counter()
    rows = connection.execute(
        sa.select(action.c.owning_agency_id, action.c.due_date).where(action.c.status.in_(OPEN))
    )
    for agency_id, due_date in rows:
        key = (agency_id, due_date.strftime("%Y-%m"))
        actions[key] += 1
        days[key] += due_date.toordinal()
    if actions:
        tally = sa.table(
            "open_action_month_tally",
            sa.column("owning_agency_id", sa.Integer()),
            sa.column("due_month", sa.String()),
            sa.column("actions", sa.Integer()),
            sa.column("due_days", sa.BigInteger()),
        )
        connection.execute(
            sa.insert(tally),
            [
                {"owning_agency_id": a, "due_month": m, "actions": n, "due_days": days[(a, m)]}
                for (a, m), n in actions.items()
            ],
        )


def downgrade():
    op.drop_table("open_action_month_tally")
