"""Aggregates for the chair's dashboard and the agency scorecard.

Every function runs a fixed number of SQL queries, whatever the size of the data, and
returns plain rows ready for a table, a chart and an export.

Semantics, which the page states too: the period (a business year or one quarter) selects
review activity, timeliness, themes and the trend; action tables show each action's
current status for actions answering findings of reviews in the selected partnership,
owned by the selected agency.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Agency,
    Finding,
    ImpactStatus,
    Review,
    ReviewBudget,
    Theme,
)
from sgreviews.models.action import FINISHED_STATUSES, action_finding
from sgreviews.models.briefing import Briefing, BriefingRead, BriefingTeamUse, BriefingVersion
from sgreviews.models.finding import finding_theme
from sgreviews.models.plan_tally import ActionDueTally
from sgreviews.models.review import ReviewDeadline, ReviewDecision
from sgreviews.models.tally import (
    NOT_FINISHED,
    ActionMonthTally,
    ActionStatusTally,
    OpenActionMonthTally,
    ThemeYearTally,
)
from sgreviews.services.periods import BusinessYear, Period
from sgreviews.services.reviews.queries import active_hold
from sgreviews.services.sqlparts import days_between

OPEN_STATUSES = [status for status in ActionStatus if status.is_open]
DONE_STATUSES = list(FINISHED_STATUSES)
AGEING_BANDS = [("1 to 30 days", 1, 30), ("31 to 90 days", 31, 90), ("Over 90 days", 91, None)]


@dataclass(frozen=True)
class Filters:
    year: BusinessYear
    quarter: int | None = None
    partnership_id: int | None = None
    agency_id: int | None = None
    today: date = field(default_factory=date.today)

    @property
    def period(self) -> Period:
        return Period.of(self.year, self.quarter)


def _action_scope(filters: Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.partnership_id is not None:
        # An uncorrelated IN, driven from the partnership's reviews through the indexes on
        # review.partnership_id, finding.review_id and action_finding.finding_id. (A
        # correlated EXISTS per action read every action in the country.)
        clauses.append(
            Action.id.in_(
                select(action_finding.c.action_id)
                .join(Finding, Finding.id == action_finding.c.finding_id)
                .join(Review, Review.id == Finding.review_id)
                .where(Review.partnership_id == filters.partnership_id)
            )
        )
    if filters.agency_id is not None:
        clauses.append(Action.owning_agency_id == filters.agency_id)
    return clauses


def agency_choices(partnership_id: int, keep: int | None = None) -> list[tuple[int, str]]:
    """(id, name) by name of the agencies owning actions that answer findings of the
    partnership's reviews (the agency filter's options once a partnership is chosen), and
    the agency ``keep`` whatever it owns, so a chosen agency stays chosen. One query."""
    owners = (
        select(Action.owning_agency_id)
        .join(action_finding, action_finding.c.action_id == Action.id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(Review.partnership_id == partnership_id)
    )
    chosen: ColumnElement[bool] = Agency.id.in_(owners)
    if keep is not None:
        chosen = or_(chosen, Agency.id == keep)
    rows = db.session.execute(select(Agency.id, Agency.name).where(chosen).order_by(Agency.name))
    return [(agency_id, name) for agency_id, name in rows.all()]


def _review_scope(filters: Filters) -> list[ColumnElement[bool]]:
    """Reviews active at some point in the period."""
    period = filters.period
    clauses: list[ColumnElement[bool]] = [
        Review.started_on <= period.end,
        or_(Review.completed_on.is_(None), Review.completed_on >= period.start),
    ]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    if filters.agency_id is not None:
        clauses.append(
            exists()
            .where(Finding.review_id == Review.id)
            .where(action_finding.c.finding_id == Finding.id)
            .where(action_finding.c.action_id == Action.id)
            .where(Action.owning_agency_id == filters.agency_id)
        )
    return clauses


def reviews_by_type_and_stage(filters: Filters) -> list[tuple[str, str, int]]:
    rows = db.session.execute(
        select(Review.review_type, Review.stage, func.count())
        .where(*_review_scope(filters))
        .group_by(Review.review_type, Review.stage)
        .order_by(Review.review_type, Review.stage)
    ).all()
    return [(review_type, stage, count) for review_type, stage, count in rows]


def reviews_started_in_period(filters: Filters) -> list[tuple[str, int]]:
    period = filters.period
    clauses = [Review.started_on >= period.start, Review.started_on <= period.end]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    rows = db.session.execute(
        select(Review.review_type, func.count())
        .where(*clauses)
        .group_by(Review.review_type)
        .order_by(Review.review_type)
    ).all()
    return [(review_type, count) for review_type, count in rows]


@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    agency: str
    by_status: dict[ActionStatus, int]
    overdue: int
    average_days_overdue: float | None

    @property
    def open(self) -> int:
        return sum(self.by_status[status] for status in OPEN_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class ActionOverview:
    """Per agency rows (by name) and the overdue ageing bands, from two queries."""

    by_agency: list[AgencyRow]
    ageing: list[tuple[str, int]]


def action_overview(filters: Filters) -> ActionOverview:
    """Per agency: actions by status, open actions overdue and their average days overdue
    (the agency scorecard); and open overdue actions by how long overdue.

    Two queries. The first gives one row per agency with its actions by status: nationally
    from ``ActionStatusTally``, otherwise over the actions in scope. The second reads only
    the open actions past their due date, driven from the agency table into the index on
    ``(owning_agency_id, status, due_date)`` (a range per agency, in index order, no sort);
    it depends on today, so it cannot be kept as a tally."""
    today = filters.today
    scope = _action_scope(filters)
    status_sums = [
        func.sum(case((ActionStatusTally.status == status, ActionStatusTally.actions), else_=0))
        for status in ActionStatus
    ]
    if filters.partnership_id is None:
        # Nationally, the running tally (kept in the same transaction as every change to an
        # action) instead of counting every action in the country; one row per agency.
        tally_scope = []
        if filters.agency_id is not None:
            tally_scope.append(ActionStatusTally.owning_agency_id == filters.agency_id)
        counts = db.session.execute(
            select(Agency.id, Agency.name, *status_sums)
            .join(Agency, Agency.id == ActionStatusTally.owning_agency_id)
            .where(*tally_scope)
            .group_by(Agency.id, Agency.name)
            .having(func.sum(ActionStatusTally.actions) > 0)
        ).all()
    else:
        counts = db.session.execute(
            select(
                Agency.id,
                Agency.name,
                *(func.sum(case((Action.status == status, 1), else_=0)) for status in ActionStatus),
            )
            .select_from(Agency)
            .join(Action, Action.owning_agency_id == Agency.id)
            .where(*scope)
            .group_by(Agency.id, Agency.name)
        ).all()
    if filters.partnership_id is None and filters.agency_id is None:
        overdue_rows, ageing = _national_overdue(today)
    else:
        overdue_rows, ageing = _overdue_in_scope(today, scope)
    by_status: dict[int, dict[ActionStatus, int]] = {}
    names: dict[int, str] = {}
    for agency_id, name, *status_counts in counts:
        names[agency_id] = name
        by_status[agency_id] = {
            status: int(count or 0)
            for status, count in zip(ActionStatus, status_counts, strict=True)
        }
    overdue: dict[int, tuple[int, float]] = {}
    for agency_id, count, total_days in overdue_rows:
        late, days = overdue.get(agency_id, (0, 0.0))
        overdue[agency_id] = (late + int(count), days + float(total_days or 0))
    rows = []
    for agency_id in sorted(names, key=lambda key: (names[key], key)):
        late, total_days = overdue.get(agency_id, (0, 0.0))
        rows.append(
            AgencyRow(
                agency_id=agency_id,
                agency=names[agency_id],
                by_status=by_status[agency_id],
                overdue=late,
                average_days_overdue=round(total_days / late, 1) if late else None,
            )
        )
    return ActionOverview(
        by_agency=rows,
        ageing=[(label, ageing[index]) for index, (label, _low, _high) in enumerate(AGEING_BANDS)],
    )


def _bands(due: Any, today: date) -> list[ColumnElement[bool]]:
    """The ageing bands as conditions on a due date column, for ``today``."""
    return [
        and_(due >= today - timedelta(days=high), due <= today - timedelta(days=low))
        if high
        else due <= today - timedelta(days=low)
        for _label, low, high in AGEING_BANDS
    ]


def _overdue_in_scope(
    today: date, scope: list[ColumnElement[bool]]
) -> tuple[list[tuple[int, int, float]], list[int]]:
    """Open actions past their due date in scope, per agency (count, total days overdue)
    and by ageing band, read from the actions: driven from the agency table into the
    index on ``(owning_agency_id, status, due_date)``, a range per agency."""
    rows = db.session.execute(
        select(
            Agency.id,
            func.count(),
            func.sum(days_between(Action.due_date, today)),
            *(func.sum(case((band, 1), else_=0)) for band in _bands(Action.due_date, today)),
        )
        .select_from(Agency)
        .join(Action, Action.owning_agency_id == Agency.id)
        .where(Action.status.in_(OPEN_STATUSES), Action.due_date < today, *scope)
        .group_by(Agency.id)
    ).all()
    ageing = [0] * len(AGEING_BANDS)
    for _agency_id, _count, _days, *band_counts in rows:
        for index, band_count in enumerate(band_counts):
            ageing[index] += int(band_count or 0)
    return [(row[0], int(row[1]), float(row[2] or 0)) for row in rows], ageing


def _national_overdue(today: date) -> tuple[list[tuple[int, int, float]], list[int]]:
    """Open actions past their due date in the whole country, per agency and by ageing
    band, exact for today without reading every one of them (two queries):

    - per agency, one statement: the months before today's month from
      ``OpenActionMonthTally`` (an action due in month M < today's month is overdue by
      today's day number minus its own, so a month's total is actions x today's number -
      the sum kept), and the days of this month before today from the actions (one month
      of the index on ``(status, due_date)``). An agency may have a row from each part.
    - the ageing bands from the plan's ``ActionDueTally`` (open actions per status, off
      track and due date; at most one row per status, flag and past day)."""
    month_start = today.replace(day=1)
    from_tally = (
        select(
            OpenActionMonthTally.owning_agency_id.label("agency_id"),
            func.sum(OpenActionMonthTally.actions).label("late"),
            (
                func.sum(OpenActionMonthTally.actions) * today.toordinal()
                - func.sum(OpenActionMonthTally.due_days)
            ).label("days"),
        )
        .where(
            OpenActionMonthTally.due_month < today.strftime("%Y-%m"),
            OpenActionMonthTally.actions > 0,
        )
        .group_by(OpenActionMonthTally.owning_agency_id)
    )
    this_month = (
        select(
            Action.owning_agency_id,
            func.count(),
            func.sum(days_between(Action.due_date, today)),
        )
        .where(
            Action.status.in_(OPEN_STATUSES),
            Action.due_date >= month_start,
            Action.due_date < today,
        )
        .group_by(Action.owning_agency_id)
    )
    rows = db.session.execute(from_tally.union_all(this_month)).all()
    bands = _bands(ActionDueTally.due_date, today)
    ageing_row = db.session.execute(
        select(*(func.sum(case((band, ActionDueTally.actions), else_=0)) for band in bands)).where(
            ActionDueTally.status.in_(OPEN_STATUSES), ActionDueTally.due_date < today
        )
    ).one()
    return (
        [(agency_id, int(late), float(days or 0)) for agency_id, late, days in rows],
        [int(count or 0) for count in ageing_row],
    )


def actions_by_agency(filters: Filters) -> list[AgencyRow]:
    """Per agency, by name: actions by status, open actions overdue, and their average
    days overdue (the agency scorecard)."""
    return action_overview(filters).by_agency


def overdue_ageing(filters: Filters) -> list[tuple[str, int]]:
    """Open actions past their due date, by how many days."""
    return action_overview(filters).ageing


class Gap(enum.Enum):
    """Actions that need the chair's eye."""

    COMPLETED_NOT_ASSURED = "completed_not_assured"
    ASSURED_WITHOUT_IMPACT = "assured_without_impact"
    CLOSED_NOT_IMPLEMENTED = "closed_not_implemented"


