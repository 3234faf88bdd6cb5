"""The yearly report as at the year's end (issue 18), against a hand-computed year.

Business year 2021/22 (1 April 2021 to 31 March 2022) of one partnership; every figure
below was counted by hand from the fixture:

Reviews
  SIN-2020-01  notification, closed 15 Feb 2021               -> not carried over
  RR-2020-01   rapid review, panel replied 1 Mar 2021          -> not carried over (not open)
  SAR-2020-01  completed 1 Feb 2021                            -> not carried over
  LCSPR-2020-01 moved to final report 1 Feb 2021, unpublished  -> carried over, not completed
  LCSPR-2019-01 final report 15 Jan 2021, published 30 Jun 2021 -> carried over, completed,
                                                                   published
  RR-2021-01   started 3 May 2021, LCSPR commissioned, panel replied 1 Jul 2021
  LCSPR-2021-01 started 1 Jul 2021, in progress
Findings (reviews of the year): learning points 2 x fathers, recommendation 1 x
information sharing; strengths 2 x voice of the child (LCSPR-2021-01), 1 x fathers
(LCSPR-2019-01).
Actions (A1 and A5 finished before the year; the other four are the year's)
  A1  assured Jan 2021                                        -> not the year's
  A2  added Aug 2021, due 31 Jan 2022 (extended after the year), in progress -> overdue
  A3  added Jun 2021, due Dec 2021, completed Nov, assured Feb, impact evidenced Mar 2022
  A4  added Jun 2021, closed not implemented 10 Feb 2022
  A5  closed not implemented Dec 2020                          -> not the year's
  A6  added Oct 2021, due Dec 2022, not started
So: four actions; four added, two falling due, one completed, one assured; on 31 March
2022 two open, one overdue; one with evidence of impact; one not implemented (A4).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    Finding,
    FindingKind,
    ImpactStatus,
    Partnership,
    Review,
    Theme,
)
from sgreviews.models.action import ExtensionRequest, ExtensionStatus, UpdateKind
from sgreviews.models.review import ReviewDeadline, ReviewDecision, StageTransition
from sgreviews.review_types import load_review_types
from sgreviews.services.dashboard import action_figures, review_activity, statutory_timeliness
from sgreviews.services.dashboard import tables as dashboard_tables
from sgreviews.services.dashboard.action_figures import Gap
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.history.reviews_as_at import open_on, stage_on
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports import formats as report_formats
from sgreviews.services.reports.yearly import build_yearly_report
from sgreviews.services.reviews.stages import move_stage
from sgreviews.settings import PROJECT_ROOT
from tests import factories

TYPES = load_review_types(PROJECT_ROOT / "config" / "review_types.toml")
YEAR = BusinessYear(2021)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 11, tzinfo=UTC)


def moves(review: Review, *steps: tuple[str | None, str, date]) -> None:
    for from_stage, to_stage, moved_on in steps:
        review.transitions.append(
            StageTransition(from_stage=from_stage, to_stage=to_stage, moved_on=moved_on)
        )


def entry(
    action: Action,
    when: datetime,
    status: ActionStatus,
    previous: ActionStatus,
    kind: UpdateKind = UpdateKind.PROGRESS,
    note: str = "Progress",
    impact: ImpactStatus | None = None,
) -> None:
    action.updates.append(
        ActionUpdate(
            created_at=when,
            status=status,
            previous_status=previous,
            kind=kind,
            note=note,
            impact_status=impact,
        )
    )


def new_action(
    agency: Agency, finding: Finding, reference: str, created: datetime, due: date, **extra: object
) -> Action:
    return factories.action(
        agency, finding, reference=reference, created_at=created, updated_at=created,
        due_date=due, **extra,
    )  # fmt: skip


class Year:
    """The fixture's records the later-year step changes."""

    def __init__(self) -> None:
        self.home: Partnership
        self.police: Agency
        self.actions: dict[str, Action] = {}
        self.reviews: dict[str, Review] = {}


