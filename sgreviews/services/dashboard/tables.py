"""The dashboard's tables, built once and shared by the page, its charts and its exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Protocol

from sgreviews.models import Action, ActionStatus
from sgreviews.review_types import ReviewType
from sgreviews.services.dashboard import (
    action_figures,
    dissemination,
    review_activity,
    review_costs,
    statutory_timeliness,
    theme_heat_maps,
    trends,
)
from sgreviews.services.dashboard.action_figures import AgencyRow, Gap
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.tabular import Table

TableBuilder = Callable[[Filters, Mapping[str, ReviewType]], Table]

# Long lists are cut to this many rows on the page (plus one, to know there are more);
# the downloads have every row.
PAGE_ROWS = 20


def _type_name(types: Mapping[str, ReviewType], key: str) -> str:
    review_type = types.get(key)
    return review_type.display_name if review_type else key


def _stage_name(types: Mapping[str, ReviewType], key: str, stage: str) -> str:
    review_type = types.get(key)
    return review_type.stage_label(stage) if review_type else stage


def reviews_by_stage(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return Table(
        "reviews-by-stage",
        "Reviews active in the period, by type and stage",
        ["Review type", "Stage", "Reviews"],
        [
            (_type_name(types, key), _stage_name(types, key, stage), count)
            for key, stage, count in review_activity.reviews_by_type_and_stage(filters)
        ],
    )


def reviews_started(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return Table(
        "reviews-started",
        "Reviews started in the period, by type",
        ["Review type", "Started"],
        [
            (_type_name(types, key), count)
            for key, count in review_activity.reviews_started_in_period(filters)
        ],
    )


def _by_agency_table(rows: list[AgencyRow]) -> Table:
    return Table(
        "actions-by-agency",
        "Actions by agency and status",
        ["Agency", *(status.label for status in ActionStatus), "Overdue", "Total"],
        [
            (
                row.agency,
                *(row.by_status[status] for status in ActionStatus),
                row.overdue,
                row.total,
            )
            for row in rows
        ],
    )


def actions_by_agency(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return _by_agency_table(action_figures.actions_by_agency(filters))


def scorecard(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return Table(
        "agency-scorecard",
        "Agency scorecard",
        ["Agency", "Open", "Overdue", "Completed", "Assured", "Average days overdue"],
        [
            (
                row.agency,
                row.open,
                row.overdue,
                row.by_status[ActionStatus.COMPLETED],
                row.by_status[ActionStatus.ASSURED],
                row.average_days_overdue if row.average_days_overdue is not None else "",
            )
            for row in action_figures.actions_by_agency(filters)
        ],
    )


def _ageing_table(ageing: list[tuple[str, int]]) -> Table:
    return Table(
        "overdue-ageing",
        "Open actions past their due date, by how long",
        ["Days overdue", "Actions"],
        ageing,
    )


def overdue_ageing(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return _ageing_table(action_figures.overdue_ageing(filters))


def _action_rows(actions: list[Action]) -> list[tuple[object, ...]]:
    return [
        (
            action.reference,
            action.action_text,
            action.due_date,
            action.status.label,
            action.impact_status.label,
        )
        for action in actions
    ]


ACTION_HEADERS = ["Ref", "Action", "Due", "Status", "Impact"]


class LimitedTableBuilder(Protocol):
    def __call__(
        self, filters: Filters, types: Mapping[str, ReviewType], limit: int | None = None
    ) -> Table: ...


def _gap_table(gap: Gap, key: str, title: str) -> LimitedTableBuilder:
    """A table of the actions in one assurance gap, cut to ``limit`` rows on the page."""

    def build(filters: Filters, types: Mapping[str, ReviewType], limit: int | None = None) -> Table:
        rows = _action_rows(action_figures.assurance_gap(filters, gap, limit))
        return Table(key, title, ACTION_HEADERS, rows)

    return build


completed_not_assured = _gap_table(
    Gap.COMPLETED_NOT_ASSURED, "completed-not-assured", "Completed but not yet assured"
)
assured_without_impact = _gap_table(
    Gap.ASSURED_WITHOUT_IMPACT,
    "assured-without-impact",
    "Assured without evidence of impact",
)
closed_not_implemented = _gap_table(
    Gap.CLOSED_NOT_IMPLEMENTED,
    "closed-not-implemented",
    "Closed without being implemented",
)


def monthly_trend(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return Table(
        "monthly-trend",
        "Actions at each month end",
        ["Month end", "Open", "Overdue", "Completed"],
        [
            (point.month_end, point.open, point.overdue, point.completed)
            for point in trends.monthly_trend(filters)
        ],
    )


def themes_by_year(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    grid = theme_heat_maps.themes_by_year(filters)
    return Table(
        "themes-by-year",
        "Learning by theme and business year",
        ["Theme", *grid.columns],
        [(theme, *values) for theme, values in zip(grid.rows, grid.values, strict=True)],
    )


def themes_by_review(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    grid = theme_heat_maps.themes_by_review(filters)
    return Table(
        "themes-by-review",
        "Learning by theme and review",
        ["Theme", *grid.columns],
        [(theme, *values) for theme, values in zip(grid.rows, grid.values, strict=True)],
    )


def by_agency_rows_that_matter(rows: list[AgencyRow]) -> list[AgencyRow]:
    """The page's order for the per-agency table and chart: most overdue first, then most
    open, then by name; agencies with nothing open come last."""
    return sorted(rows, key=lambda row: (-row.overdue, -row.open, row.agency))


# Built from one call to action_figures.action_overview on the page, not each on its own.
FROM_OVERVIEW = {"actions-by-agency", "agency-scorecard", "overdue-ageing"}


def page_tables(filters: Filters, types: Mapping[str, ReviewType]) -> dict[str, Table]:
    """Every dashboard table for the page, long lists cut to PAGE_ROWS + 1 rows. The
    per-agency table comes in the page's order (``by_agency_rows_that_matter``), whole:
    the view shows one page of it."""
    tables = {
        key: build(filters, types)
        for key, build in TABLES.items()
        if key not in CUT_ON_PAGE and key not in FROM_OVERVIEW
    }
    for key in CUT_ON_PAGE:
        tables[key] = CUT_ON_PAGE[key](filters, types, PAGE_ROWS + 1)
    overview = action_figures.action_overview(filters)
    tables["actions-by-agency"] = _by_agency_table(by_agency_rows_that_matter(overview.by_agency))
    tables["overdue-ageing"] = _ageing_table(overview.ageing)
    return tables


def _outcome_label(types: Mapping[str, ReviewType], key: str, outcome: str) -> str:
    review_type = types.get(key)
    for option in review_type.outcomes if review_type else ():
        if option.key == outcome:
            return option.label
    return outcome


def decisions(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return Table(
        "decisions",
        "Decisions made in the period",
        ["Review type", "Decision", "Reviews"],
        [
            (_type_name(types, key), _outcome_label(types, key, outcome), count)
            for key, outcome, count in review_activity.decisions(filters)
        ],
    )


def timeliness(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    return Table(
        "timeliness",
        "Statutory deadlines falling due in the period",
        ["Deadline", "Due", "Met on time", "Met late", "Overdue", "Still running", "% on time"],
        [
            (
                f"{_type_name(types, row.review_type)}: {row.clock_name}",
                row.due,
                row.met_on_time,
                row.met_late,
                row.overdue,
                row.running,
                f"{row.share_on_time}%"
                if row.share_on_time is not None
                else "None met or missed yet",
            )
            for row in statutory_timeliness.timeliness(filters)
        ],
    )


def breaches(filters: Filters, types: Mapping[str, ReviewType], limit: int | None = None) -> Table:
    rows = []
    day = filters.as_at  # a past period's days late are counted to its end, not today
    not_met = "Not yet met" if day == filters.today else f"Not met by {day:%-d %B %Y}"
    for review, deadline in statutory_timeliness.timeliness_breaches(filters, limit):
        met_on = deadline.met_on if deadline.met_on and deadline.met_on <= day else None
        late_by = ((met_on or day) - deadline.due_on).days
        rows.append(
            (
                review.reference,
                f"{_type_name(types, review.review_type)}: {deadline.name}",
                deadline.due_on,
                met_on or not_met,
                late_by,
            )
        )
    return Table(
        "timeliness-breaches",
        "Deadlines met late or missed",
        ["Review", "Deadline", "Due", "Met", "Days late"],
        rows,
    )


def costs(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    rows = []
    for row in review_costs.costs_against_budget(filters):
        cost = row.cost_pence / 100
        rows.append(
            (
                _type_name(types, row.review_type),
                row.reviews,
                f"£{cost:,.2f}",
                f"£{row.budget:,.2f}" if row.budget is not None else "No budget set",
                f"£{row.budget - Decimal(str(cost)):,.2f}" if row.budget is not None else "",
            )
        )
    return Table(
        "costs",
        f"Costs of reviews commissioned in {filters.year.label} against budget",
        ["Review type", "Commissioned", "Cost", "Budget", "Budget left"],
        rows,
    )


def reach(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    result = dissemination.dissemination(filters)
    return Table(
        "dissemination",
        f"Learning reach in the period ({result.briefings_published} briefings published)",
        ["Agency", "Reads confirmed", "Team uses recorded", "Staff reached in teams"],
        [(row.agency, row.reads, row.team_uses, row.staff_reached) for row in result.by_agency],
    )


TABLES: dict[str, TableBuilder] = {
    "reviews-by-stage": reviews_by_stage,
    "reviews-started": reviews_started,
    "decisions": decisions,
    "timeliness": timeliness,
    "timeliness-breaches": breaches,
    "costs": costs,
    "dissemination": reach,
    "actions-by-agency": actions_by_agency,
    "agency-scorecard": scorecard,
    "overdue-ageing": overdue_ageing,
    "completed-not-assured": completed_not_assured,
    "assured-without-impact": assured_without_impact,
    "closed-not-implemented": closed_not_implemented,
    "monthly-trend": monthly_trend,
    "themes-by-year": themes_by_year,
    "themes-by-review": themes_by_review,
}

CUT_ON_PAGE = {
    "timeliness-breaches": breaches,
    "completed-not-assured": completed_not_assured,
    "assured-without-impact": assured_without_impact,
    "closed-not-implemented": closed_not_implemented,
}
