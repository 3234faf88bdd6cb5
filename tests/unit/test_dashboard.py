"""Dashboard numbers against a small hand-computed fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sgreviews.extensions import db
from sgreviews.models import ActionStatus, ActionUpdate, ImpactStatus, Theme
from sgreviews.services.dashboard import (
    action_figures,
    dissemination,
    review_activity,
    review_costs,
    statutory_timeliness,
    theme_heat_maps,
    trends,
)
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.periods import BusinessYear
from tests import factories

TODAY = date(2025, 11, 15)  # in Q3 of business year 2025/26


@pytest.fixture
def world(ctx: None) -> dict[str, object]:
    """Two partnerships, two agencies, five actions:

    police: A1 open, due 2025-11-01 (14 days overdue); A2 open, due 2025-07-01 (137 days
    overdue); A3 completed (not assured). health: A4 assured without impact evidence;
    A5 open, due in the future; plus in the other partnership B1, open and overdue.
    """
    home = factories.partnership(short_name="HOME")
    away = factories.partnership(short_name="AWAY")
    police = factories.agency(name="Police")
    health = factories.agency(name="Health")
    lcspr = factories.review(
        home, reference="LCSPR-2025-01", review_type="lcspr", started_on=date(2025, 5, 1)
    )
    sar = factories.review(
        home,
        reference="SAR-2024-01",
        review_type="sar",
        stage="action_plan",
        started_on=date(2024, 6, 1),
        completed_on=date(2025, 1, 10),
    )
    dhr = factories.review(
        away, reference="DHR-2025-01", review_type="dhr", started_on=date(2025, 9, 1)
    )
    neglect = Theme(key="neglect_t", name="Neglect")
    curiosity = Theme(key="curiosity_t", name="Professional curiosity")
    f1 = factories.finding(lcspr, themes=[neglect, curiosity])
    f2 = factories.finding(sar, themes=[neglect])
    f_away = factories.finding(dhr)
    created = datetime(2025, 4, 10, tzinfo=UTC)
    actions = {
        "A1": factories.action(police, f1, due_date=date(2025, 11, 1), created_at=created),
        "A2": factories.action(police, f1, due_date=date(2025, 7, 1), created_at=created),
        "A3": factories.action(
            police, f2, due_date=date(2025, 6, 1), status=ActionStatus.COMPLETED,
            created_at=created,
        ),
        "A4": factories.action(
            health, f2, due_date=date(2025, 6, 1), status=ActionStatus.ASSURED,
            impact_status=ImpactStatus.PLANNED, created_at=created,
        ),
        "A5": factories.action(health, f1, due_date=date(2026, 2, 1), created_at=created),
        "B1": factories.action(police, f_away, due_date=date(2025, 8, 1), created_at=created),
    }  # fmt: skip
    db.session.add_all(
        [
            ActionUpdate(
                action=actions["A3"], status=ActionStatus.COMPLETED, note="done",
                created_at=datetime(2025, 6, 20, tzinfo=UTC),
            ),
            ActionUpdate(
                action=actions["A4"], status=ActionStatus.COMPLETED, note="done",
                created_at=datetime(2025, 5, 20, tzinfo=UTC),
            ),
        ]
    )  # fmt: skip
    db.session.flush()
    return {"home": home, "police": police, "health": health, **actions}


def filters(world: dict[str, object], **overrides: object) -> Filters:
    values: dict[str, object] = {
        "year": BusinessYear(2025),
        "partnership_id": world["home"].id,  # type: ignore[attr-defined]
        "today": TODAY,
    }
    values.update(overrides)
    return Filters(**values)  # type: ignore[arg-type]


def test_actions_by_agency_and_scorecard(world: dict[str, object]) -> None:
    rows = {row.agency: row for row in action_figures.actions_by_agency(filters(world))}
    police, health = rows["Police"], rows["Health"]
    assert police.by_status[ActionStatus.NOT_STARTED] == 2
    assert police.by_status[ActionStatus.COMPLETED] == 1
    assert police.open == 2 and police.overdue == 2
    assert police.average_days_overdue == (14 + 137) / 2
    assert health.open == 1 and health.overdue == 0 and health.average_days_overdue is None
    assert health.by_status[ActionStatus.ASSURED] == 1


def test_partnership_filter_takes_in_other_partnership(world: dict[str, object]) -> None:
    everywhere = {
        row.agency: row
        for row in action_figures.actions_by_agency(filters(world, partnership_id=None))
    }
    assert everywhere["Police"].overdue == 3


def test_agency_filter(world: dict[str, object]) -> None:
    rows = action_figures.actions_by_agency(filters(world, agency_id=world["health"].id))  # type: ignore[attr-defined]
    assert [row.agency for row in rows] == ["Health"]


def test_overdue_ageing_bands(world: dict[str, object]) -> None:
    assert action_figures.overdue_ageing(filters(world)) == [
        ("1 to 30 days", 1),
        ("31 to 90 days", 0),
        ("Over 90 days", 1),
    ]


def test_assurance_gaps(world: dict[str, object]) -> None:
    def refs(gap: action_figures.Gap) -> list[str]:
        return [action.reference for action in action_figures.assurance_gap(filters(world), gap)]

    assert refs(action_figures.Gap.COMPLETED_NOT_ASSURED) == [world["A3"].reference]  # type: ignore[attr-defined]
    assert refs(action_figures.Gap.ASSURED_WITHOUT_IMPACT) == [world["A4"].reference]  # type: ignore[attr-defined]
    assert refs(action_figures.Gap.CLOSED_NOT_IMPLEMENTED) == []


def test_monthly_trend(world: dict[str, object]) -> None:
    trend = {point.month_end: point for point in trends.monthly_trend(filters(world))}
    # End of April: all five home actions exist, none finished, none overdue.
    assert (trend[date(2025, 4, 30)].open, trend[date(2025, 4, 30)].overdue) == (5, 0)
    # End of May: A4 finished on 20 May.
    assert (trend[date(2025, 5, 31)].open, trend[date(2025, 5, 31)].completed) == (4, 1)
    # End of June: A3 finished 20 June; A3/A4 were due 1 June but are done.
    assert (trend[date(2025, 6, 30)].open, trend[date(2025, 6, 30)].completed) == (3, 2)
    assert trend[date(2025, 6, 30)].overdue == 0
    # End of July: A2 (due 1 July) overdue. End of October: still only A2.
    assert trend[date(2025, 7, 31)].overdue == 1
    assert trend[date(2025, 10, 31)].overdue == 1
    # Months after today are not shown.
    assert max(trend) == date(2025, 10, 31)


def test_reviews_in_period_and_themes(world: dict[str, object]) -> None:
    by_type = review_activity.reviews_by_type_and_stage(filters(world))
    # The SAR completed in January 2025, before the 2025/26 year: not active in it.
    assert by_type == [("lcspr", "in_progress", 1)]
    assert review_activity.reviews_started_in_period(filters(world, partnership_id=None)) == [
        ("dhr", 1),
        ("lcspr", 1),
    ]
    years = theme_heat_maps.themes_by_year(filters(world), years=2)
    assert years.columns == ["2024/25", "2025/26"]
    assert dict(zip(years.rows, years.values, strict=True)) == {
        "Neglect": [1, 1],
        "Professional curiosity": [0, 1],
    }
    per_review = theme_heat_maps.themes_by_review(filters(world))
    assert per_review.columns == ["LCSPR-2025-01"]
    assert dict(zip(per_review.rows, per_review.values, strict=True)) == {
        "Neglect": [1],
        "Professional curiosity": [1],
    }


def test_timeliness_decisions_and_costs(ctx: None) -> None:
    from decimal import Decimal

    from sgreviews.extensions import db
    from sgreviews.models import ReviewBudget
    from sgreviews.models.review import ReviewDeadline, ReviewDecision, ReviewHold

    home = factories.partnership(short_name="TIME")

    def rapid_review(reference: str, due: date, met: date | None, hold: bool = False) -> None:
        review = factories.review(home, reference=reference, review_type="rapid_review",
                                  started_on=due)  # fmt: skip
        db.session.add(
            ReviewDeadline(
                review=review, clock_key="rapid_review", name="Send to the Panel",
                start_on=due, due_on=due, met_on=met, rule="15 working days", calendar="ENG",
            )
        )  # fmt: skip
        if hold:
            db.session.add(ReviewHold(review=review, reason=HoldReason.CRIMINAL, started_on=due))
        db.session.add(
            ReviewDecision(review=review, decided_on=due, outcome="lcspr", rationale="Criteria met")
        )

    from sgreviews.models.review import HoldReason

    rapid_review("RR-1", date(2025, 5, 10), date(2025, 5, 9))  # met on time
    rapid_review("RR-2", date(2025, 6, 10), date(2025, 6, 12))  # met two days late
    rapid_review("RR-3", date(2025, 9, 1), None)  # overdue on 15 Nov
    rapid_review("RR-4", date(2025, 10, 1), None, hold=True)  # paused: still running
    rapid_review("RR-5", date(2025, 12, 1), None)  # not yet due
    rapid_review("RR-0", date(2025, 3, 1), None)  # due before the year: left out
    lcspr = factories.review(home, reference="LCSPR-9", review_type="lcspr",
                             started_on=date(2025, 6, 1))  # fmt: skip
    lcspr.commissioned_on = date(2025, 6, 20)
    lcspr.cost_pence = 1_250_000
    db.session.add(ReviewBudget(partnership_id=home.id, business_year=2025, review_type="lcspr",
                                amount=Decimal("20000")))  # fmt: skip
    db.session.flush()
    period = Filters(year=BusinessYear(2025), partnership_id=home.id, today=TODAY)

    [row] = statutory_timeliness.timeliness(period)
    assert (row.due, row.met_on_time, row.met_late, row.overdue, row.running) == (5, 1, 1, 1, 2)
    assert row.share_on_time == 33
    breaches = [
        (review.reference, deadline.met_on)
        for review, deadline in statutory_timeliness.timeliness_breaches(period)
    ]
    assert breaches == [("RR-2", date(2025, 6, 12)), ("RR-3", None)]
    assert review_activity.decisions(period) == [("rapid_review", "lcspr", 5)]
    [cost] = review_costs.costs_against_budget(period)
    assert (cost.review_type, cost.reviews, cost.cost_pence, cost.budget) == (
        "lcspr",
        1,
        1_250_000,
        Decimal("20000.00"),
    )
    q1 = Filters(year=BusinessYear(2025), quarter=1, partnership_id=home.id, today=TODAY)
    assert statutory_timeliness.timeliness(q1)[0].due == 2


def test_dissemination_counts_reads_and_team_uses_in_the_period(ctx: None) -> None:
    from sgreviews.extensions import db
    from sgreviews.models import Role
    from sgreviews.models.briefing import (
        Briefing,
        BriefingKind,
        BriefingRead,
        BriefingTeamUse,
        BriefingVersion,
    )

    home = factories.partnership(short_name="REACH")
    police = factories.agency(name="Reach Police")
    reader = factories.user(Role.PRACTITIONER, police)
    briefing = Briefing(
        partnership=home, kind=BriefingKind.SEVEN_MINUTE, review_by=date(2026, 6, 1)
    )
    version = BriefingVersion(
        briefing=briefing, title="Fathers matter", sections={},
        published_at=datetime(2025, 5, 2, tzinfo=UTC),
    )  # fmt: skip
    db.session.add_all([briefing, version])
    db.session.flush()
    db.session.add_all(
        [
            BriefingRead(briefing_id=briefing.id, version_id=version.id, user_id=reader.id,
                         agency_id=police.id, read_at=datetime(2025, 6, 1, tzinfo=UTC)),
            BriefingTeamUse(briefing_id=briefing.id, used_on=date(2025, 6, 3), team="North team",
                            agency_id=police.id, staff_count=12),
            BriefingTeamUse(briefing_id=briefing.id, used_on=date(2024, 6, 3), team="Old team",
                            agency_id=police.id, staff_count=50),
        ]
    )  # fmt: skip
    db.session.flush()
    reach = dissemination.dissemination(
        Filters(year=BusinessYear(2025), partnership_id=home.id, today=TODAY)
    )
    assert reach.briefings_published == 1
    assert [(r.agency, r.reads, r.team_uses, r.staff_reached) for r in reach.by_agency] == [
        ("Reach Police", 1, 1, 12)
    ]
