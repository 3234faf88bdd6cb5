"""A review's statutory deadlines, recomputed from its type's clocks, its event dates, its
holds and the working-day calendar whenever one of them changes.

A clock's event is one of the review's dated columns (``EVENT_COLUMNS``) or a stage move
(``stage:<key>``: the date of the latest recorded move into that stage). Its calendar is
the nation chosen by :func:`sgreviews.services.clocks.clock_jurisdiction`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import ReviewDeadline
from sgreviews.review_types import stage_of_event
from sgreviews.services.clocks import (
    Calendar,
    Pause,
    calendar_for,
    clock_jurisdiction,
    compute_deadline,
)
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


def event_date(review: Review, event: str) -> date | None:
    """The date of a clock event on this review (None: not recorded yet)."""
    stage = stage_of_event(event)
    if stage is None:
        value: date | None = getattr(review, EVENT_COLUMNS[event])
        return value
    moves = [move.moved_on for move in review.transitions if move.to_stage == stage]
    return max(moves) if moves else None


def refresh_deadlines(review: Review, today: date | None = None) -> None:
    """Recompute the review's stored deadlines from its type's clocks, its event dates, its
    holds and the calendar (bank holidays plus extra closure days)."""
    today = today or london_today()
    rtype = review_types().get(review.review_type)
    existing = {deadline.clock_key: deadline for deadline in review.deadlines}
    pauses = tuple(Pause(hold.started_on, hold.ended_on) for hold in review.holds)
    wanted: set[str] = set()
    calendars: dict[str, Calendar] = {}
    for clock in rtype.clocks if rtype else ():
        start = event_date(review, clock.start_event)
        if start is None:
            continue
        wanted.add(clock.key)
        place = clock_jurisdiction(
            review.jurisdiction, review.partnership.jurisdiction, clock.jurisdiction
        )
        if place not in calendars:
            calendars[place] = calendar_for(place)
        calendar = calendars[place]
        computed = compute_deadline(clock, start, calendar, pauses, today)
        # Read before a new row joins the session (a stage event loads the moves).
        met_on = event_date(review, clock.met_by)
        deadline = existing.get(clock.key)
        if deadline is None:
            deadline = ReviewDeadline(clock_key=clock.key)
            review.deadlines.append(deadline)
        deadline.name = clock.name
        deadline.start_on = start
        deadline.due_on = computed.due_on
        deadline.met_on = met_on
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


def refresh_partnership_deadlines(partnership_id: int) -> int:
    """After a partnership's nation changes: recompute its reviews that have deadlines."""
    reviews = db.session.scalars(
        select(Review).where(
            Review.partnership_id == partnership_id,
            Review.id.in_(select(ReviewDeadline.review_id)),
        )
    ).all()
    for review in reviews:
        refresh_deadlines(review)
    return len(reviews)
