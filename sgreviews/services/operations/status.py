"""What the administrator's reminder log shows of the work behind the pages: the
scheduler's last heartbeat, the last daily reminder run (its job lock) and the outbox
(counts by state, the oldest message still waiting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import JobLock, OutboxMessage, OutboxState, ReminderLedgerEntry
from sgreviews.services.operations.heartbeat import is_fresh, last_heartbeat
from sgreviews.services.reminders.lock import LOCK_NAME

WAITING = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.RETRYING)


@dataclass(frozen=True)
class SchedulerStatus:
    # The scheduler's last heartbeat, and whether it is recent enough to be running.
    heartbeat_at: datetime | None
    heartbeat_process: str | None
    running: bool
    # The daily reminder run: when it last held its lock, and whether it holds it now.
    last_run_at: datetime | None
    run_in_progress: bool
    # The latest day for which a run recorded reminder decisions.
    last_decision_day: date | None
    # The outbox: the oldest message not yet sent, and how many wait.
    oldest_waiting_at: datetime | None
    waiting: int


def scheduler_status(now: datetime | None = None) -> SchedulerStatus:
    beat = last_heartbeat()
    lock = db.session.get(JobLock, LOCK_NAME)
    oldest, waiting = db.session.execute(
        select(func.min(OutboxMessage.created_at), func.count()).where(
            OutboxMessage.state.in_(WAITING)
        )
    ).one()
    last_day = db.session.scalar(select(func.max(ReminderLedgerEntry.run_date)))
    return SchedulerStatus(
        heartbeat_at=beat.beat_at if beat else None,
        heartbeat_process=beat.process if beat else None,
        running=is_fresh(beat, now or utcnow()),
        last_run_at=lock.heartbeat_at if lock else None,
        run_in_progress=bool(lock and lock.holder),
        last_decision_day=last_day,
        oldest_waiting_at=oldest,
        waiting=waiting,
    )