@pytest.fixture
def year(ctx: None) -> Year:
    made = Year()
    home = made.home = factories.partnership(short_name="ASAT")
    police = made.police = factories.agency(name="Testshire Police")

    def review(
        reference: str, review_type: str, stage: str, started: date, **extra: object
    ) -> Review:
        made.reviews[reference] = factories.review(
            home, reference=reference, review_type=review_type, stage=stage,
            started_on=started, **extra,
        )  # fmt: skip
        return made.reviews[reference]

    sin = review("SIN-2020-01", "serious_incident_notification", "closed", date(2021, 1, 10))
    moves(
        sin,
        (None, "notified", date(2021, 1, 10)),
        ("notified", "rapid_review_started", date(2021, 1, 12)),
        ("rapid_review_started", "closed", date(2021, 2, 15)),
    )
    old_rapid = review("RR-2020-01", "rapid_review", "closed", date(2021, 1, 12))
    moves(
        old_rapid,
        ("in_progress", "sent_to_panel", date(2021, 2, 1)),
        ("sent_to_panel", "panel_replied", date(2021, 3, 1)),
        ("panel_replied", "closed", date(2021, 5, 1)),
    )
    review("SAR-2020-01", "sar", "in_progress", date(2020, 11, 1), completed_on=date(2021, 2, 1))
    unpublished = review("LCSPR-2020-01", "lcspr", "draft_report", date(2020, 6, 1))
    # Moved by the service: entering "Final report" must not complete the review.
    move_stage(
        None, unpublished, to_stage="final_report", moved_on=date(2021, 2, 1),
        today=date(2021, 2, 1),
    )  # fmt: skip
    published = review(
        "LCSPR-2019-01", "lcspr", "published", date(2019, 9, 1), published_on=date(2021, 6, 30)
    )
    moves(
        published,
        ("draft_report", "final_report", date(2021, 1, 15)),
        ("final_report", "published", date(2021, 6, 30)),
    )
    rapid = review("RR-2021-01", "rapid_review", "panel_replied", date(2021, 5, 3))
    rapid.decisions.append(
        ReviewDecision(decided_on=date(2021, 5, 20), outcome="lcspr", rationale="Criteria met")
    )
    moves(
        rapid,
        ("in_progress", "sent_to_panel", date(2021, 5, 20)),
        ("sent_to_panel", "panel_replied", date(2021, 7, 1)),
    )
    lcspr = review("LCSPR-2021-01", "lcspr", "in_progress", date(2021, 7, 1))
    lcspr.deadlines.append(
        ReviewDeadline(
            clock_key="completion", name="Complete and publish", start_on=date(2021, 7, 1),
            due_on=date(2022, 1, 1), rule="6 calendar months", calendar="ENG",
        )
    )  # fmt: skip

    fathers = Theme(key="asat_fathers", name="Fathers and male carers")
    sharing = Theme(key="asat_sharing", name="Information sharing")
    voice = Theme(key="asat_voice", name="Voice of the child")
    learning = factories.finding(lcspr, themes=[fathers], position=1)
    factories.finding(lcspr, themes=[fathers], position=2)
    factories.finding(lcspr, themes=[sharing], kind=FindingKind.RECOMMENDATION, position=3)
    for position in (4, 5):
        factories.finding(lcspr, themes=[voice], kind=FindingKind.STRENGTH, position=position)
    older = factories.finding(published, themes=[fathers], kind=FindingKind.STRENGTH)
    older_learning = factories.finding(published, position=2)

    a1 = new_action(police, older_learning, "ASAT-A1", at(2020, 3, 1), date(2020, 12, 31))
    entry(a1, at(2020, 12, 1), ActionStatus.COMPLETED, ActionStatus.NOT_STARTED)
    entry(a1, at(2021, 1, 10), ActionStatus.ASSURED, ActionStatus.COMPLETED, UpdateKind.ASSURED)
    a1.status = ActionStatus.ASSURED

    a2 = new_action(police, learning, "ASAT-A2", at(2021, 8, 1), date(2022, 1, 31))
    entry(a2, at(2021, 9, 1), ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED)
    a2.status = ActionStatus.IN_PROGRESS

    a3 = new_action(police, learning, "ASAT-A3", at(2021, 6, 1), date(2021, 12, 31))
    entry(a3, at(2021, 11, 1), ActionStatus.COMPLETED, ActionStatus.NOT_STARTED)
    entry(a3, at(2022, 2, 1), ActionStatus.ASSURED, ActionStatus.COMPLETED, UpdateKind.ASSURED)
    entry(
        a3, at(2022, 3, 15), ActionStatus.ASSURED, ActionStatus.ASSURED, UpdateKind.IMPACT,
        "Evidence of impact. Audit", ImpactStatus.EVIDENCED,
    )  # fmt: skip
    a3.status, a3.impact_status = ActionStatus.ASSURED, ImpactStatus.EVIDENCED

    a4 = new_action(police, learning, "ASAT-A4", at(2021, 6, 1), date(2022, 6, 30))
    entry(
        a4, at(2022, 2, 10), ActionStatus.CLOSED_NOT_IMPLEMENTED, ActionStatus.NOT_STARTED,
        UpdateKind.CLOSED, "Replaced by the regional system",
    )  # fmt: skip
    a4.status = ActionStatus.CLOSED_NOT_IMPLEMENTED

    a5 = new_action(police, older_learning, "ASAT-A5", at(2020, 5, 1), date(2020, 11, 30))
    entry(
        a5, at(2020, 12, 1), ActionStatus.CLOSED_NOT_IMPLEMENTED, ActionStatus.NOT_STARTED,
        UpdateKind.CLOSED, "An older reason",
    )  # fmt: skip
    a5.status = ActionStatus.CLOSED_NOT_IMPLEMENTED

    a6 = new_action(police, older, "ASAT-A6", at(2021, 10, 1), date(2022, 12, 31))
    made.actions = {"A2": a2, "A3": a3, "A6": a6}
    db.session.flush()
    return made


