"""Business years (1 April to 31 March) and their quarters, as partnerships report them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class BusinessYear:
    """The business year that starts on 1 April of ``start_year``."""

    start_year: int

    @classmethod
    def containing(cls, day: date) -> BusinessYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        """The last day of the year (31 March), inclusive."""
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def long_label(self) -> str:
        return f"1 April {self.start_year} to 31 March {self.start_year + 1}"

    def quarter(self, number: int) -> Quarter:
        if number not in (1, 2, 3, 4):
            raise ValueError(f"a business year has quarters 1 to 4, not {number}")
        return Quarter(self, number)

    def month_ends(self) -> list[date]:
        """The last day of each month of the year, April first."""
        ends = []
        for offset in range(12):
            month = (3 + offset) % 12 + 1
            year = self.start_year if month >= 4 else self.start_year + 1
            next_month_first = date(year + (month == 12), month % 12 + 1, 1)
            ends.append(next_month_first - timedelta(days=1))
        return ends


@dataclass(frozen=True, order=True)
class Quarter:
    year: BusinessYear
    number: int

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year.start_year + (month > 12), (month - 1) % 12 + 1, 1)

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
