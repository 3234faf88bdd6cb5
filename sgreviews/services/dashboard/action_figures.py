"""Action figures: per agency, actions by status and open actions overdue (the agency
scorecard); overdue actions by how long overdue (ageing); and the assurance gap (actions
done but not assured, assured without evidence of impact, or closed not implemented)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, Agency, ImpactStatus
from sgreviews.models.plan_tally import ActionDueTally
from sgreviews.models.tally import ActionStatusTally, OpenActionMonthTally
from sgreviews.services.dashboard.filters import Filters, action_scope
from sgreviews.services.history.actions_as_at import ActionAsAt, actions_of_period
from sgreviews.services.sqlparts import days_between

OPEN_STATUSES = [status for status in ActionStatus if status.is_open]
AGEING_BANDS = [("1 to 30 days", 1, 30), ("31 to 90 days", 31, 90), ("Over 90 days", 91, None)]


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
    it depends on today, so it cannot be kept as a tally.

    A period that has ended is shown as at its end instead (``_overview_as_at``): the
    period's actions with the status they had then, days overdue counted to its end."""
    if filters.ended:
        return _overview_as_at(filters)
    today = filters.today
    scope = action_scope(filters)
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


def _overview_as_at(filters: Filters) -> ActionOverview:
    """``action_overview`` for a period that has ended, from the actions' history: the
    actions of the period (``history.actions_as_at``) by agency and status at its end,
    those open and past the due date that stood then, and how long overdue at its end.
    Four queries."""
    day = filters.as_at
    states = actions_of_period(action_scope(filters), filters.period, day)
    agency_ids = {state.action.owning_agency_id for state in states}
    names = dict(
        db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).all()
    )
    by_status: dict[int, dict[ActionStatus, int]] = {}
    late_days: dict[int, list[int]] = {}
    ageing = [0] * len(AGEING_BANDS)
    for state in states:
        agency_id = state.action.owning_agency_id
        by_status.setdefault(agency_id, dict.fromkeys(ActionStatus, 0))[state.status] += 1
        if state.overdue(day):
            late = (day - state.due_date).days
            late_days.setdefault(agency_id, []).append(late)
            for index, (_label, low, high) in enumerate(AGEING_BANDS):
                if late >= low and (high is None or late <= high):
                    ageing[index] += 1
    rows = [
        AgencyRow(
            agency_id=agency_id,
            agency=names[agency_id],
            by_status=by_status[agency_id],
            overdue=len(late_days.get(agency_id, [])),
            average_days_overdue=(
                round(sum(late_days[agency_id]) / len(late_days[agency_id]), 1)
                if late_days.get(agency_id)
                else None
            ),
        )
        for agency_id in sorted(by_status, key=lambda key: (names[key], key))
    ]
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
    implemented; by due date, at most ``limit`` rows. For a period that has ended: the
    period's actions in that state at its end (the closed ones closed within it)."""
    if filters.ended:
        states = [
            state
            for state in actions_of_period(action_scope(filters), filters.period, filters.as_at)
            if _in_gap_as_at(state, gap)
        ]
        states.sort(key=lambda state: (state.due_date, state.action.reference))
        return [state.action for state in states[:limit]]
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
        .where(*clauses, *action_scope(filters))
        .order_by(Action.due_date, Action.reference)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def _in_gap_as_at(state: ActionAsAt, gap: Gap) -> bool:
    if gap is Gap.COMPLETED_NOT_ASSURED:
        return state.status is ActionStatus.COMPLETED
    if gap is Gap.ASSURED_WITHOUT_IMPACT:
        return state.status is ActionStatus.ASSURED and state.impact in (
            ImpactStatus.NOT_ASSESSED,
            ImpactStatus.PLANNED,
        )
    return state.closed_in_period
