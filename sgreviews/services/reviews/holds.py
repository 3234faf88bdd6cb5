"""Holds: a review paused for criminal, family-court or coroner proceedings. While a hold
is open the review's clocks stop (paused, not breached)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.models.review import HoldReason, ReviewHold
from sgreviews.services import audit
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    check_version,
    long_date,
    not_before,
    not_future,
    snapshot,
)


def place_hold(
    actor: User | None,
    review: Review,
    *,
    reason: HoldReason,
    details: str,
    started_on: date,
    expected_version: int | None = None,
    today: date | None = None,
) -> ReviewHold:
    """Put the review on hold for proceedings: its clocks stop (paused, not breached)."""
    today = today or london_today()
    check_version(review, expected_version)
    if review.active_hold is not None:
        raise ReviewError("The review is already on hold: release that hold first", "reason")
    not_future(started_on, "started_on", "The start of the hold", today)
    not_before(
        started_on,
        review.started_on,
        "started_on",
        "The hold cannot start before the review started",
    )
    before = snapshot(review)
    hold = ReviewHold(review=review, reason=reason, details=details.strip(), started_on=started_on)
    db.session.add(hold)
    db.session.flush()
    refresh_deadlines(review, today)
    after = snapshot(review)
    after["hold"] = {"reason": reason, "started_on": started_on, "details": hold.details}
    audit.record(actor, "review", review.id, "hold", before, after)
    return hold


def release_hold(
    actor: User | None,
    review: Review,
    *,
    ended_on: date,
    expected_version: int | None = None,
    today: date | None = None,
) -> ReviewHold:
    today = today or london_today()
    check_version(review, expected_version)
    hold = review.active_hold
    if hold is None:
        raise ReviewError("The review is not on hold", "ended_on")
    not_future(ended_on, "ended_on", "The date the hold ended", today)
    not_before(
        ended_on,
        hold.started_on,
        "ended_on",
        f"The hold ended on or after it started on {long_date(hold.started_on)}",
    )
    before: dict[str, Any] = {"hold": {"reason": hold.reason, "started_on": hold.started_on}}
    hold.ended_on = ended_on
    db.session.flush()
    refresh_deadlines(review, today)
    after = {"hold": {"reason": hold.reason, "started_on": hold.started_on, "ended_on": ended_on}}
    audit.record(actor, "review", review.id, "release_hold", before, after)
    return hold
