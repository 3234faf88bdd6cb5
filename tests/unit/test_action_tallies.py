"""The dashboard's running tallies equal a recount from the actions after every kind of
write, and the national figures read from them equal the live computation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate, Finding, FindingKind, Review, Theme
from sgreviews.models.finding import LEARNING_KINDS, finding_theme
from sgreviews.models.tally import (
    ActionMonthTally,
    ActionStatusTally,
    OpenActionMonthTally,
    ThemeYearTally,
)
from sgreviews.services.actions import plan_tally
from sgreviews.services.actions import tallies as tally_service
from sgreviews.services.actions.tallies import rebuild_action_tallies
from sgreviews.services.actions.tally_hooks import register_tally_hooks
from sgreviews.services.dashboard import action_figures, theme_heat_maps, trends
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.conftest import make_test_app

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


def national(**overrides: object) -> Filters:
    values: dict[str, object] = {"year": BusinessYear(2025), "today": TODAY, **overrides}
    return Filters(**values)  # type: ignore[arg-type]


def add_completed_update(action: Action, at: datetime) -> None:
    db.session.add(
        ActionUpdate(action=action, status=ActionStatus.COMPLETED, note="done", created_at=at)
    )


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

    add_completed_update(one, datetime(2025, 7, 2, tzinfo=UTC))
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
        assert trends.monthly_trend_from_tally(filters) == trends.monthly_trend_live(filters)
    # By agency: the tally's counts equal a count over the actions.
    rows = {row.agency: row for row in action_figures.actions_by_agency(national())}
    for agency in (police, health):
        actions = db.session.scalars(
            select(Action).where(Action.owning_agency_id == agency.id)
        ).all()
        for status in ActionStatus:
            expected = sum(1 for action in actions if action.status is status)
            assert rows[agency.name].by_status[status] == expected


def theme_tally() -> dict[tuple[int, int, int], int]:
    db.session.flush()
    return {
        (theme_id, partnership_id, year): count
        for theme_id, partnership_id, year, count in db.session.execute(
            select(
                ThemeYearTally.theme_id,
                ThemeYearTally.partnership_id,
                ThemeYearTally.business_year,
                ThemeYearTally.findings,
            )
        )
        if count
    }


def theme_recount() -> dict[tuple[int, int, int], int]:
    """The same figures straight from the tags, to compare with the running tally."""
    counts: dict[tuple[int, int, int], int] = {}
    for theme_id, partnership_id, started_on in db.session.execute(
        select(finding_theme.c.theme_id, Review.partnership_id, Review.started_on)
        .join(Finding, Finding.id == finding_theme.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(Finding.kind.in_(LEARNING_KINDS))
    ):
        key = (theme_id, partnership_id, BusinessYear.containing(started_on).start_year)
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_theme_tally_follows_tags_reviews_and_deletions(ctx: None) -> None:
    home, away = factories.partnership(), factories.partnership()
    neglect, curiosity = Theme(key="neglect_x", name="Neglect"), Theme(key="cur_x", name="Cur")
    review = factories.review(home, started_on=date(2025, 3, 31))  # business year 2024
    first = factories.finding(review, themes=[neglect, curiosity])
    second = factories.finding(review, themes=[neglect])
    assert theme_tally() == theme_recount()
    assert theme_tally()[(neglect.id, home.id, 2024)] == 2

    second.themes.append(curiosity)  # tag added
    first.themes.remove(neglect)  # tag removed
    db.session.flush()
    assert theme_tally() == theme_recount()

    db.session.expire_all()
    review.started_on = date(2025, 4, 1)  # into business year 2025
    db.session.flush()
    assert theme_tally() == theme_recount()
    review.partnership = away  # to another partnership
    db.session.flush()
    assert theme_tally() == theme_recount()
    assert theme_tally()[(curiosity.id, away.id, 2025)] == 2

    second.themes = [neglect]  # tags replaced
    db.session.flush()
    assert theme_tally() == theme_recount()
    db.session.delete(first)
    db.session.flush()
    assert theme_tally() == theme_recount() == {(neglect.id, away.id, 2025): 1}

    rebuild_action_tallies(db.session.connection())
    assert theme_tally() == theme_recount()
    grid = theme_heat_maps.themes_by_year(national(year=BusinessYear(2025)), years=2)
    assert grid.rows == ["Neglect"] and grid.values == [[0, 1]]


def test_theme_tally_counts_learning_not_strengths(ctx: None) -> None:
    """Issue 18: strengths are good practice, never counted as learning."""
    home = factories.partnership()
    voice = Theme(key="voice_x", name="Voice")
    review = factories.review(home, started_on=date(2025, 5, 1))
    strength = factories.finding(review, kind=FindingKind.STRENGTH, themes=[voice])
    factories.finding(review, kind=FindingKind.RECOMMENDATION, themes=[voice])
    assert theme_tally() == theme_recount() == {(voice.id, home.id, 2025): 1}
    strength.kind = FindingKind.LEARNING_POINT  # now learning
    db.session.flush()
    assert theme_tally() == theme_recount() == {(voice.id, home.id, 2025): 2}
    strength.kind = FindingKind.STRENGTH  # back to good practice
    db.session.flush()
    assert theme_tally() == theme_recount() == {(voice.id, home.id, 2025): 1}
    db.session.delete(strength)
    db.session.flush()
    assert theme_tally() == theme_recount() == {(voice.id, home.id, 2025): 1}
    rebuild_action_tallies(db.session.connection())
    assert theme_tally() == theme_recount()
    grid = theme_heat_maps.themes_by_review(national(year=BusinessYear(2025)))
    assert grid.rows == ["Voice"] and grid.values == [[1]]


def open_months() -> dict[tuple[int, str], tuple[int, int]]:
    db.session.flush()
    return {
        (agency_id, month): (count, days)
        for agency_id, month, count, days in db.session.execute(
            select(
                OpenActionMonthTally.owning_agency_id,
                OpenActionMonthTally.due_month,
                OpenActionMonthTally.actions,
                OpenActionMonthTally.due_days,
            )
        )
        if count or days
    }


def open_months_recounted() -> dict[tuple[int, str], tuple[int, int]]:
    """The running tally equals a rebuild from the actions, and a count by hand."""
    kept = open_months()
    by_hand: dict[tuple[int, str], tuple[int, int]] = {}
    for action in db.session.scalars(select(Action)):
        if action.status.is_open:
            key = (action.owning_agency_id, action.due_date.strftime("%Y-%m"))
            count, days = by_hand.get(key, (0, 0))
            by_hand[key] = (count + 1, days + action.due_date.toordinal())
    assert kept == by_hand
    rebuild_action_tallies(db.session.connection())
    db.session.expire_all()
    assert open_months() == kept
    return kept


def overdue_both_ways(today: date) -> None:
    """National open overdue actions per agency and by ageing band, from the tallies and
    this month's actions, equal the count over every action."""
    # The current year: a year that has ended is read from the history, not the tallies.
    tallied = action_figures.action_overview(
        national(today=today, year=BusinessYear.containing(today))
    )
    rows, ageing = action_figures._overdue_in_scope(today, [])
    live = {agency_id: (count, days) for agency_id, count, days in rows}
    for row in tallied.by_agency:
        count, days = live.get(row.agency_id, (0, 0.0))
        assert row.overdue == count
        assert row.average_days_overdue == (round(days / count, 1) if count else None)
    assert [count for _label, count in tallied.ageing] == ageing


