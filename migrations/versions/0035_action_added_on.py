"""the day an action joined the plan (history that can be entered)

Issue 18: figures as at a date count an action from the day it joined the plan, which a
person entering a past year sets, not from when it was recorded. Backfilled with the UK
date each action was recorded (one UPDATE per day, each day's bounds in UTC computed
here, as in 0031).

On SQLite making the column NOT NULL copies the action table (a batch), which drops the
search triggers of 0025: their definitions are read first and created again after.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 13:45:00

"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")


def _as_utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _triggers():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    return [
        sql
        for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'action'"
        )
    ]


def _restore(triggers):
    for sql in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {sql.split()[2]}")
        op.execute(sql)


def _backfill():
    bind = op.get_bind()
    first, last = bind.execute(sa.text("SELECT MIN(created_at), MAX(created_at) FROM action")).one()
    if first is None:
        return
    moment = sa.column("created_at", sa.DateTime(timezone=True))
    added = sa.column("added_on", sa.Date())
    action = sa.table("action", moment, added)
    day = _as_utc(first).astimezone(LONDON).date()
    end_day = _as_utc(last).astimezone(LONDON).date()
    while day <= end_day:
        start = datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(UTC)
        if bind.dialect.name == "sqlite":
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        bind.execute(action.update().where(moment >= start, moment < end).values(added_on=day))
        day += timedelta(days=1)
    # A row without a recorded moment (none should exist) takes the migration's day.
    bind.execute(
        action.update().where(added.is_(None)).values(added_on=datetime.now(LONDON).date())
    )


def upgrade():
    triggers = _triggers()
    op.add_column("action", sa.Column("added_on", sa.Date(), nullable=True))
    _backfill()
    with op.batch_alter_table("action") as batch_op:
        batch_op.alter_column("added_on", existing_type=sa.Date(), nullable=False)
    _restore(triggers)


def downgrade():
    triggers = _triggers()
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_column("added_on")
    _restore(triggers)
