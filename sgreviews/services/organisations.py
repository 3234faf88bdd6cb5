"""Partnerships and agencies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import Agency, Partnership


def list_agencies() -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency).options(selectinload(Agency.former_names)).order_by(Agency.name)
        )
    )


def find_agency(name: str) -> Agency | None:
    """By current name, case-insensitively."""
    return db.session.scalar(select(Agency).where(Agency.name.ilike(name.strip())))


def list_partnerships() -> list[Partnership]:
    return list(db.session.scalars(select(Partnership).order_by(Partnership.name)))
