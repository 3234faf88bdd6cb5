"""``/health/ready``: can this instance serve, and is the work behind it running?

Three checks: the database answers; its schema is at the migrations' head (a deployment
that forgot ``sgreviews db upgrade`` serves errors); the scheduler's heartbeat is fresh
(without a scheduler reminders and mail stop silently). Each reports ``ok`` and a short
detail that never includes a connection string or an error's text (the endpoint is
public); the error itself goes to the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.services.operations.heartbeat import STALE_AFTER, is_fresh, last_heartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    facts: dict[str, str | int | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, **self.facts}


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, Check]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": {name: check.as_json() for name, check in self.checks.items()},
        }


@cache
def migration_heads(directory: str) -> tuple[str, ...]:
    """The head revisions of the migrations folder (read once: it changes with a deploy)."""
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def _migrations(directory: Path) -> Check:
    heads = migration_heads(str(directory))
    current = tuple(sorted(MigrationContext.configure(db.session.connection()).get_current_heads()))
    facts: dict[str, str | int | None] = {
        "database": ", ".join(current) or None,
        "head": ", ".join(heads),
    }
    if current == heads:
        return Check(True, "the database is at the migrations' head", facts)
    return Check(False, "the database is not at the migrations' head: run db upgrade", facts)


def _scheduler(now: datetime) -> Check:
    beat = last_heartbeat()
    limit = int(STALE_AFTER.total_seconds())
    if beat is None:
        return Check(False, "no scheduler has ever run", {"max_age_seconds": limit})
    facts: dict[str, str | int | None] = {
        "last_heartbeat": beat.beat_at.isoformat(),
        "age_seconds": int((now - beat.beat_at).total_seconds()),
        "max_age_seconds": limit,
    }
    if is_fresh(beat, now):
        return Check(True, "the scheduler is running", facts)
    return Check(False, "the scheduler's last heartbeat is too old", facts)


def check_readiness(migrations_directory: Path, now: datetime | None = None) -> Readiness:
    """Read-only; a database that fails is rolled back and reported, not raised."""
    now = now or utcnow()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("readiness: the database did not answer", exc_info=True)
        db.session.rollback()
        unknown = Check(False, "not checked: the database did not answer")
        return Readiness(
            {
                "database": Check(False, "the database did not answer"),
                "migrations": unknown,
                "scheduler": unknown,
            }
        )
    migrations = _migrations(migrations_directory)
    try:
        scheduler = _scheduler(now)
    except SQLAlchemyError:
        # A schema from before the heartbeat table (migrations behind) fails here.
        log.warning("readiness: the scheduler's heartbeat could not be read", exc_info=True)
        db.session.rollback()
        scheduler = Check(False, "not checked: the heartbeat could not be read")
    return Readiness(
        {
            "database": Check(True, "the database answered"),
            "migrations": migrations,
            "scheduler": scheduler,
        }
    )
