"""SQL expressions that differ between SQLite and PostgreSQL, behind one function each."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def days_between(earlier: Any, later: date) -> ColumnElement[int]:
    """Whole days from a date column to a fixed date."""
    if _dialect() == "sqlite":
        return cast(func.julianday(literal(later.isoformat())) - func.julianday(earlier), Integer)
    return cast(literal(later) - earlier, Integer)


def business_year_of(column: Any) -> ColumnElement[int]:
    """The start year of the business year (1 April to 31 March) a date falls in."""
    if _dialect() == "sqlite":
        year = cast(func.strftime("%Y", column), Integer)
        month = cast(func.strftime("%m", column), Integer)
    else:
        year = cast(func.extract("year", column), Integer)
        month = cast(func.extract("month", column), Integer)
    return year - cast(month < 4, Integer)
