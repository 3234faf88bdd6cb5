"""The scheduler's heartbeat: one row the scheduler process rewrites every
:data:`HEARTBEAT_SECONDS`. A beat older than :data:`STALE_AFTER` means no scheduler is
running: reminders are not decided and mail is not delivered."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import SchedulerHeartbeat

SCHEDULER = "scheduler"
HEARTBEAT_SECONDS = 60
# Three missed beats: a busy database or a long job may delay one beat, not three.
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _upsert(values: dict[str, Any]) -> Insert:
    """INSERT ... ON CONFLICT (name) DO UPDATE on PostgreSQL and SQLite: two schedulers
    starting at once must not fail on the row's key."""
    table = cast(Table, SchedulerHeartbeat.__table__)
    changed = {key: value for key, value in values.items() if key != "name"}
    if db.session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(table).values(**values)
        return pg.on_conflict_do_update(index_elements=["name"], set_=changed)
    lite = sqlite.insert(table).values(**values)
    return lite.on_conflict_do_update(index_elements=["name"], set_=changed)


def record_heartbeat(started_at: datetime, now: datetime | None = None) -> None:
    """The scheduler is alive (flushes; the job commits)."""
    db.session.execute(
        _upsert(
            {
                "name": SCHEDULER,
                "process": this_process(),
                "started_at": started_at,
                "beat_at": now or utcnow(),
            }
        )
    )


def last_heartbeat() -> SchedulerHeartbeat | None:
    return db.session.get(SchedulerHeartbeat, SCHEDULER)


def is_fresh(beat: SchedulerHeartbeat | None, now: datetime | None = None) -> bool:
    return beat is not None and (now or utcnow()) - beat.beat_at <= STALE_AFTER
