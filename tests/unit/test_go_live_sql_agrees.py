"""One go-live rule (issue 18). ``go_live.reminded`` is the definition; its SQL forms
(``action_date_reminded`` over an action's reviews' partnerships, ``review_date_reminded``
over a review's partnership) must say the same, with and without the site-wide default.
Checked over generated partnerships (with a go-live date or none), actions answering
findings of one or two partnerships' reviews and dates on, either side of and far from
go-live. The suite runs it on SQLite and, with SGREVIEWS_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, Review
from sgreviews.services.reminders.go_live import (
    action_date_reminded,
    reminded,
    review_date_reminded,
)
from tests import factories

GO_LIVE = date(2025, 4, 1)
go_lives = st.one_of(st.none(), st.sampled_from([GO_LIVE, GO_LIVE + timedelta(days=200)]))
defaults = st.one_of(st.none(), st.sampled_from([GO_LIVE - timedelta(days=30), GO_LIVE]))
# Dates on go-live, the days either side, and far before and after.
shifts = st.sampled_from([-800, -31, -1, 0, 1, 199, 200, 201, 900])
actions = st.lists(
    st.tuples(shifts, st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True)),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(partnership_go_lives=st.tuples(go_lives, go_lives, go_lives), cases=actions, data=st.data())
def test_the_sql_forms_agree_with_the_python_rule(
    ctx: None,
    partnership_go_lives: tuple[date | None, date | None, date | None],
    cases: list[tuple[int, list[int]]],
    data: st.DataObject,
) -> None:
    savepoint = db.session.begin_nested()
    try:
        partnerships = [factories.partnership(go_live_on=day) for day in partnership_go_lives]
        reviews = [
            factories.review(partnership, started_on=GO_LIVE + timedelta(days=data.draw(shifts)))
            for partnership in partnerships
        ]
        expected_actions: dict[int, list[date | None]] = {}
        due_dates: dict[int, date] = {}
        for shift, indexes in cases:
            findings = [factories.finding(reviews[index]) for index in indexes]
            action = factories.action(None, findings[0], due_date=GO_LIVE + timedelta(days=shift))
            action.findings = findings
            db.session.flush()
            expected_actions[action.id] = [partnership_go_lives[index] for index in indexes]
            due_dates[action.id] = action.due_date
        for default in (None, data.draw(defaults)):
            selected = set(
                db.session.scalars(
                    select(Action.id).where(
                        Action.id.in_(list(expected_actions)),
                        action_date_reminded(Action.due_date, default),
                    )
                )
            )
            assert selected == {
                action_id
                for action_id, starts in expected_actions.items()
                if reminded(due_dates[action_id], starts, default)
            }
            review_ids = {review.id: review for review in reviews}
            chosen = set(
                db.session.scalars(
                    select(Review.id).where(
                        Review.id.in_(list(review_ids)),
                        review_date_reminded(Review.started_on, default),
                    )
                )
            )
            assert chosen == {
                review.id
                for review in reviews
                if reminded(review.started_on, [review.partnership.go_live_on], default)
            }
    finally:
        savepoint.rollback()


def test_the_rule_itself() -> None:
    assert reminded(GO_LIVE, [GO_LIVE], None)
    assert not reminded(GO_LIVE - timedelta(days=1), [GO_LIVE], None)
    assert reminded(date(2000, 1, 1), [None], None)
    assert not reminded(date(2000, 1, 1), [None], GO_LIVE)
    # Its own go-live wins over the default, either way.
    assert reminded(GO_LIVE, [GO_LIVE], GO_LIVE + timedelta(days=9))
    # Every partnership of the record must be live on the day.
    assert not reminded(GO_LIVE, [None, GO_LIVE + timedelta(days=1)], None)
