"""Review activity in the period: reviews by type and stage, reviews started, and the
decisions recorded (what notifications and rapid reviews led to)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import ReviewDecision
from sgreviews.services.dashboard.filters import Filters, review_scope
from sgreviews.services.history.reviews_as_at import open_on, stage_on
from sgreviews.services.reviews.lifecycle import review_types


def reviews_by_type_and_stage(filters: Filters) -> list[tuple[str, str, int]]:
    """Reviews active in the period (started in it, or open on the day before it began:
    ``open_stages``) by type and the stage each was at on the period's end (today, within
    the current period), from the stage history. Two queries."""
    types = review_types()
    eve = filters.period.start - timedelta(days=1)
    reviews = db.session.scalars(
        select(Review).where(*review_scope(filters)).options(selectinload(Review.transitions))
    ).all()
    counts = Counter(
        (review.review_type, stage_on(review, filters.as_at))
        for review in reviews
        if review.started_on > eve or open_on(review, eve, types.get(review.review_type))
    )
    return [(review_type, stage, count) for (review_type, stage), count in sorted(counts.items())]


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