def assurance_gap(filters: Filters, gap: Gap, limit: int | None = None) -> list[Action]:
    """Done but not assured, assured with no evidence of impact yet, or closed without being
    implemented; by due date, at most ``limit`` rows."""
    clauses: list[ColumnElement[bool]] = {
        Gap.COMPLETED_NOT_ASSURED: [Action.status == ActionStatus.COMPLETED],
        Gap.ASSURED_WITHOUT_IMPACT: [
            Action.status == ActionStatus.ASSURED,
            Action.impact_status.in_([ImpactStatus.NOT_ASSESSED, ImpactStatus.PLANNED]),
        ],
        Gap.CLOSED_NOT_IMPLEMENTED: [Action.status == ActionStatus.CLOSED_NOT_IMPLEMENTED],
    }[gap]
    query = (
        select(Action)
        .where(*clauses, *_action_scope(filters))
        .order_by(Action.due_date, Action.reference)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class TrendPoint:
    month_end: date
    open: int
    overdue: int
    completed: int


def _month_ends(filters: Filters) -> list[date]:
    return [end for end in filters.year.month_ends() if end <= filters.today] or [
        filters.year.month_ends()[0]
    ]


def monthly_trend(filters: Filters) -> list[TrendPoint]:
    """Open, overdue and completed actions at each month end of the business year (up to
    today), in one query. An action counts from the day it was created; it stops being open
    on its first update to a finished status (``Action.finished_at``, kept as updates are
    added). Nationally from the month tally, otherwise from the actions in scope."""
    if filters.partnership_id is None and filters.agency_id is None:
        return monthly_trend_from_tally(filters)
    return monthly_trend_live(filters)


def monthly_trend_from_tally(filters: Filters) -> list[TrendPoint]:
    """The national trend from ``ActionMonthTally`` (a few hundred rows): at a month end
    an action exists if created in or before that month, is done if first finished in or
    before it, and is overdue if the day after its due date is in or before it."""
    month_ends = _month_ends(filters)
    rows = db.session.execute(
        select(
            ActionMonthTally.created_month,
            ActionMonthTally.finished_month,
            ActionMonthTally.due_month,
            ActionMonthTally.actions,
        ).where(ActionMonthTally.actions > 0)
    ).all()
    points = []
    for month_end in month_ends:
        month = month_end.strftime("%Y-%m")
        still_open = overdue = done = 0
        for created, finished, due, count in rows:
            if created > month:
                continue
            if finished != NOT_FINISHED and finished <= month:
                done += count
            else:
                still_open += count
                if due <= month:
                    overdue += count
        points.append(TrendPoint(month_end, still_open, overdue, done))
    return points


def monthly_trend_live(filters: Filters) -> list[TrendPoint]:
    """The trend over the actions in scope (conditional aggregation, one query)."""
    month_ends = _month_ends(filters)
    columns: list[Any] = []
    for index, month_end in enumerate(month_ends):
        moment = datetime.combine(month_end, time.max, tzinfo=UTC)
        existed = Action.created_at <= moment
        done = and_(Action.finished_at.is_not(None), Action.finished_at <= moment)
        is_open = and_(existed, ~done)
        columns += [
            func.sum(case((is_open, 1), else_=0)).label(f"open{index}"),
            func.sum(case((and_(is_open, Action.due_date < month_end), 1), else_=0)).label(
                f"overdue{index}"
            ),
            func.sum(case((and_(existed, done), 1), else_=0)).label(f"done{index}"),
        ]
    row = db.session.execute(
        select(*columns).select_from(Action).where(*_action_scope(filters))
    ).one()
    mapping = row._mapping
    return [
        TrendPoint(
            month_end=month_end,
            open=int(mapping[f"open{index}"] or 0),
            overdue=int(mapping[f"overdue{index}"] or 0),
            completed=int(mapping[f"done{index}"] or 0),
        )
        for index, month_end in enumerate(month_ends)
    ]


@dataclass(frozen=True)
class HeatMap:
    rows: list[str]
    columns: list[str]
    values: list[list[int]]


def themes_by_year(filters: Filters, years: int = 5) -> HeatMap:
    """Findings per theme in the reviews started in each of the last ``years`` business
    years up to the selected one."""
    first = filters.year.start_year - years + 1
    # From the tally of findings per theme, partnership and business year (kept as findings
    # are tagged and reviews change), not a join over every finding in the country.
    clauses = [
        ThemeYearTally.business_year >= first,
        ThemeYearTally.business_year <= filters.year.start_year,
        ThemeYearTally.findings > 0,
    ]
    if filters.partnership_id is not None:
        clauses.append(ThemeYearTally.partnership_id == filters.partnership_id)
    rows = db.session.execute(
        select(Theme.name, ThemeYearTally.business_year, func.sum(ThemeYearTally.findings))
        .join(Theme, Theme.id == ThemeYearTally.theme_id)
        .where(*clauses)
        .group_by(Theme.name, ThemeYearTally.business_year)
    ).all()
    year_labels = [BusinessYear(first + offset).label for offset in range(years)]
    counts: dict[str, list[int]] = {}
    for theme, year, count in rows:
        counts.setdefault(theme, [0] * years)[int(year) - first] = count
    ordered = sorted(counts, key=lambda name: (-sum(counts[name]), name))
    return HeatMap(rows=ordered, columns=year_labels, values=[counts[name] for name in ordered])


def themes_by_review(filters: Filters, limit: int = 12) -> HeatMap:
    """Findings per theme for the most recently started reviews active in the period
    (at most ``limit`` reviews, so the grid stays readable)."""
    reviews = db.session.execute(
        select(Review.id, Review.reference)
        .where(*_review_scope(filters))
        .order_by(Review.started_on.desc(), Review.id.desc())
        .limit(limit)
    ).all()
    review_ids = [review_id for review_id, _reference in reviews]
    rows = db.session.execute(
        select(Theme.name, Finding.review_id, func.count(Finding.id))
        .join(finding_theme, finding_theme.c.theme_id == Theme.id)
        .join(Finding, Finding.id == finding_theme.c.finding_id)
        .where(Finding.review_id.in_(review_ids))
        .group_by(Theme.name, Finding.review_id)
    ).all()
    position = {review_id: index for index, review_id in enumerate(review_ids)}
    counts: dict[str, list[int]] = {}
    for theme, review_id, count in rows:
        counts.setdefault(theme, [0] * len(review_ids))[position[review_id]] = count
    ordered = sorted(counts, key=lambda name: (-sum(counts[name]), name))
    return HeatMap(
        rows=ordered,
        columns=[reference for _id, reference in reviews],
        values=[counts[name] for name in ordered],
    )


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
    paused by a hold)."""
    period, today = filters.period, filters.today
    met_on_time = and_(
        ReviewDeadline.met_on.is_not(None), ReviewDeadline.met_on <= ReviewDeadline.due_on
    )
    met_late = and_(
        ReviewDeadline.met_on.is_not(None), ReviewDeadline.met_on > ReviewDeadline.due_on
    )
    unmet = ReviewDeadline.met_on.is_(None)
    overdue = and_(unmet, ReviewDeadline.due_on < today, ~active_hold())
    running = and_(unmet, or_(ReviewDeadline.due_on >= today, active_hold()))
    clauses = [ReviewDeadline.due_on >= period.start, ReviewDeadline.due_on <= period.end]
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
    """Deadlines due in the period that were met late or are overdue, oldest first."""
    period, today = filters.period, filters.today
    late = and_(ReviewDeadline.met_on.is_not(None), ReviewDeadline.met_on > ReviewDeadline.due_on)
    overdue = and_(ReviewDeadline.met_on.is_(None), ReviewDeadline.due_on < today, ~active_hold())
    clauses = [
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


def decisions(filters: Filters) -> list[tuple[str, str, int]]:
    """Decisions recorded in the period, per review type and outcome (what notifications
    and rapid reviews led to)."""
    period = filters.period
    clauses = [ReviewDecision.decided_on >= period.start, ReviewDecision.decided_on <= period.end]
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


@dataclass(frozen=True)
class CostRow:
    review_type: str
    reviews: int
    cost_pence: int
    budget: Decimal | None


def costs_against_budget(filters: Filters) -> list[CostRow]:
    """Costs of the reviews commissioned in the business year (whole year, whatever the
    quarter: budgets are yearly), per type, beside the budget set for that year."""
    year = filters.year
    clauses = [Review.commissioned_on >= year.start, Review.commissioned_on <= year.end]
    budget_clauses = [ReviewBudget.business_year == year.start_year]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
        budget_clauses.append(ReviewBudget.partnership_id == filters.partnership_id)
    costs = {
        review_type: (int(count), int(total or 0))
        for review_type, count, total in db.session.execute(
            select(Review.review_type, func.count(), func.sum(Review.cost_pence))
            .where(*clauses)
            .group_by(Review.review_type)
        ).all()
    }
    budgets = {
        review_type: amount
        for review_type, amount in db.session.execute(
            select(ReviewBudget.review_type, func.sum(ReviewBudget.amount))
            .where(*budget_clauses)
            .group_by(ReviewBudget.review_type)
        ).all()
    }
    return [
        CostRow(key, costs.get(key, (0, 0))[0], costs.get(key, (0, 0))[1], budgets.get(key))
        for key in sorted(set(costs) | set(budgets))
    ]


@dataclass(frozen=True)
class ReachRow:
    agency: str
    reads: int
    team_uses: int
    staff_reached: int


@dataclass(frozen=True)
class Dissemination:
    briefings_published: int
    by_agency: list[ReachRow]

    @property
    def reads(self) -> int:
        return sum(row.reads for row in self.by_agency)

    @property
    def team_uses(self) -> int:
        return sum(row.team_uses for row in self.by_agency)

    @property
    def staff_reached(self) -> int:
        return sum(row.staff_reached for row in self.by_agency)


def dissemination(filters: Filters) -> Dissemination:
    """Who the learning reached in the period: briefings published, reads and team uses by
    the reader's agency (three queries)."""
    period = filters.period
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end, time.max, tzinfo=UTC)
    in_partnership: list[ColumnElement[bool]] = []
    if filters.partnership_id is not None:
        in_partnership.append(Briefing.partnership_id == filters.partnership_id)
    published = db.session.scalar(
        select(func.count(func.distinct(BriefingVersion.briefing_id)))
        .join(Briefing, Briefing.id == BriefingVersion.briefing_id)
        .where(BriefingVersion.published_at >= start, BriefingVersion.published_at <= end)
        .where(*in_partnership)
    )
    read_clauses = [BriefingRead.read_at >= start, BriefingRead.read_at <= end, *in_partnership]
    use_clauses = [
        BriefingTeamUse.used_on >= period.start,
        BriefingTeamUse.used_on <= period.end,
        *in_partnership,
    ]
    if filters.agency_id is not None:
        read_clauses.append(BriefingRead.agency_id == filters.agency_id)
        use_clauses.append(BriefingTeamUse.agency_id == filters.agency_id)
    rows: dict[str, list[int]] = {}
    for name, count in db.session.execute(
        select(func.coalesce(Agency.name, "No agency"), func.count(BriefingRead.id))
        .select_from(BriefingRead)
        .join(Briefing, Briefing.id == BriefingRead.briefing_id)
        .outerjoin(Agency, Agency.id == BriefingRead.agency_id)
        .where(*read_clauses)
        .group_by(Agency.name)
    ).all():
        rows.setdefault(name, [0, 0, 0])[0] = int(count)
    for name, count, staff in db.session.execute(
        select(Agency.name, func.count(BriefingTeamUse.id), func.sum(BriefingTeamUse.staff_count))
        .select_from(BriefingTeamUse)
        .join(Briefing, Briefing.id == BriefingTeamUse.briefing_id)
        .join(Agency, Agency.id == BriefingTeamUse.agency_id)
        .where(*use_clauses)
        .group_by(Agency.name)
    ).all():
        row = rows.setdefault(name, [0, 0, 0])
        row[1], row[2] = int(count), int(staff or 0)
    return Dissemination(
        briefings_published=int(published or 0),
        by_agency=[ReachRow(name, *values) for name, values in sorted(rows.items())],
    )
