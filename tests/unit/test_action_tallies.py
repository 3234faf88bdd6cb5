"""The dashboard's running tallies equal a recount from the actions after every kind of
write, and the national figures read from them equal the live computation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate
from sgreviews.models.tally import ActionMonthTally, ActionStatusTally, rebuild_action_tallies
from sgreviews.services import dashboard
from sgreviews.services.periods import BusinessYear
from tests import factories

TODAY = date(2025, 11, 15)


def tallies() -> tuple[dict[tuple[object, ...], int], dict[tuple[object, ...], int]]:
    """The rows as stored (columns, not entities: the hooks write past the session)."""
    db.session.flush()
    status = {
        (agency_id, status): count
        for agency_id, status, count in db.session.execute(
            select(
                ActionStatusTally.owning_agency_id,
                ActionStatusTally.status,
                ActionStatusTally.actions,
            )
        )
        if count
    }
    months = {
        (created, finished, due): count
        for created, finished, due, count in db.session.execute(
            select(
                ActionMonthTally.created_month,
                ActionMonthTally.finished_month,
                ActionMonthTally.due_month,
                ActionMonthTally.actions,
            )
        )
        if count
    }
    return status, months


def recounted() -> tuple[dict[tuple[object, ...], int], dict[tuple[object, ...], int]]:
    kept = tallies()
    rebuild_action_tallies(db.session.connection())
    db.session.expire_all()
    fresh = tallies()
    assert kept == fresh
    return fresh


def national(**overrides: object) -> dashboard.Filters:
    values: dict[str, object] = {"year": BusinessYear(2025), "today": TODAY, **overrides}
    return dashboard.Filters(**values)  # type: ignore[arg-type]


def test_tallies_follow_every_write(ctx: None) -> None:
    police, health = factories.agency(name="Police"), factories.agency(name="Health")
    created = datetime(2025, 4, 10, tzinfo=UTC)
    one = factories.action(police, due_date=date(2025, 6, 30), created_at=created)
    two = factories.action(police, due_date=date(2025, 9, 1), created_at=created)
    three = factories.action(health, due_date=date(2026, 1, 31))
    recounted()

    one.status = ActionStatus.COMPLETED  # status change
    two.owning_agency = health  # moved to another agency
    three.due_date = date(2026, 3, 31)  # extension moves its due month
    db.session.flush()
    recounted()

    db.session.add(
        ActionUpdate(
            action=one,
            status=ActionStatus.COMPLETED,
            note="done",
            created_at=datetime(2025, 7, 2, tzinfo=UTC),
        )
    )
    db.session.flush()
    status, months = recounted()
    assert months[("2025-04", "2025-07", "2025-07")] == 1  # due 30 June: overdue from July

    # Finished and then extended: the tally moves with the due date, finished month kept.
    one.due_date = date(2025, 10, 31)
    db.session.flush()
    recounted()

    db.session.delete(two)
    db.session.flush()
    status, _months = recounted()
    assert status == {
        (police.id, ActionStatus.COMPLETED): 1,
        (health.id, ActionStatus.NOT_STARTED): 1,
    }


def test_national_figures_from_tallies_equal_the_live_ones(ctx: None) -> None:
    police, health = factories.agency(name="Police"), factories.agency(name="Health")
    created = datetime(2025, 4, 10, tzinfo=UTC)
    for index in range(12):
        action = factories.action(
            police if index % 3 else health,
            due_date=date(2025, 4, 1) + timedelta(days=29 * index),
            created_at=created + timedelta(days=17 * index),
            status=list(ActionStatus)[index % len(ActionStatus)],
        )
        if index % 4 == 0:
            db.session.add(
                ActionUpdate(
                    action=action,
                    status=ActionStatus.COMPLETED,
                    note="done",
                    created_at=created + timedelta(days=40 * index + 5),
                )
            )
    db.session.flush()
    for filters in (national(), national(quarter=2), national(today=date(2025, 5, 31))):
        assert dashboard.monthly_trend_from_tally(filters) == dashboard.monthly_trend_live(filters)
    # By agency: the tally's counts equal a count over the actions.
    rows = {row.agency: row for row in dashboard.actions_by_agency(national())}
    for agency in (police, health):
        actions = db.session.scalars(
            select(Action).where(Action.owning_agency_id == agency.id)
        ).all()
        for status in ActionStatus:
            expected = sum(1 for action in actions if action.status is status)
            assert rows[agency.name].by_status[status] == expected
