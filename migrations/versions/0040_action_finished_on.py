"""the monthly trend counts actions by the days things took effect

Issue 18: a year entered as history had an empty monthly trend, because the trend and its
national tally counted an action from when it was typed in (``created_at``) and as finished
from when its finishing update was typed in (``finished_at``). They now count from the day
it joined the plan (``added_on``) and the day its first finishing update took effect
(``finished_on``, from ``action_update.effective_on``). ``finished_at`` is replaced, its
index rebuilt on the new columns, and the month tally recounted.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 16:10:00

"""

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from alembic import op


revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

# ActionStatus values in FINISHED_STATUSES when this migration was written.
FINISHING = "('completed', 'assured', 'closed_not_implemented', 'superseded')"


def _day(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _recount_months(connection, added_column, finished_column):
    """The month tally (as ``tallies.rebuild_action_tallies`` counts it), kept here so the
    migration does not depend on the application code of the day."""
    connection.execute(sa.text("DELETE FROM action_month_tally"))
    months = Counter()
    rows = connection.execute(
        sa.text(f"SELECT {added_column}, {finished_column}, due_date FROM action")
    )
    for added, finished, due in rows:
        if finished is not None and not isinstance(finished, date):
            finished = _day(finished)
        if isinstance(finished, datetime):
            finished = finished.astimezone(timezone.utc).date()
        added, due = _day(added), _day(due)
        if isinstance(added, datetime):
            added = added.astimezone(timezone.utc).date()
        months[
            (
                added.strftime("%Y-%m"),
                finished.strftime("%Y-%m") if finished is not None else "",
                (due + timedelta(days=1)).strftime("%Y-%m"),
            )
        ] += 1
    if months:
        connection.execute(
            sa.text(
                "INSERT INTO action_month_tally (created_month, finished_month, due_month, actions)"
                " VALUES (:c, :f, :d, :n)"
            ),
            [{"c": c, "f": f, "d": d, "n": n} for (c, f, d), n in months.items()],
        )


def upgrade():
    op.drop_index("ix_action_trend", table_name="action")
    op.add_column("action", sa.Column("finished_on", sa.Date(), nullable=True))
    # Only the actions that have a finishing update, so the others' rows are not rewritten.
    finishing = (
        "FROM action_update WHERE action_update.action_id = action.id"
        f" AND action_update.status IN {FINISHING}"
    )
    op.execute(
        f"UPDATE action SET finished_on = (SELECT MIN(action_update.effective_on) {finishing})"
        f" WHERE EXISTS (SELECT 1 {finishing})"
    )
    # A plain DROP COLUMN (SQLite 3.35+), never a batch copy: the action table's search
    # triggers (migration 0025) must survive.
    op.drop_column("action", "finished_at")
    op.create_index("ix_action_trend", "action", ["added_on", "finished_on", "due_date"])
    _recount_months(op.get_bind(), "added_on", "finished_on")


def downgrade():
    op.drop_index("ix_action_trend", table_name="action")
    op.add_column("action", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, finished_on FROM action WHERE finished_on IS NOT NULL")
    ).all()
    if rows:
        connection.execute(
            sa.text("UPDATE action SET finished_at = :at WHERE id = :id"),
            [
                {"id": row[0], "at": datetime.combine(_day(row[1]), time(), tzinfo=timezone.utc)}
                for row in rows
            ],
        )
    op.drop_column("action", "finished_on")
    op.create_index("ix_action_trend", "action", ["created_at", "finished_at", "due_date"])
    _recount_months(connection, "created_at", "finished_at")
