"""Timescales as partnerships write them, turned into a due date without losing what was
written.

A tracker's "Timescale" cell is rarely a day: "March 2027", "Q3 2026/27", "Ongoing",
"31st March 2027", "July 2027 onwards", or two dates ("June 2026 / March 2027"). Each parses
to a :class:`Timescale`: the due date the RAG rules use, its precision (day, month, quarter,
ongoing, annual) and the cell as written, shown beside the date so nobody reads "31/03/2027"
as a commitment to a day when the plan said "March 2027".

Rules (each one tested):

- a day ("31/03/2027", "31st March 2027", "31 Mar 27", "2027-03-31") is that day;
- a month ("March 2027", "Mar-27", "03/2027") is its last day;
- a quarter of the business year ("Q3 2026/27", "Q3 2026-27"; April to March) or of a
  calendar year ("Q3 2026") is the quarter's last day;
- "Ongoing", "Annually" and "<date> onwards" are open-ended or recurring: the due date is the
  next review date, ``review_months`` months from today for ongoing work, twelve for annual
  work, or the end of the named period for "onwards" (whichever is later);
- two or more dates in one cell: the LATEST is the due date (the last commitment made), the
  cell is kept as written, and the precision is that of the latest date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

PRECISIONS = ("day", "month", "quarter", "ongoing", "annual")

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
        calendar.month_name[number].lower()[:4],
    }
}
MONTHS["sept"] = 9

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_ORD = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")),
    ("fy_quarter", re.compile(r"q(?P<q>[1-4])\s*(?P<year>\d{4})\s*[/-]\s*(?P<y2>\d{2}|\d{4})")),
    ("quarter", re.compile(r"q(?P<q>[1-4])\s*(?P<year>\d{4})")),
    ("quarter_word", re.compile(r"quarter\s*(?P<q>[1-4])\s*(?P<year>\d{4})")),
    ("numeric_day", re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-]" + _YEAR)),
    ("numeric_month", re.compile(r"(?<![\d/.-])(?P<month>\d{1,2})[/.-](?P<year>\d{4})")),
    ("word_day", re.compile(_ORD + r"(?:\s+of)?[\s-]+" + _MONTH + r",?[\s-]+" + _YEAR)),
    ("word_day_us", re.compile(_MONTH + r"\s+" + _ORD + r",?\s+" + _YEAR)),
    ("word_month", re.compile(r"(?<![a-z])" + _MONTH + r",?[\s-]+'?" + _YEAR + r"(?!\d)")),
]


@dataclass(frozen=True)
class Timescale:
    due_date: date
    precision: str
    as_written: str
    # More than one date in the cell (the latest was taken): worth showing as written
    # even when it is a day.
    several: bool = False

    @property
    def is_open_ended(self) -> bool:
        return self.precision in ("ongoing", "annual")


class TimescaleError(ValueError):
    pass


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _found_dates(text: str) -> list[tuple[int, date, str]]:
    """(position, date, precision) for every date in the text, non-overlapping."""
    found: list[tuple[int, date, str]] = []
    taken: list[range] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if any(span.start < other.stop and other.start < span.stop for other in taken):
                continue
            parts = match.groupdict()
            try:
                if kind in ("fy_quarter",):
                    start_year = _year(parts["year"])
                    quarter = int(parts["q"])
                    # Business year April to March: Q1 ends June, Q4 ends March next year.
                    month = quarter * 3 + 3
                    year = start_year if month <= 12 else start_year + 1
                    value, precision = _month_end(year, (month - 1) % 12 + 1), "quarter"
                elif kind in ("quarter", "quarter_word"):
                    value = _month_end(_year(parts["year"]), int(parts["q"]) * 3)
                    precision = "quarter"
                else:
                    month_text = parts["month"]
                    month = int(month_text) if month_text.isdigit() else MONTHS[month_text]
                    year = _year(parts["year"])
                    if parts.get("day"):
                        value, precision = date(year, month, int(parts["day"])), "day"
                    else:
                        value, precision = _month_end(year, month), "month"
            except ValueError:
                continue
            taken.append(span)
            found.append((match.start(), value, precision))
    return sorted(found)


def parse_timescale(text: str, today: date, *, review_months: int = 3) -> Timescale:
    """The timescale in ``text``; raises :class:`TimescaleError` naming what was not
    understood."""
    written = " ".join(text.split())
    lowered = written.lower()
    if not lowered:
        raise TimescaleError("Missing timescale")
    found = _found_dates(lowered)
    onwards = re.search(r"\b(onwards?|ongoing|continuous|rolling|and beyond)\b", lowered)
    if re.search(r"\b(annual(ly)?|yearly|every year|each year)\b", lowered):
        review = add_months(today, 12)
        if found:
            review = max(review, max(value for _, value, _ in found))
        return Timescale(review, "annual", written)
    if onwards:
        review = add_months(today, review_months)
        if found:
            review = max(review, max(value for _, value, _ in found))
        return Timescale(review, "ongoing", written)
    if not found:
        raise TimescaleError(
            f"Timescale not understood: {written} (use a date such as 31/03/2027, a month "
            "such as March 2027, a quarter such as Q3 2026/27, or Ongoing)"
        )
    _, value, precision = max(found, key=lambda item: item[1])
    return Timescale(value, precision, written, several=len(found) > 1)


def describe(due_date: date, precision: str | None, as_written: str | None) -> str:
    """The due date as people should read it: the cell as written when it was not a day."""
    day = due_date.strftime("%d/%m/%Y")
    if not precision or precision == "day" or not as_written:
        return day
    if precision in ("ongoing", "annual"):
        return f"{as_written} (next review {day})"
    return f"{as_written} (by {day})"
