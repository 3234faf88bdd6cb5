"""The log of monitoring checks on a review's time and quality, which partners keep at
regular intervals."""

from __future__ import annotations

from datetime import date

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.models.review import MonitoringEntry, MonitoringKind
from sgreviews.services import audit
from sgreviews.services.reviews.lifecycle import ReviewError, not_future


def add_monitoring_entry(
    actor: User | None,
    review: Review,
    *,
    checked_on: date,
    kind: MonitoringKind,
    note: str,
    today: date | None = None,
) -> MonitoringEntry:
    today = today or london_today()
    not_future(checked_on, "checked_on", "The date of the check", today)
    if not note.strip():
        raise ReviewError("Enter what was checked or asked, and the result", "note")
    entry = MonitoringEntry(
        review=review,
        checked_on=checked_on,
        kind=kind,
        note=note.strip(),
        actor_id=actor.id if actor else None,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        actor,
        "review",
        review.id,
        "monitoring",
        None,
        {"checked_on": checked_on, "kind": kind, "note": entry.note},
    )
    return entry
