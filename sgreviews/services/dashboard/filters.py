"""What the chair's dashboard and the agency scorecard count: the filters (business year or
quarter, partnership, agency, today) and the scope they give to reviews and to actions.

Semantics, which the page states too: the period (a business year or one quarter) selects
review activity, timeliness, themes and the trend. A period that has ended is shown as at
its end, from the recorded history (``services/history``): reviews at the stage they had
then, and the actions of the period (added, due, completed, assured or closed within it,
or open at its end) with the status they had then; so re-opening a past year later gives
the same figures. The current period shows each action's status today.

The figures are in modules named after them (``action_figures``, ``trends``,
``theme_heat_maps``, ``review_activity``, ``statutory_timeliness``, ``review_costs``,
``dissemination``); each function runs a fixed number of SQL queries, whatever the size of
the data, and returns plain rows ready for a table, a chart and an export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, Agency, Finding, Review
from sgreviews.models.action import action_finding
from sgreviews.services.history.event_dates import review_open_after_sql
from sgreviews.services.periods import BusinessYear, Period


@dataclass(frozen=True)
class Filters:
    year: BusinessYear
    quarter: int | None = None
    partnership_id: int | None = None
    agency_id: int | None = None
    # The one clock (Europe/London), not the server's local date.
    today: date = field(default_factory=london_today)

    @property
    def period(self) -> Period:
        return Period.of(self.year, self.quarter)

    @property
    def ended(self) -> bool:
        """The period is over: its figures are as at its end, from the history."""
        return self.period.end < self.today

    @property
    def as_at(self) -> date:
        """The day the figures are as at: the period's end, or today within it."""
        return min(self.period.end, self.today)


def action_scope(filters: Filters) -> list[ColumnElement[bool]]:
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


def review_scope(filters: Filters) -> list[ColumnElement[bool]]:
    """Reviews active at some point in the period."""
    period = filters.period
    clauses: list[ColumnElement[bool]] = [
        Review.counted_clause(),
        Review.started_on <= period.end,
        # Not completed (or published) before the period: the one event-date rule.
        review_open_after_sql(period.start),
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
