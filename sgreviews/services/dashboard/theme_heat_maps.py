"""Heat maps of learning per theme (learning points and recommendations; strengths are good
practice, never counted as learning): across business years, and across the most recent
reviews of the period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Finding, Review, Theme
from sgreviews.models.finding import LEARNING_KINDS, finding_theme
from sgreviews.models.tally import ThemeYearTally
from sgreviews.services.dashboard.filters import Filters, review_scope
from sgreviews.services.periods import BusinessYear


@dataclass(frozen=True)
class HeatMap:
    rows: list[str]
    columns: list[str]
    values: list[list[int]]


def themes_by_year(filters: Filters, years: int = 5) -> HeatMap:
    """Findings per theme in the reviews started in each of the last ``years`` business
    years up to the selected one."""
    first = filters.year.start_year - years + 1
    # From the tally of findings per theme, partnership and business year (kept as findings
    # are tagged and reviews change), not a join over every finding in the country.
    clauses = [
        ThemeYearTally.business_year >= first,
        ThemeYearTally.business_year <= filters.year.start_year,
        ThemeYearTally.findings > 0,
    ]
    if filters.partnership_id is not None:
        clauses.append(ThemeYearTally.partnership_id == filters.partnership_id)
    rows = db.session.execute(
        select(Theme.name, ThemeYearTally.business_year, func.sum(ThemeYearTally.findings))
        .join(Theme, Theme.id == ThemeYearTally.theme_id)
        .where(*clauses)
        .group_by(Theme.name, ThemeYearTally.business_year)
    ).all()
    year_labels = [BusinessYear(first + offset).label for offset in range(years)]
    counts: dict[str, list[int]] = {}
    for theme, year, count in rows:
        counts.setdefault(theme, [0] * years)[int(year) - first] = count
    ordered = sorted(counts, key=lambda name: (-sum(counts[name]), name))
    return HeatMap(rows=ordered, columns=year_labels, values=[counts[name] for name in ordered])


def themes_by_review(filters: Filters, limit: int = 12) -> HeatMap:
    """Findings per theme for the most recently started reviews active in the period
    (at most ``limit`` reviews, so the grid stays readable)."""
    reviews = db.session.execute(
        select(Review.id, Review.reference)
        .where(*review_scope(filters))
        .order_by(Review.started_on.desc(), Review.id.desc())
        .limit(limit)
    ).all()
    review_ids = [review_id for review_id, _reference in reviews]
    rows = db.session.execute(
        select(Theme.name, Finding.review_id, func.count(Finding.id))
        .join(finding_theme, finding_theme.c.theme_id == Theme.id)
        .join(Finding, Finding.id == finding_theme.c.finding_id)
        .where(Finding.review_id.in_(review_ids), Finding.kind.in_(LEARNING_KINDS))
        .group_by(Theme.name, Finding.review_id)
    ).all()
    position = {review_id: index for index, review_id in enumerate(review_ids)}
    counts: dict[str, list[int]] = {}
    for theme, review_id, count in rows:
        counts.setdefault(theme, [0] * len(review_ids))[position[review_id]] = count
    ordered = sorted(counts, key=lambda name: (-sum(counts[name]), name))
    return HeatMap(
        rows=ordered,
        columns=[reference for _id, reference in reviews],
        values=[counts[name] for name in ordered],
    )
