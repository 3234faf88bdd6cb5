"""Reminders in the demo: one snoozed action, and today's reminder run, so the
notifications, the header count and the reminder log have something to show."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionSnooze, ActionStatus, Role, User
from sgreviews.services.reminders.run import run_reminders
from sgreviews.services.reminders.wiring import current_rules


def load_reminder_demo(today: date) -> None:
    """Snooze the first overdue open action, then run today's reminders (this commits).
    The digests wait in the outbox until a mail server is configured."""
    secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
    overdue = db.session.scalar(
        select(Action)
        .where(
            Action.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
            Action.due_date < today,
        )
        .order_by(Action.due_date.desc())
        .limit(1)
    )
    if overdue is not None and secretariat is not None:
        db.session.add(
            ActionSnooze(
                action_id=overdue.id,
                snoozed_until=today + timedelta(days=30),
                reason="Paused while criminal proceedings are under way (fictional demo).",
                created_by_id=secretariat.id,
            )
        )
    db.session.commit()
    settings = current_app.extensions["sgreviews.settings"]
    run_reminders(today, current_rules(), settings.base_url, lock_wait_seconds=0)
