"""The monthly trend of open, overdue and completed actions across the business year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from sgreviews.extensions import db
from sgreviews.models import Action
from sgreviews.models.tally import NOT_FINISHED, ActionMonthTally
from sgreviews.services.dashboard.filters import Filters, action_scope


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
    today), in one query. An action counts from the day it joined the plan
    (``Action.added_on``); it stops being open on the day its first update to a finished
    status took effect (``Action.finished_on``, kept as updates are added), so a year
    entered as history has its trend. Nationally from the month tally, otherwise from the
    actions in scope."""
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
        existed = Action.added_on <= month_end
        done = and_(Action.finished_on.is_not(None), Action.finished_on <= month_end)
        is_open = and_(existed, ~done)
        columns += [
            func.sum(case((is_open, 1), else_=0)).label(f"open{index}"),
            func.sum(case((and_(is_open, Action.due_date < month_end), 1), else_=0)).label(
                f"overdue{index}"
            ),
            func.sum(case((and_(existed, done), 1), else_=0)).label(f"done{index}"),
        ]
    row = db.session.execute(
        select(*columns).select_from(Action).where(*action_scope(filters))
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
