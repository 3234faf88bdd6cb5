"""The dashboard's tables of learning that recurs, the national-theme counts and the
action quality hints: built like ``services.dashboard.tables`` (one builder per key,
shared by the page, its chart and the CSV or XLSX download), kept here so the dashboard
package does not import this one."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from sgreviews.review_types import ReviewType
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.learning import action_hints, recurrence
from sgreviews.services.learning.crosswalk import (
    EXTENSION_KEY,
    Crosswalk,
    findings_by_national_theme,
)
from sgreviews.services.tabular import Table


def _percent(value: int | None, counted: bool = True) -> str:
    if not counted:
        return "Choose a partnership"
    return "No earlier actions" if value is None else f"{value}%"


def recurring_themes(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    rows = recurrence.recurring_themes(filters.year, filters.partnership_id)
    return Table(
        "recurring-themes",
        f"Themes recurring across reviews and years, to {filters.year.label}",
        [
            "Theme",
            "Findings",
            "Business years",
            "First",
            "Latest",
            "Earlier actions",
            "With evidence of impact",
        ],
        [
            (
                row.theme,
                row.findings,
                row.years,
                row.first_year,
                row.last_year,
                "" if row.earlier_actions is None else row.earlier_actions,
                _percent(row.evidenced_share, row.earlier_actions is not None),
            )
            for row in rows
        ],
    )


def recurring_links(
    filters: Filters, types: Mapping[str, ReviewType], limit: int | None = None
) -> Table:
    # A period that is over is read as at its end (the current one as today, cheaply).
    as_at = filters.as_at if filters.ended else None
    rows = recurrence.confirmed_links(filters.year, filters.partnership_id, limit, as_at=as_at)
    return Table(
        "recurring-links",
        "Findings confirmed as repeating earlier learning",
        [
            "Finding",
            "Year",
            "Repeats",
            "Its year",
            "Themes",
            "Earlier actions",
            "With evidence of impact",
            "Actions now",
        ],
        [
            (
                row.finding,
                row.year,
                row.earlier,
                row.earlier_year,
                ", ".join(row.themes),
                row.earlier_actions,
                _percent(row.evidenced_share),
                len(row.actions_now),
            )
            for row in rows
        ],
    )


def crosswalk() -> Crosswalk:
    found: Crosswalk = current_app.extensions[EXTENSION_KEY]
    return found


def national_themes(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    """Findings of the year's reviews counted in each national list's terms (the lists of
    ``config/national_themes.toml``), from one query."""
    rows: list[tuple[object, ...]] = []
    for national, counts in findings_by_national_theme(crosswalk(), filters):
        rows.extend((national.name, name, count) for name, count in counts)
    return Table(
        "national-themes",
        f"Findings of reviews started in {filters.year.label}, by the national analyses' themes",
        ["National list", "National theme", "Findings"],
        rows,
    )


def action_quality(filters: Filters, types: Mapping[str, ReviewType]) -> Table:
    """Counted for one partnership at a time: the outcome-restates-action hint compares
    texts in Python, which over every open action in the country would not fit the
    dashboard's time (see docs/performance.md)."""
    if filters.partnership_id is None:
        return Table(
            "action-quality",
            "Open actions with a quality hint (counted once the filters pick one area)",
            ["Hint", "Open actions"],
            [],
        )
    return Table(
        "action-quality",
        "Open actions with a quality hint",
        ["Hint", "Open actions"],
        action_hints.hint_counts(filters),
    )


LEARNING_TABLES = {
    "recurring-themes": recurring_themes,
    "recurring-links": recurring_links,
    "national-themes": national_themes,
    "action-quality": action_quality,
}


def page_tables(filters: Filters, types: Mapping[str, ReviewType], rows: int) -> dict[str, Table]:
    """The learning tables for the dashboard page, the links cut to ``rows``."""
    return {
        "recurring-themes": recurring_themes(filters, types),
        "recurring-links": recurring_links(filters, types, rows),
        "national-themes": national_themes(filters, types),
        "action-quality": action_quality(filters, types),
    }
