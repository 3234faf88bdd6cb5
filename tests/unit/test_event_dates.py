"""The event-date rules and their SQL twins agree (issue 18), on either side of midnight
in summer time, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, Review
from sgreviews.services.history.event_dates import (
    action_created_by_sql,
    action_created_on,
    review_completed_on,
    review_open_after_sql,
)
from tests import factories


def test_action_created_on_agrees_with_its_sql(ctx: None) -> None:
    # 23:30 UTC on 31 March 2022 is 00:30 on 1 April in England (BST began 27 March).
    moments = [
        datetime(2022, 3, 31, 22, 59, tzinfo=UTC),
        datetime(2022, 3, 31, 23, 30, tzinfo=UTC),
        datetime(2022, 1, 31, 23, 30, tzinfo=UTC),  # GMT: still 31 January
        datetime(2022, 4, 1, 12, tzinfo=UTC),
    ]
    made = [factories.action(created_at=moment) for moment in moments]
    assert [action_created_on(action) for action in made] == [
        date(2022, 3, 31),
        date(2022, 4, 1),
        date(2022, 1, 31),
        date(2022, 4, 1),
    ]
    ids = [action.id for action in made]
    for day in (date(2022, 1, 31), date(2022, 3, 31), date(2022, 4, 1)):
        by_sql = set(
            db.session.scalars(
                select(Action.id).where(Action.id.in_(ids), action_created_by_sql(day))
            )
        )
        assert by_sql == {action.id for action in made if action_created_on(action) <= day}


def test_review_completion_agrees_with_its_sql(ctx: None) -> None:
    home = factories.partnership()
    days = [None, date(2021, 3, 31), date(2021, 4, 1), date(2021, 6, 1)]
    reviews = [
        factories.review(home, completed_on=completed, published_on=published)
        for completed in days
        for published in days
    ]
    ids = [review.id for review in reviews]
    for day in days[1:]:
        assert day is not None
        by_sql = set(
            db.session.scalars(
                select(Review.id).where(Review.id.in_(ids), review_open_after_sql(day))
            )
        )
        by_rule = {
            review.id
            for review in reviews
            if (completed := review_completed_on(review)) is None or completed >= day
        }
        assert by_sql == by_rule
    # Publication completes a review even without a completion date.
    assert review_completed_on(reviews[3]) == date(2021, 6, 1)
