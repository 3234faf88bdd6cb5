"""Statutory timeliness: deadlines falling due in the period, met on time, met late,
missed or still running, and the list of breaches."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.history.event_dates import deadline_met_by_sql, hold_active_on_sql


@dataclass(frozen=True)
class TimelinessRow:
    review_type: str
    clock_key: str
    clock_name: str
    due: int
    met_on_time: int
    met_late: int
    overdue: int
    running: int

    @property
    def decided(self) -> int:
        return self.met_on_time + self.met_late + self.overdue

    @property
    def share_on_time(self) -> float | None:
        """Met on time as a share of the deadlines already met or missed."""
        return round(100 * self.met_on_time / self.decided) if self.decided else None


def timeliness(filters: Filters) -> list[TimelinessRow]:
    """Statutory deadlines falling due in the period, per review type and clock: met on
    time, met late, missed and still open (overdue), and still running (not yet due, or
    paused by a hold), as at the period's end (today, within the current period): a
    deadline met after that day counts as it stood then."""
    period, day = filters.period, filters.as_at
    met = deadline_met_by_sql(day)
    met_on_time = and_(met, ReviewDeadline.met_on <= ReviewDeadline.due_on)
    met_late = and_(met, ReviewDeadline.met_on > ReviewDeadline.due_on)
    unmet = ~met
    on_hold = hold_active_on_sql(day)
    overdue = and_(unmet, ReviewDeadline.due_on < day, ~on_hold)
    running = and_(unmet, or_(ReviewDeadline.due_on >= day, on_hold))
    clauses = [
        Review.counted,
        ReviewDeadline.due_on >= period.start,
        ReviewDeadline.due_on <= period.end,
    ]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    rows = db.session.execute(
        select(
            Review.review_type,
            ReviewDeadline.clock_key,
            func.min(ReviewDeadline.name),
            func.count(),
            func.sum(case((met_on_time, 1), else_=0)),
            func.sum(case((met_late, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((running, 1), else_=0)),
        )
        .join(Review, Review.id == ReviewDeadline.review_id)
        .where(*clauses)
        .group_by(Review.review_type, ReviewDeadline.clock_key)
        .order_by(Review.review_type, ReviewDeadline.clock_key)
    ).all()
    return [
        TimelinessRow(
            review_type,
            clock_key,
            name,
            int(due),
            int(on_time or 0),
            int(late or 0),
            int(over or 0),
            int(still or 0),
        )
        for review_type, clock_key, name, due, on_time, late, over, still in rows
    ]


def timeliness_breaches(
    filters: Filters, limit: int | None = None
) -> list[tuple[Review, ReviewDeadline]]:
    """Deadlines due in the period that were met late or were overdue, oldest first, as at
    the period's end (today, within the current period)."""
    period, day = filters.period, filters.as_at
    met = deadline_met_by_sql(day)
    late = and_(met, ReviewDeadline.met_on > ReviewDeadline.due_on)
    overdue = and_(~met, ReviewDeadline.due_on < day, ~hold_active_on_sql(day))
    clauses = [
        Review.counted,
        ReviewDeadline.due_on >= period.start,
        ReviewDeadline.due_on <= period.end,
        or_(late, overdue),
    ]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    query = (
        select(Review, ReviewDeadline)
        .join(Review, Review.id == ReviewDeadline.review_id)
        .where(*clauses)
        .order_by(ReviewDeadline.due_on, Review.reference)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(review, deadline) for review, deadline in db.session.execute(query).all()]