def report_text(today: date, public: bool = False) -> str:
    return report_formats.to_markdown(build_yearly_report(YEAR, TYPES, public=public, today=today))


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n")[1].split("\n## ")[0]


def test_reviews_as_at_the_year(year: Year) -> None:
    text = report_text(date(2022, 4, 20))
    undertaken = section(text, "Reviews undertaken")
    assert "the partnership undertook one LCSPR and one rapid review; in it, an LCSPR" in undertaken
    assert "Stage on 31 March 2022" in undertaken and "Stage now" not in text
    assert "| RR-2021-01 | rapid review | 3 May 2021 | Panel replied |" in undertaken
    carried = section(text, "Reviews carried over")
    assert (
        "Two reviews started before 1 April 2021 continued into the year: "
        "two at the final report stage." in carried
    )
    for reference in ("LCSPR-2019-01", "LCSPR-2020-01"):
        assert reference in carried
    for closed in ("SIN-2020-01", "RR-2020-01", "SAR-2020-01"):
        assert closed not in carried
    completed = section(text, "Reviews completed")
    assert "One review was completed." in completed
    assert "LCSPR-2019-01" in completed and "LCSPR-2020-01" not in completed
    assert "One review report was published." in section(text, "Reviews published")


def test_moving_to_final_report_does_not_complete(year: Year) -> None:
    unpublished = year.reviews["LCSPR-2020-01"]
    assert unpublished.completed_on is None
    lcspr = TYPES["lcspr"]
    assert stage_on(unpublished, date(2021, 1, 31)) == "draft_report"
    assert stage_on(unpublished, date(2021, 3, 31)) == "final_report"
    assert open_on(unpublished, date(2021, 3, 31), lcspr)
    assert not open_on(year.reviews["RR-2020-01"], date(2021, 3, 31), TYPES["rapid_review"])


def test_learning_and_good_practice_apart(year: Year) -> None:
    text = report_text(date(2022, 4, 20))
    learned = section(text, "What we learned")
    assert (
        "The learning of the year's reviews was most often about "
        "fathers and male carers and information sharing." in learned
    )
    assert "| Fathers and male carers | 2 | 1 |" in learned
    assert "Voice of the child" not in learned
    good = section(text, "Good practice")
    assert (
        "The year's reviews recorded three strengths (good practice to repeat), most often "
        "about voice of the child and fathers and male carers." in good
    )
    assert "| Voice of the child | 2 | 1 |" in good
    # Fathers recur only through an earlier strength: that is not recurring learning.
    assert "came back" not in section(text, "Learning that recurred")


def test_actions_of_the_year(year: Year) -> None:
    text = report_text(date(2022, 4, 20))
    plan = section(text, "Action plans and evidence of impact")
    assert (
        "Four actions of the partnership's action plans were live in the year: four added, "
        "two falling due, one completed with evidence and one assured by the partnership. "
        "On 31 March 2022, two actions were open, of which one was past the due date. "
        "Evidence that the change made a difference was recorded for one action." in plan
    )
    assert "| Not started | 1 |" in plan and "| In progress | 1 |" in plan
    assert "| Assured | 1 |" in plan and "| Closed, not implemented | 1 |" in plan
    closed = section(text, "Findings not implemented")
    assert "One action was closed without being implemented in the year." in closed
    assert "Replaced by the regional system" in closed and "An older reason" not in closed


