"""Partnerships and agencies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import Agency, AgencyFormerName, Partnership


def list_agencies() -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency).options(selectinload(Agency.former_names)).order_by(Agency.name)
        )
    )


def agencies_with_former_names() -> list[tuple[Agency, list[AgencyFormerName]]]:
    """Every agency by name with its former names, in two queries whatever the number of
    agencies (``selectinload`` would add one query per 500 agencies)."""
    former: dict[int, list[AgencyFormerName]] = {}
    for name in db.session.scalars(
        select(AgencyFormerName).order_by(AgencyFormerName.agency_id, AgencyFormerName.used_until)
    ):
        former.setdefault(name.agency_id, []).append(name)
    agencies = db.session.scalars(select(Agency).order_by(Agency.name))
    return [(agency, former.get(agency.id, [])) for agency in agencies]


def agency_choices(active_only: bool = False) -> list[tuple[int, str]]:
    """(id, name) of agencies by name, in one query whatever their number (for drop-downs;
    list_agencies() also loads former names, in batches that grow with the agencies)."""
    query = select(Agency.id, Agency.name).order_by(Agency.name)
    if active_only:
        query = query.where(Agency.is_active)
    return [(agency_id, name) for agency_id, name in db.session.execute(query).all()]


def find_agency(name: str) -> Agency | None:
    """By current name, case-insensitively."""
    return db.session.scalar(select(Agency).where(Agency.name.ilike(name.strip())))


def list_partnerships() -> list[Partnership]:
    return list(db.session.scalars(select(Partnership).order_by(Partnership.name)))
