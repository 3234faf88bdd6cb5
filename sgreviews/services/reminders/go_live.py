"""Reminders start from go-live (issue 18): nothing that was already due before a
partnership started using the service is reminded or escalated.

A partnership's go-live date is ``Partnership.go_live_on`` (kept by the administrator);
one without a date uses the site-wide default of ``config/reminders.toml``
(``[go_live] default_on``); with neither, every date is reminded (as before go-live dates
existed). A date (a due date, a deadline, a decision's effective day) is reminded when it
is on or after the go-live of every partnership the record belongs to (an action answers
findings of reviews, possibly of several partnerships).

The rule is written twice: in Python (:func:`reminded`) for the record at hand, and in SQL
(:func:`action_date_reminded`, :func:`review_date_reminded`) for the sources' queries.
``tests/unit/test_go_live_sql_agrees.py`` proves they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from sgreviews.models import Action, Finding, Partnership, Review
from sgreviews.models.action import action_finding

# A date column or expression of the query the condition joins.
DateColumn = ColumnElement[Any] | InstrumentedAttribute[Any]


def reminders_start(go_live_on: date | None, default_go_live_on: date | None) -> date | None:
    """The first day a partnership's dates are reminded: its go-live, else the default."""
    return go_live_on if go_live_on is not None else default_go_live_on


def reminded(day: date, go_lives: Iterable[date | None], default_go_live_on: date | None) -> bool:
    """Whether ``day`` is reminded for a record of partnerships whose go-live dates are
    ``go_lives`` (None: the partnership has none)."""
    for go_live_on in go_lives:
        start = reminders_start(go_live_on, default_go_live_on)
        if start is not None and day < start:
            return False
    return True


def _start_column(partnership: Any, default_go_live_on: date | None) -> DateColumn:
    if default_go_live_on is None:
        column: DateColumn = partnership.go_live_on
        return column
    return func.coalesce(partnership.go_live_on, literal(default_go_live_on))


def _before_start(
    partnership: Any, day: DateColumn, default_go_live_on: date | None
) -> ColumnElement[bool]:
    start = _start_column(partnership, default_go_live_on)
    return and_(start.is_not(None), day < start)


def action_date_reminded(day: DateColumn, default_go_live_on: date | None) -> ColumnElement[bool]:
    """SQL: ``day`` (a column of a query over ``Action``) is on or after the go-live of
    every partnership of the action's reviews."""
    # Aliases: the outer query may join these tables itself, and a correlated subquery
    # would then have nothing left of its own to select from.
    finding, review, partnership = aliased(Finding), aliased(Review), aliased(Partnership)
    return ~exists(
        select(literal(1))
        .select_from(action_finding)
        .join(finding, finding.id == action_finding.c.finding_id)
        .join(review, review.id == finding.review_id)
        .join(partnership, partnership.id == review.partnership_id)
        .where(
            action_finding.c.action_id == Action.id,
            _before_start(partnership, day, default_go_live_on),
        )
    )


def review_date_reminded(day: DateColumn, default_go_live_on: date | None) -> ColumnElement[bool]:
    """SQL: ``day`` (a column of a query over ``Review``) is on or after the go-live of the
    review's partnership."""
    partnership = aliased(Partnership)  # the outer query may join Partnership itself
    return ~exists(
        select(literal(1))
        .select_from(partnership)
        .where(
            partnership.id == Review.partnership_id,
            _before_start(partnership, day, default_go_live_on),
        )
    )