def test_later_years_leave_the_year_unchanged(year: Year) -> None:
    before = report_text(date(2022, 4, 20))
    before_public = report_text(date(2022, 4, 20), public=True)
    dashboard_before = dashboard_figures(year, date(2022, 4, 20))
    # Later years: A2 extended and completed, A3's impact re-assessed, A6 closed, the
    # unpublished LCSPR published, the rapid review closed, and a new review with actions.
    a2, a3, a6 = year.actions["A2"], year.actions["A3"], year.actions["A6"]
    a2.extension_requests.append(
        ExtensionRequest(
            requested_at=at(2022, 5, 1), due_date_at_request=date(2022, 1, 31),
            requested_due_date=date(2022, 9, 30), reason="Wait for the audit",
            status=ExtensionStatus.APPROVED, decided_at=at(2022, 6, 1),
        )
    )  # fmt: skip
    a2.due_date = date(2022, 9, 30)
    entry(a2, at(2022, 8, 1), ActionStatus.COMPLETED, ActionStatus.IN_PROGRESS)
    a2.status = ActionStatus.COMPLETED
    entry(
        a3, at(2023, 3, 1), ActionStatus.ASSURED, ActionStatus.ASSURED, UpdateKind.IMPACT,
        "No impact. Re-audit", ImpactStatus.NO_IMPACT,
    )  # fmt: skip
    a3.impact_status = ImpactStatus.NO_IMPACT
    entry(
        a6, at(2023, 1, 5), ActionStatus.CLOSED_NOT_IMPLEMENTED, ActionStatus.NOT_STARTED,
        UpdateKind.CLOSED, "Overtaken by the national reforms",
    )  # fmt: skip
    a6.status = ActionStatus.CLOSED_NOT_IMPLEMENTED
    unpublished = year.reviews["LCSPR-2020-01"]
    unpublished.published_on = unpublished.completed_on = date(2022, 9, 1)
    moves(unpublished, ("final_report", "published", date(2022, 9, 1)))
    unpublished.stage = "published"
    year.reviews["LCSPR-2021-01"].deadlines[0].met_on = date(2022, 6, 1)
    rapid = year.reviews["RR-2021-01"]
    rapid.decisions.append(
        ReviewDecision(
            decided_on=date(2023, 2, 1), outcome="no_further_review", rationale="Reconsidered"
        )
    )
    moves(rapid, ("panel_replied", "closed", date(2023, 1, 1)))
    rapid.stage = "closed"
    later = factories.review(
        year.home, reference="LCSPR-2025-01", review_type="lcspr", started_on=date(2025, 5, 1)
    )
    later_finding = factories.finding(
        later, themes=[Theme(key="asat_neglect", name="Neglect")], kind=FindingKind.STRENGTH
    )
    for number in range(3):
        new_action(
            year.police, later_finding, f"ASAT-L{number}", at(2025, 6, 1), date(2025, 12, 31),
            status=ActionStatus.CLOSED_NOT_IMPLEMENTED, closure_reason="Later",
        )  # fmt: skip
    # An action added later to a review of the year is not an action of that year.
    new_action(
        year.police, year.actions["A2"].findings[0], "ASAT-L9", at(2026, 1, 5), date(2026, 3, 1)
    )
    db.session.flush()
    db.session.expire_all()

    assert report_text(date(2027, 6, 1)) == before
    assert report_text(date(2027, 6, 1), public=True) == before_public
    assert dashboard_figures(year, date(2027, 6, 1)) == dashboard_before


def dashboard_figures(made: Year, today: date) -> tuple[Any, ...]:
    filters = Filters(year=YEAR, partnership_id=made.home.id, today=today)
    overview = action_figures.action_overview(filters)
    closed = action_figures.assurance_gap(filters, Gap.CLOSED_NOT_IMPLEMENTED)
    timeliness = [
        (row.clock_key, row.due, row.met_on_time, row.met_late, row.overdue, row.running)
        for row in statutory_timeliness.timeliness(filters)
    ]
    return (
        timeliness,
        [row[3:] for row in dashboard_tables.breaches(filters, TYPES).rows],
        [(row.agency, dict(row.by_status), row.overdue, row.average_days_overdue)
         for row in overview.by_agency],
        overview.ageing,
        [action.reference for action in closed],
        review_activity.reviews_by_type_and_stage(filters),
    )  # fmt: skip


def test_dashboard_and_scorecard_as_at_the_year(year: Year) -> None:
    """The dashboard's figures for 2021/22, hand-counted: the year's four actions with
    their status on 31 March 2022; A2 overdue by 59 days (31 January to 31 March); the
    reviews active in the year at the stage they had on 31 March 2022."""
    timeliness, breaches, by_agency, ageing, closed, stages = dashboard_figures(
        year, date(2022, 4, 20)
    )
    # LCSPR-2021-01's completion was due on 1 January 2022 and unmet on 31 March 2022:
    # overdue, 89 days late at the year's end (not counted to today).
    assert ("completion", 1, 0, 0, 1, 0) in timeliness
    assert breaches == [("Not met by 31 March 2022", 89)]
    assert by_agency == [
        (
            "Testshire Police",
            {
                ActionStatus.NOT_STARTED: 1,
                ActionStatus.IN_PROGRESS: 1,
                ActionStatus.COMPLETED: 0,
                ActionStatus.ASSURED: 1,
                ActionStatus.CLOSED_NOT_IMPLEMENTED: 1,
                ActionStatus.SUPERSEDED: 0,
            },
            1,
            59.0,
        )
    ]
    assert ageing == [("1 to 30 days", 0), ("31 to 90 days", 1), ("Over 90 days", 0)]
    assert closed == ["ASAT-A4"]
    assert stages == [
        ("lcspr", "final_report", 1),
        ("lcspr", "in_progress", 1),
        ("lcspr", "published", 1),
        ("rapid_review", "panel_replied", 1),
    ]
