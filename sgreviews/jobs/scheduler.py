"""``sgreviews scheduler``: APScheduler 3's blocking scheduler in a process of its own.

Jobs live in memory only (APScheduler 3 cannot share a job store between processes); the
database makes them idempotent instead, so running two schedulers is safe, merely
wasteful.
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from sgreviews.clock import utcnow
from sgreviews.jobs import heartbeat_job, outbox_job, purge_staged_imports_job, reminder_run_job
from sgreviews.services.operations.heartbeat import HEARTBEAT_SECONDS
from sgreviews.services.reminders.rules import ReminderRules
from sgreviews.services.reminders.run import RunInProgress

log = logging.getLogger("sgreviews.scheduler")


def _in_app_context(app: Flask, job: Any) -> Any:
    def run() -> None:
        with app.app_context():
            try:
                result = job()
                if result is not None:
                    log.info("%s finished: %s", job.__name__, result)
            except RunInProgress as error:
                log.info("%s skipped: %s", job.__name__, error)
            except Exception:  # a failed run must not stop the scheduler
                log.exception("%s failed", job.__name__)

    run.__name__ = job.__name__
    return run


def build_scheduler(app: Flask, rules: ReminderRules) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=rules.timezone)
    started_at = utcnow()

    def scheduler_heartbeat() -> None:
        heartbeat_job(started_at)

    # First, and at once: the heartbeat says the scheduler is alive (/health/ready).
    scheduler.add_job(
        _in_app_context(app, scheduler_heartbeat),
        IntervalTrigger(seconds=HEARTBEAT_SECONDS),
        id="heartbeat",
        name="Scheduler heartbeat",
        next_run_time=utcnow(),
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        _in_app_context(app, reminder_run_job),
        CronTrigger(
            hour=rules.daily_run_time.hour,
            minute=rules.daily_run_time.minute,
            timezone=rules.timezone,
        ),
        id="daily-reminders",
        name="Daily reminder run",
        coalesce=True,
        max_instances=1,
        # A scheduler started late (after a restart) still runs today's reminders.
        misfire_grace_time=12 * 3600,
    )
    scheduler.add_job(
        _in_app_context(app, outbox_job),
        IntervalTrigger(seconds=rules.outbox_interval_seconds),
        id="outbox",
        name="Outbox delivery",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        _in_app_context(app, purge_staged_imports_job),
        IntervalTrigger(hours=1),
        id="purge-staged-imports",
        name="Delete abandoned staged imports",
        next_run_time=utcnow(),
        coalesce=True,
        max_instances=1,
    )
    # Catch up at start-up: after downtime, what was missed goes out now (once: the ledger
    # remembers what was already sent).
    scheduler.add_job(
        _in_app_context(app, reminder_run_job),
        id="catch-up",
        name="Catch-up reminder run at start-up",
        misfire_grace_time=None,
    )
    return scheduler
