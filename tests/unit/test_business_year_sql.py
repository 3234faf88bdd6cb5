"""The business year in SQL (``sqlparts.business_year_of``, used where counting by year must
happen in the database) equals the one definition, ``periods.BusinessYear.containing``, for
any date, on the database the suite runs against (SQLite, or PostgreSQL when
SGREVIEWS_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.services.periods import BusinessYear
from sgreviews.services.sqlparts import business_year_of
from tests import factories

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


@settings(
    max_examples=40,
    deadline=None,
    # One application context for every example; each example's rows are rolled back.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(days=st.lists(DAYS, min_size=1, max_size=12))
# The edges of a year, a leap day, and the days either side of a new calendar year.
@example(days=[date(2025, 3, 31), date(2025, 4, 1), date(2024, 2, 29)])
@example(days=[date(2024, 12, 31), date(2025, 1, 1), date(1999, 4, 1), date(2000, 3, 31)])
def test_sql_business_year_equals_business_year_containing(ctx: None, days: list[date]) -> None:
    savepoint = db.session.begin_nested()
    try:
        partnership = factories.partnership()
        for day in days:
            # Review start dates: the column the business year is taken of in practice.
            factories.review(partnership, started_on=day)
        rows = db.session.execute(
            select(Review.started_on, business_year_of(Review.started_on)).where(
                Review.partnership_id == partnership.id
            )
        ).all()
        assert sorted(started for started, _year in rows) == sorted(days)
        for started, year in rows:
            assert year == BusinessYear.containing(started).start_year, started
    finally:
        savepoint.rollback()


def test_the_business_year_runs_from_1_april_to_31_march() -> None:
    year = BusinessYear(2024)
    assert year.long_label == "1 April 2024 to 31 March 2025"
    assert BusinessYear.containing(date(2025, 3, 31)) == year
    assert BusinessYear.containing(date(2025, 4, 1)) == BusinessYear(2025)
