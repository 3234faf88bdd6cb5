"""A review's statutory deadlines, recomputed from its type's clocks, its event dates, its
holds and the working-day calendar whenever one of them changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.clocks import Pause, calendar_for, compute_deadline
from sgreviews.services.reviews.lifecycle import review_types

# Which column of a review holds the date of each clock event.
EVENT_COLUMNS: dict[str, str] = {
    "aware": "aware_on",
    "notified": "notified_on",
    "decision": "decision_on",
    "commissioned": "commissioned_on",
    "started": "started_on",
    "sent_to_panel": "sent_to_panel_on",
    "completed": "completed_on",
    "published": "published_on",
}


def refresh_deadlines(review: Review, today: date | None = None) -> None:
    """Recompute the review's stored deadlines from its type's clocks, its event dates, its
    holds and the calendar (bank holidays plus extra closure days)."""
    today = today or london_today()
    rtype = review_types().get(review.review_type)
    existing = {deadline.clock_key: deadline for deadline in review.deadlines}
    pauses = tuple(Pause(hold.started_on, hold.ended_on) for hold in review.holds)
    wanted: set[str] = set()
    for clock in rtype.clocks if rtype else ():
        start = getattr(review, EVENT_COLUMNS[clock.start_event])
        if start is None:
            continue
        wanted.add(clock.key)
        calendar = calendar_for(review.jurisdiction or clock.jurisdiction)
        computed = compute_deadline(clock, start, calendar, pauses, today)
        deadline = existing.get(clock.key)
        if deadline is None:
            deadline = ReviewDeadline(clock_key=clock.key)
            review.deadlines.append(deadline)
        deadline.name = clock.name
        deadline.start_on = start
        deadline.due_on = computed.due_on
        deadline.met_on = getattr(review, EVENT_COLUMNS[clock.met_by])
        deadline.rule = computed.rule
        deadline.calendar = computed.calendar
    for key, deadline in existing.items():
        if key not in wanted:
            review.deadlines.remove(deadline)
    db.session.flush()


def refresh_all_open_deadlines() -> int:
    """After the calendar changes: recompute every review that has deadlines."""
    reviews = db.session.scalars(
        select(Review).where(Review.id.in_(select(ReviewDeadline.review_id)))
    ).all()
    for review in reviews:
        refresh_deadlines(review)
    return len(reviews)
