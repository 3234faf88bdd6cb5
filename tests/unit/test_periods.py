from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sgreviews.services.periods import BusinessYear, Period


def test_business_year_runs_april_to_march() -> None:
    year = BusinessYear.containing(date(2022, 3, 31))
    assert year.start_year == 2021
    assert (year.start, year.end) == (date(2021, 4, 1), date(2022, 3, 31))
    assert year.label == "2021/22"
    assert BusinessYear.containing(date(2022, 4, 1)).start_year == 2022


def test_quarters() -> None:
    year = BusinessYear(2024)
    assert [(q.start, q.end) for q in (year.quarter(n) for n in (1, 2, 3, 4))] == [
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 3, 31)),
    ]
    assert year.quarter(4).label == "Q4 2024/25"


def test_month_ends_include_leap_february() -> None:
    ends = BusinessYear(2023).month_ends()
    assert ends[0] == date(2023, 4, 30)
    assert ends[10] == date(2024, 2, 29)
    assert ends[-1] == date(2024, 3, 31)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_is_in_exactly_one_quarter_of_its_year(day: date) -> None:
    year = BusinessYear.containing(day)
    containing = [n for n in (1, 2, 3, 4) if Period.of(year, n).contains(day)]
    assert len(containing) == 1
    assert Period.of(year).contains(day)
    assert not Period.of(year).contains(year.start - timedelta(days=1))
