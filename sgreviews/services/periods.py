"""Business years (1 April to 31 March) and their quarters, as partnerships report them.

:class:`BusinessYear` is the one definition of the business year; the SQL expression that
must agree with it (``sqlparts.business_year_of``) reads the start month from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# The business year starts on the first day of this month (1 April) and ends the day before
# the same date a year later.
BUSINESS_YEAR_START_MONTH = 4


def _add_months(first_of_month: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``first_of_month``."""
    index = first_of_month.month - 1 + months
    return date(first_of_month.year + index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class BusinessYear:
    """The business year that starts on 1 April of ``start_year``."""

    start_year: int

    @classmethod
    def containing(cls, day: date) -> BusinessYear:
        return cls(day.year if day.month >= BUSINESS_YEAR_START_MONTH else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.start_year, BUSINESS_YEAR_START_MONTH, 1)

    @property
    def end(self) -> date:
        """The last day of the year (31 March), inclusive."""
        return _add_months(self.start, 12) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def long_label(self) -> str:
        start, end = self.start, self.end
        return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"

    def quarter(self, number: int) -> Quarter:
        if number not in (1, 2, 3, 4):
            raise ValueError(f"a business year has quarters 1 to 4, not {number}")
        return Quarter(self, number)

    def month_ends(self) -> list[date]:
        """The last day of each month of the year, April first."""
        return [_add_months(self.start, offset + 1) - timedelta(days=1) for offset in range(12)]


@dataclass(frozen=True, order=True)
class Quarter:
    year: BusinessYear
    number: int

    @property
    def start(self) -> date:
        return _add_months(self.year.start, 3 * (self.number - 1))

    @property
    def end(self) -> date:
        if self.number == 4:
            return self.year.end
        return self.year.quarter(self.number + 1).start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year.label}"


@dataclass(frozen=True)
class Period:
    """A reporting window: a whole business year or one quarter of it."""

    start: date
    end: date
    label: str

    @classmethod
    def of(cls, year: BusinessYear, quarter: int | None = None) -> Period:
        if quarter is None:
            return cls(year.start, year.end, f"business year {year.label}")
        part = year.quarter(quarter)
        return cls(part.start, part.end, part.label)

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end
