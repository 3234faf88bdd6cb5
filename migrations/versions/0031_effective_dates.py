"""effective dates of dated events (history that can be entered)

Issue 18: a progress update, a status change, an assurance, an impact assessment and an
extension (its request and its decision) take the day they took effect, kept apart from
when they were recorded. The new columns are backfilled with the UK date of the moment
each row was recorded, one UPDATE per day recorded (each day's bounds in UTC computed
here, so the backfill is the same on SQLite and PostgreSQL and GMT/BST is right).
Stage moves already carry the day entered (``stage_transition.moved_on``).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 13:00:00

"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")


def _as_utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _backfill(table: str, moment: str, target: str) -> None:
    """Set ``target`` to the UK date of ``moment`` for every row with a moment."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(f"SELECT MIN({moment}), MAX({moment}) FROM {table} WHERE {moment} IS NOT NULL")
    ).one()
    if rows[0] is None:
        return
    first = _as_utc(rows[0]).astimezone(LONDON).date()
    last = _as_utc(rows[1]).astimezone(LONDON).date()
    moment_column = sa.column(moment, sa.DateTime(timezone=True))
    target_column = sa.column(target, sa.Date())
    table_clause = sa.table(table, moment_column, target_column)
    day = first
    while day <= last:
        start = datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(UTC)
        if bind.dialect.name == "sqlite":
            # Stored as naive UTC text ("2026-12-07 10:00:00.000000").
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        bind.execute(
            table_clause.update()
            .where(moment_column >= start, moment_column < end)
            .values({target: day})
        )
        day += timedelta(days=1)


def upgrade():
    with op.batch_alter_table("action_update") as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    with op.batch_alter_table("extension_request") as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decision_effective_on", sa.Date(), nullable=True))
    _backfill("action_update", "created_at", "effective_on")
    _backfill("extension_request", "requested_at", "effective_on")
    _backfill("extension_request", "decided_at", "decision_effective_on")
    # A row whose moment is missing (none should be) takes the day of the migration.
    today = datetime.now(LONDON).date()
    for table in ("action_update", "extension_request"):
        op.execute(
            sa.table(table, sa.column("effective_on", sa.Date()))
            .update()
            .where(sa.column("effective_on").is_(None))
            .values(effective_on=today)
        )
    with op.batch_alter_table("action_update") as batch_op:
        batch_op.alter_column("effective_on", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("extension_request") as batch_op:
        batch_op.alter_column("effective_on", existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table("extension_request") as batch_op:
        batch_op.drop_column("decision_effective_on")
        batch_op.drop_column("effective_on")
    with op.batch_alter_table("action_update") as batch_op:
        batch_op.drop_column("effective_on")
