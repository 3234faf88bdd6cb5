"""Budgets for reviews, per partnership, business year and review type."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import ReviewBudget, User
from sgreviews.services import audit


def budgets_for(partnership_id: int, business_year: int) -> dict[str, Decimal]:
    rows = db.session.scalars(
        select(ReviewBudget).where(
            ReviewBudget.partnership_id == partnership_id,
            ReviewBudget.business_year == business_year,
        )
    )
    return {row.review_type: row.amount for row in rows}


def set_budgets(
    partnership_id: int,
    business_year: int,
    amounts: dict[str, Decimal | None],
    actor: User,
) -> None:
    """Save the amounts given (None removes a budget); audit what changed."""
    existing = {
        row.review_type: row
        for row in db.session.scalars(
            select(ReviewBudget).where(
                ReviewBudget.partnership_id == partnership_id,
                ReviewBudget.business_year == business_year,
            )
        )
    }
    before = {key: row.amount for key, row in existing.items()}
    for review_type, amount in amounts.items():
        row = existing.get(review_type)
        if amount is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            db.session.add(
                ReviewBudget(
                    partnership_id=partnership_id,
                    business_year=business_year,
                    review_type=review_type,
                    amount=amount,
                )
            )
        else:
            row.amount = amount
    db.session.flush()
    after = {key: value for key, value in amounts.items() if value is not None}
    if {k: str(v) for k, v in before.items()} != {k: str(v) for k, v in after.items()}:
        audit.record(
            actor,
            "review_budget",
            None,
            "update",
            before={
                "partnership_id": partnership_id,
                "year": business_year,
                **{k: str(v) for k, v in before.items()},
            },
            after={
                "partnership_id": partnership_id,
                "year": business_year,
                **{k: str(v) for k, v in after.items()},
            },
        )