def test_open_month_tally_follows_every_write(ctx: None) -> None:
    police, health = factories.agency(name="Police"), factories.agency(name="Health")
    one = factories.action(police, due_date=date(2025, 6, 30))
    two = factories.action(police, due_date=date(2025, 9, 1), status=ActionStatus.IN_PROGRESS)
    three = factories.action(health, due_date=date(2026, 1, 31))
    four = factories.action(health, due_date=date(2025, 11, 3), status=ActionStatus.COMPLETED)
    assert open_months_recounted() == {
        (police.id, "2025-06"): (1, date(2025, 6, 30).toordinal()),
        (police.id, "2025-09"): (1, date(2025, 9, 1).toordinal()),
        (health.id, "2026-01"): (1, date(2026, 1, 31).toordinal()),
    }

    one.status = ActionStatus.COMPLETED  # finished: leaves the tally
    two.owning_agency = health  # moved to another agency
    three.due_date = date(2025, 11, 10)  # extension (here brought forward) moves its month
    four.status = ActionStatus.IN_PROGRESS  # sent back open: joins the tally
    db.session.flush()
    open_months_recounted()

    two.status = ActionStatus.NOT_STARTED  # open to open, same month: no change
    two.due_date = date(2025, 9, 2)  # same month, another day: the day sum moves
    db.session.flush()
    open_months_recounted()

    add_completed_update(three, datetime(2025, 11, 12, tzinfo=UTC))
    three.status = ActionStatus.COMPLETED  # as the update form does
    db.session.flush()
    open_months_recounted()

    db.session.delete(two)  # deleted while open
    db.session.flush()
    open_months_recounted()

    # On an expired object: the hooks read the old values from the row.
    db.session.expire(four)
    four.owning_agency_id = police.id
    db.session.flush()
    assert open_months_recounted() == {
        (police.id, "2025-11"): (1, date(2025, 11, 3).toordinal()),
    }


def test_national_overdue_from_tallies_equals_the_count_over_actions(ctx: None) -> None:
    agencies = [factories.agency(name=name) for name in ("Police", "Health", "School")]
    start = date(2025, 1, 1)
    for index in range(60):
        factories.action(
            agencies[index % 3],
            due_date=start + timedelta(days=11 * index),
            status=list(ActionStatus)[index % len(ActionStatus)],
        )
    # Across month starts and ends, the ageing bands' edges falling mid-month and on a
    # month's first day, and a day with nothing overdue yet.
    for today in (
        date(2024, 12, 31),
        date(2025, 1, 1),
        date(2025, 3, 1),
        date(2025, 3, 31),
        date(2025, 6, 15),
        date(2025, 7, 31),
        date(2025, 11, 1),
        date(2025, 11, 15),
        date(2026, 12, 31),
    ):
        overdue_both_ways(today)


def test_a_second_app_in_the_process_keeps_counting_each_change_once(
    ctx: None, database_url: str, tmp_path: Path
) -> None:
    """The hooks are registered by create_app, not by importing the models, and a second
    create_app (tests build several) registers none of them twice."""
    make_test_app(database_url, tmp_path)
    register_tally_hooks()
    for target, identifier, hook in [*tally_service.LISTENERS, *plan_tally.LISTENERS]:
        assert event.contains(target, identifier, hook)
    police = factories.agency(name="Police")
    factories.action(police, due_date=date(2026, 1, 31))
    status, months = recounted()
    assert status == {(police.id, ActionStatus.NOT_STARTED): 1}
    assert sum(months.values()) == 1
