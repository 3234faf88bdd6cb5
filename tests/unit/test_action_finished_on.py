"""``Action.finished_on`` (the dashboard's monthly trend reads it) always equals the
earliest day an update to a finished status took effect, however the updates arrive:
history entered later (an effective date in the past) moves it back (issue 18)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate, Role
from sgreviews.models.action import FINISHED_STATUSES
from sgreviews.services.actions import writes as actions
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.dashboard.trends import monthly_trend
from sgreviews.services.periods import BusinessYear
from tests import factories


def live_finished_on(action: Action) -> date | None:
    """The rule worked out from the history in SQL, to compare the stored column with."""
    value = db.session.scalar(
        select(func.min(ActionUpdate.effective_on)).where(
            ActionUpdate.action_id == action.id, ActionUpdate.status.in_(FINISHED_STATUSES)
        )
    )
    return date.fromisoformat(value) if isinstance(value, str) else value


def stored_finished_on(action: Action) -> date | None:
    db.session.expire(action, ["finished_on"])
    return action.finished_on


def add(action: Action, status: ActionStatus, effective: date, typed_in: datetime) -> None:
    db.session.add(
        ActionUpdate(
            action=action,
            status=status,
            note="note",
            created_at=typed_in,
            effective_on=effective,
        )
    )
    db.session.flush()


def test_finished_on_follows_the_earliest_finishing_update_to_take_effect(ctx: None) -> None:
    action = factories.action(added_on=date(2021, 5, 1))
    typed_in = datetime(2026, 12, 7, 10, tzinfo=UTC)  # everything entered as history today
    add(action, ActionStatus.IN_PROGRESS, date(2021, 6, 1), typed_in)
    assert action.finished_on is None and stored_finished_on(action) is None

    add(action, ActionStatus.COMPLETED, date(2021, 11, 10), typed_in)
    assert action.finished_on == date(2021, 11, 10)
    assert stored_finished_on(action) == live_finished_on(action)

    add(action, ActionStatus.ASSURED, date(2022, 2, 20), typed_in)  # later: no change
    add(action, ActionStatus.IN_PROGRESS, date(2022, 3, 1), typed_in)  # sent back
    assert stored_finished_on(action) == date(2021, 11, 10)  # the first finish still counts

    add(action, ActionStatus.SUPERSEDED, date(2021, 9, 5), typed_in)  # an earlier entry
    assert stored_finished_on(action) == date(2021, 9, 5)
    assert stored_finished_on(action) == live_finished_on(action)


def test_finished_on_set_by_the_service_in_the_same_transaction(ctx: None) -> None:
    lead = factories.user(Role.AGENCY_LEAD)
    action = factories.action(lead.agency, status=ActionStatus.IN_PROGRESS)
    actions.record_progress(
        actor=lead, action=action, status=ActionStatus.COMPLETED, note="Done, with evidence",
        has_new_evidence=True,
    )  # fmt: skip
    assert action.finished_on == london_today()
    assert stored_finished_on(action) == live_finished_on(action)
    db.session.rollback()  # the update and finished_on go together
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == 0


def test_a_year_entered_as_history_has_its_monthly_trend(ctx: None) -> None:
    """Both paths of the trend (a partnership's, from the actions; the national one, from
    the month tally) count the 2021/22 actions typed in today in the months they happened:
    A added May 2021 and completed (with effect) 10 November 2021; B added June 2021, due
    31 December 2021 and never finished."""
    partnership = factories.partnership()
    review = factories.review(partnership, started_on=date(2021, 4, 20))
    finding = factories.finding(review)
    agency = factories.agency()
    typed_in = datetime(2026, 12, 7, 10, tzinfo=UTC)
    a = factories.action(
        agency, finding, created_at=typed_in, added_on=date(2021, 5, 1),
        due_date=date(2022, 1, 31),
    )  # fmt: skip
    factories.action(
        agency, finding, created_at=typed_in, added_on=date(2021, 6, 1),
        due_date=date(2021, 12, 31),
    )  # fmt: skip
    add(a, ActionStatus.COMPLETED, date(2021, 11, 10), typed_in)

    today = date(2026, 12, 7)
    for filters in (
        Filters(year=BusinessYear(2021), partnership_id=partnership.id, today=today),
        Filters(year=BusinessYear(2021), today=today),
    ):
        points = {
            point.month_end: (point.open, point.overdue, point.completed)
            for point in monthly_trend(filters)
        }
        assert points[date(2021, 4, 30)] == (0, 0, 0)
        assert points[date(2021, 5, 31)] == (1, 0, 0)
        assert points[date(2021, 10, 31)] == (2, 0, 0)
        assert points[date(2021, 11, 30)] == (1, 0, 1)
        assert points[date(2022, 1, 31)] == (1, 1, 1)  # B overdue from 1 January
        assert points[date(2022, 3, 31)] == (1, 1, 1)
