"""Background jobs: the scheduler process and the thin jobs it runs.

The web application never starts a scheduler (one per gunicorn worker would run every job
several times); ``sgreviews scheduler`` is its own process. Jobs are idempotent through
the database, so two schedulers at once still send each reminder once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.services.actions import staged_imports
from sgreviews.services.mail import outbox
from sgreviews.services.operations import heartbeat
from sgreviews.services.reminders.run import RunReport, run_reminders
from sgreviews.services.reminders.wiring import current_mail_settings, current_rules
from sgreviews.services.storage import current_storage


def prepare_job_database() -> None:
    """On SQLite, job transactions take the write lock when they begin, so concurrent
    processes queue for it instead of failing (no effect on PostgreSQL)."""
    db.engine.update_execution_options(sqlite_begin_immediate=True)


def reminder_run_job(today: date | None = None) -> RunReport:
    """The daily job: decide and record reminders, build digests, then try to deliver."""
    prepare_job_database()
    settings = current_app.extensions["sgreviews.settings"]
    report = run_reminders(
        today or london_today(), current_rules(), settings.base_url, dry_run=False
    )
    outbox_job()
    return report


def outbox_job() -> outbox.DeliveryResult:
    """The frequent job: deliver waiting messages and retry failed ones when due."""
    prepare_job_database()
    return outbox.deliver_due(current_mail_settings(), current_rules())


def heartbeat_job(started_at: datetime) -> None:
    """The very frequent job: the scheduler is alive (read by /health/ready and the
    reminder log)."""
    prepare_job_database()
    heartbeat.record_heartbeat(started_at)
    db.session.commit()


def purge_staged_imports_job(older_than_hours: int | None = None) -> staged_imports.PurgeReport:
    """The hourly job: delete tracker uploads whose preview was never confirmed, older than
    ``SGREVIEWS_STAGED_IMPORT_HOURS`` (or ``older_than_hours``). Touches no database."""
    settings = current_app.extensions["sgreviews.settings"]
    hours = older_than_hours or settings.storage.staged_import_hours
    return staged_imports.purge_abandoned(
        current_storage().imports, timedelta(hours=hours), utcnow()
    )
