"""Timescales as partnerships write them: each becomes a due date with its precision and
the cell kept as written."""

from __future__ import annotations

from datetime import date

import pytest

from sgreviews.services.actions.timescales import (
    TimescaleError,
    describe,
    parse_timescale,
)

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "due", "precision"),
    [
        ("31/03/2027", date(2027, 3, 31), "day"),
        ("31st March 2027", date(2027, 3, 31), "day"),
        ("1st of April 2027", date(2027, 4, 1), "day"),
        ("2nd Feb 2027", date(2027, 2, 2), "day"),
        ("March 3rd, 2027", date(2027, 3, 3), "day"),
        ("30.06.27", date(2027, 6, 30), "day"),
        ("2027-01-05", date(2027, 1, 5), "day"),
        ("March 2027", date(2027, 3, 31), "month"),
        ("Feb 2028", date(2028, 2, 29), "month"),
        ("Sept 2027", date(2027, 9, 30), "month"),
        ("Mar-27", date(2027, 3, 31), "month"),
        ("03/2027", date(2027, 3, 31), "month"),
        ("end of June 2027", date(2027, 6, 30), "month"),
        ("Q1 2026/27", date(2026, 6, 30), "quarter"),
        ("Q3 2026/27", date(2026, 12, 31), "quarter"),
        ("Q4 2026-27", date(2027, 3, 31), "quarter"),
        ("Q4 2026/2027", date(2027, 3, 31), "quarter"),
        ("Q3 2026", date(2026, 9, 30), "quarter"),
        ("Quarter 2 2027", date(2027, 6, 30), "quarter"),
        # Open-ended: the next review date (three months on, or the named date if later).
        ("Ongoing", date(2027, 3, 7), "ongoing"),
        ("July 2027 onwards", date(2027, 7, 31), "ongoing"),
        ("Annually", date(2027, 12, 7), "annual"),
        # Two dates in one cell: the later one.
        ("June 2026 / March 2027", date(2027, 3, 31), "month"),
        ("31 Mar 2027 and 30/09/2026", date(2027, 3, 31), "day"),
    ],
)
def test_real_timescales_parse(text: str, due: date, precision: str) -> None:
    timescale = parse_timescale(text, TODAY, review_months=3)
    assert (timescale.due_date, timescale.precision) == (due, precision)
    assert timescale.as_written == text


def test_several_dates_are_flagged() -> None:
    assert parse_timescale("June 2026 / March 2027", TODAY).several
    assert not parse_timescale("March 2027", TODAY).several


@pytest.mark.parametrize("text", ["", "soon", "31/13/2026", "TBC", "Q5 2026/27"])
def test_nonsense_is_refused_with_the_cell_named(text: str) -> None:
    with pytest.raises(TimescaleError):
        parse_timescale(text, TODAY)


def test_described_as_written_beside_the_date() -> None:
    assert describe(date(2027, 3, 31), "month", "March 2027") == "March 2027 (by 31/03/2027)"
    assert describe(date(2027, 3, 7), "ongoing", "Ongoing") == "Ongoing (next review 07/03/2027)"
    assert describe(date(2027, 3, 31), None, None) == "31/03/2027"
