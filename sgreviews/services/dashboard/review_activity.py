"""Review activity in the period: reviews by type and stage, reviews started, and the
decisions recorded (what notifications and rapid reviews led to)."""

from __future__ import annotations

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import ReviewDecision
from sgreviews.services.dashboard.filters import Filters, review_scope


def reviews_by_type_and_stage(filters: Filters) -> list[tuple[str, str, int]]:
    rows = db.session.execute(
        select(Review.review_type, Review.stage, func.count())
        .where(*review_scope(filters))
        .group_by(Review.review_type, Review.stage)
        .order_by(Review.review_type, Review.stage)
    ).all()
    return [(review_type, stage, count) for review_type, stage, count in rows]


def reviews_started_in_period(filters: Filters) -> list[tuple[str, int]]:
    period = filters.period
    clauses = [Review.counted, Review.started_on >= period.start, Review.started_on <= period.end]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    rows = db.session.execute(
        select(Review.review_type, func.count())
        .where(*clauses)
        .group_by(Review.review_type)
        .order_by(Review.review_type)
    ).all()
    return [(review_type, count) for review_type, count in rows]


def decisions(filters: Filters) -> list[tuple[str, str, int]]:
    """Decisions recorded in the period, per review type and outcome (what notifications
    and rapid reviews led to)."""
    period = filters.period
    clauses = [
        Review.counted,
        ReviewDecision.decided_on >= period.start,
        ReviewDecision.decided_on <= period.end,
    ]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    rows = db.session.execute(
        select(Review.review_type, ReviewDecision.outcome, func.count())
        .join(Review, Review.id == ReviewDecision.review_id)
        .where(*clauses)
        .group_by(Review.review_type, ReviewDecision.outcome)
        .order_by(Review.review_type, ReviewDecision.outcome)
    ).all()
    return [(review_type, outcome, int(count)) for review_type, outcome, count in rows]
