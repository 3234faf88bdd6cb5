"""Costs of the reviews commissioned in a business year, per type, against the budget."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Review, ReviewBudget
from sgreviews.services.dashboard.filters import Filters


@dataclass(frozen=True)
class CostRow:
    review_type: str
    reviews: int
    cost_pence: int
    budget: Decimal | None


def costs_against_budget(filters: Filters) -> list[CostRow]:
    """Costs of the reviews commissioned in the business year (whole year, whatever the
    quarter: budgets are yearly), per type, beside the budget set for that year."""
    year = filters.year
    clauses = [
        Review.counted,
        Review.commissioned_on >= year.start,
        Review.commissioned_on <= year.end,
    ]
    budget_clauses = [ReviewBudget.business_year == year.start_year]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
        budget_clauses.append(ReviewBudget.partnership_id == filters.partnership_id)
    costs = {
        review_type: (int(count), int(total or 0))
        for review_type, count, total in db.session.execute(
            select(Review.review_type, func.count(), func.sum(Review.cost_pence))
            .where(*clauses)
            .group_by(Review.review_type)
        ).all()
    }
    budgets = {
        review_type: amount
        for review_type, amount in db.session.execute(
            select(ReviewBudget.review_type, func.sum(ReviewBudget.amount))
            .where(*budget_clauses)
            .group_by(ReviewBudget.review_type)
        ).all()
    }
    return [
        CostRow(key, costs.get(key, (0, 0))[0], costs.get(key, (0, 0))[1], budgets.get(key))
        for key in sorted(set(costs) | set(budgets))
    ]
