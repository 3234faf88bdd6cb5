"""The yearly report's "National reviews tabled" (Working Together: the national reviews
the partnership considered and what it did as a result): the entries of the register
(``services/national_reviews``) tabled within the year up to the report's as-at date.

National reviews are public documents, so the public version keeps the list; only the
count in its sentence is written with the small-number wording. Kept apart from
``yearly`` (which wraps it in a Section) to keep that module to one screenful of concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from sgreviews.clock import london_today
from sgreviews.markdown_filter import markdown_to_plain_text
from sgreviews.models import Partnership
from sgreviews.services.national_reviews.register import tabled_between
from sgreviews.services.periods import BusinessYear, Period

if TYPE_CHECKING:
    from sgreviews.services.reports.yearly import Counts

TITLE = "National reviews tabled"
HEADERS = ("National review", "Published by", "Tabled", "What the partnership did")


# The report's table type, given by the caller (``yearly.ReportTable``): this module cannot
# import it without an import circle.
Table = TypeVar("Table")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def national_reviews_tabled(
    year: BusinessYear,
    partnership: Partnership | None,
    counts: Counts,
    today: date | None,
    table: Callable[[Sequence[str], Sequence[Sequence[str]]], Table],
) -> tuple[list[str], Table | None]:
    """The section's paragraphs and table (None when nothing was tabled): the national
    reviews tabled from the start of ``year`` to its end (or today, within the current
    year), of ``partnership`` or of every partnership. ``table`` makes the report's table
    from headers and rows."""
    as_at = min(year.end, today or london_today())
    entries = tabled_between(
        Period(year.start, as_at, year.label), partnership.id if partnership else None
    )
    between = f"Between {_long(year.start)} and {_long(as_at)}"
    if not entries:
        return (
            [f"{between} no national review was recorded as tabled at the board or a subgroup."],
            None,
        )
    number = counts.of(len(entries), "national review")
    paragraphs = [
        f"{between} the partnership considered {number} at its board or subgroups.",
        "The table shows where each was tabled and what the partnership did as a result.",
    ]
    rows: list[Sequence[str]] = [
        (
            entry.title,
            entry.published_by + (f" ({_long(entry.published_on)})" if entry.published_on else ""),
            f"{_long(entry.tabled_on)}, {entry.tabled_at}",
            markdown_to_plain_text(entry.what_was_done),
        )
        for entry in entries
    ]
    return paragraphs, table(HEADERS, rows)
