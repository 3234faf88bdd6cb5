"""Jinja filters for what pages show people: moments in UK local time, table cells.

Every timestamp is stored in UTC (``sgreviews.clock``); a person reads it in UK local time
(GMT in winter, BST in summer), so 23:30 UTC on a summer evening is shown as 00:30 the next
day. Templates never call ``strftime`` on a stored moment: they use ``local_datetime`` (a
clock time; the page says "UK time" beside it) or ``local_date`` (its day in the UK).
``local_date`` also takes a plain ``date``, which has no time zone and is shown as it is.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from sgreviews.clock import to_london

LONG_DATE = "%-d %B %Y"
LONG_DATETIME = "%-d %B %Y at %H:%M"


def local_datetime(value: datetime | None, pattern: str = LONG_DATETIME) -> str:
    """A stored moment as a UK local clock time; empty for None. The page says "UK time"
    beside it (in the pattern, a heading or the sentence)."""
    if value is None:
        return ""
    return to_london(value).strftime(pattern)


def local_date(value: date | None, pattern: str = LONG_DATE) -> str:
    """The UK day of a stored moment, or a plain date as it is; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value)
    return value.strftime(pattern)


def cell(value: object) -> str:
    """A table cell for people: dates in words; exports keep real dates."""
    if isinstance(value, datetime):
        return local_date(value, "%-d %b %Y")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return "" if value is None else str(value)


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(cell)
