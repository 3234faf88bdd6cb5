"""Reviews listed for a form to choose from (the plan import's default review)."""

from __future__ import annotations

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Review


def reviews_by_reference() -> list[Review]:
    """Every review, in reference order."""
    return list(db.session.scalars(select(Review).where(Review.counted).order_by(Review.reference)))
