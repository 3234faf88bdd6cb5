"""SQL expressions that differ between SQLite and PostgreSQL, behind one function each."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    String,
    Table,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.services.periods import BUSINESS_YEAR_START_MONTH


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def days_between(earlier: Any, later: date) -> ColumnElement[int]:
    """Whole days from a date column to a fixed date."""
    if _dialect() == "sqlite":
        return cast(func.julianday(literal(later.isoformat())) - func.julianday(earlier), Integer)
    return cast(literal(later) - earlier, Integer)


def business_year_of(column: Any) -> ColumnElement[int]:
    """The start year of the business year a date falls in: the SQL twin of
    ``periods.BusinessYear.containing(day).start_year``; tests/unit/test_business_year_sql.py
    checks they agree on both databases."""
    if _dialect() == "sqlite":
        year = cast(func.strftime("%Y", column), Integer)
        month = cast(func.strftime("%m", column), Integer)
    else:
        year = cast(func.extract("year", column), Integer)
        month = cast(func.extract("month", column), Integer)
    return year - cast(month < BUSINESS_YEAR_START_MONTH, Integer)


def insert_rows(
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
    *,
    skip_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[Row[Any]]:
    """Insert many rows, given column by column (``columns``: equal-length lists; each of
    ``constants`` is the same for every row), in one statement; with ``skip_conflicts``, a
    row that breaks a unique key is skipped (ON CONFLICT DO NOTHING). Returns the
    ``returning`` columns of the rows inserted. Row by row values are numbers, text,
    booleans and dates; a timestamp can be a constant.

    The rows travel as one JSON document, one parameter, which the database reads in C
    (PostgreSQL's jsonb_array_elements, SQLite's json_each). An executemany of the same rows
    costs a bound parameter per value, each processed by SQLAlchemy and, on PostgreSQL, each
    placeholder parsed again by psycopg for every batch of a long statement (34 s of client
    CPU for the 310,000 ledger rows of a first reminder run at xl); arrays per column cost
    psycopg a Python loop per text value.
    """
    names = list(columns)
    constants = dict(constants or {})
    count = len(columns[names[0]]) if names else 0
    if count == 0:
        return []
    timestamps = [name for name in names if isinstance(columns[name][0], datetime)]
    if timestamps:
        raise TypeError(f"insert_rows takes a datetime only as a constant: {timestamps}")
    # One JSON array of rows. Dates travel as ISO text (as SQLite stores them), booleans as
    # true and false (SQLite reads 1 and 0).
    document = json.dumps(
        list(zip(*columns.values(), strict=True)), default=_json_date, ensure_ascii=False
    )
    statement: Any
    if _dialect() == "postgresql":
        # jsonb: parsed once; each ->> on a json value would parse its text again.
        each = func.jsonb_array_elements(cast(bindparam("rows", document), JSONB)).table_valued(
            "value"
        )
        values = [
            _typed(each.c.value.op("->>")(literal_column(str(index))), table.c[name].type)
            for index, name in enumerate(names)
        ]
        source = select(*values, *_constants(table, constants)).select_from(each)
        statement = postgresql.insert(table)
    else:
        each = func.json_each(bindparam("rows", document)).table_valued("value")
        values = [
            type_coerce(func.json_extract(each.c.value, f"$[{index}]"), table.c[name].type)
            for index, name in enumerate(names)
        ]
        # "WHERE true": without a WHERE, SQLite would read ON CONFLICT as a join's ON.
        source = (
            select(*values, *_constants(table, constants))
            .select_from(each)
            .where(literal_column("1") == 1)
        )
        statement = sqlite.insert(table)
    statement = statement.from_select([*names, *constants], source)
    if skip_conflicts:
        statement = statement.on_conflict_do_nothing()
    if returning:
        statement = statement.returning(*[table.c[name] for name in returning])
        return list(db.session.execute(statement).all())
    db.session.execute(statement)
    return []


def _typed(text_value: Any, type_: Any) -> Any:
    """A JSON value read as text (``->>``), as the column's type. Text is not cast: a cast
    to VARCHAR(n) would cut a long value short where an insert refuses it."""
    if isinstance(type_, String):
        return type_coerce(text_value, type_)
    return cast(text_value, type_)


def _json_date(value: Any) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    # A timestamp's stored text depends on its column type: pass it as a constant.
    raise TypeError(f"insert_rows cannot send {type(value).__name__} values row by row")


def _constants(table: Table, constants: Mapping[str, Any]) -> list[Any]:
    return [literal(value, type_=table.c[name].type) for name, value in constants.items()]
