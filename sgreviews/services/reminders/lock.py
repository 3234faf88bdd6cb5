"""The job lock: a named lease in the database (``job_lock``) that one process holds while
it runs a job, kept alive by heartbeats, and taken over when its holder stops
heartbeating for longer than :data:`LOCK_LEASE`. A second scheduler waits on it rather
than racing the first."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Insert, Table, update
from sqlalchemy.dialects import postgresql, sqlite

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import JobLock

# The daily reminder run's lock.
LOCK_NAME = "reminders-daily"
LOCK_LEASE = timedelta(minutes=10)

LOCKS = cast(Table, JobLock.__table__)


def _insert_or_skip(table: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def acquire_lock(name: str, holder: str, now: datetime | None = None) -> bool:
    """Take the named lease if it is free or its holder stopped heartbeating."""
    now = now or utcnow()
    inserted = db.session.execute(
        _insert_or_skip(LOCKS)
        .values(name=name, holder=holder, heartbeat_at=now)
        .returning(JobLock.name)
    ).first()
    if inserted is None:
        result = db.session.execute(
            update(JobLock)
            .where(
                JobLock.name == name,
                (JobLock.holder.is_(None)) | (JobLock.heartbeat_at < now - LOCK_LEASE),
            )
            .values(holder=holder, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        taken = bool(result.rowcount)  # type: ignore[attr-defined]
    else:
        taken = True
    db.session.commit()
    return taken


def heartbeat(name: str, holder: str) -> None:
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def release_lock(name: str, holder: str) -> None:
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(holder=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
