"""Partnerships and agencies."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import Agency, AgencyFormerName, Partnership
from sgreviews.services.paging import page_window


def list_agencies() -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency).options(selectinload(Agency.former_names)).order_by(Agency.name)
        )
    )


AGENCIES_PER_PAGE = 50


def agencies_with_former_names(
    page: int = 1, per_page: int = AGENCIES_PER_PAGE
) -> tuple[list[tuple[Agency, list[AgencyFormerName]]], int, int, int]:
    """One page of agencies by name with their former names, the number of agencies, the
    page and the number of pages: three queries whatever the number of agencies."""
    total = db.session.scalar(select(func.count()).select_from(Agency)) or 0
    page, pages = page_window(page, total, per_page)
    agencies = list(
        db.session.scalars(
            select(Agency).order_by(Agency.name).limit(per_page).offset((page - 1) * per_page)
        )
    )
    former: dict[int, list[AgencyFormerName]] = {}
    if agencies:
        for name in db.session.scalars(
            select(AgencyFormerName)
            .where(AgencyFormerName.agency_id.in_([agency.id for agency in agencies]))
            .order_by(AgencyFormerName.agency_id, AgencyFormerName.used_until)
        ):
            former.setdefault(name.agency_id, []).append(name)
    return [(agency, former.get(agency.id, [])) for agency in agencies], total, page, pages


def agency_choices(active_only: bool = False) -> list[tuple[int, str]]:
    """(id, name) of agencies by name, in one query whatever their number (for drop-downs;
    list_agencies() also loads former names, in batches that grow with the agencies)."""
    query = select(Agency.id, Agency.name).order_by(Agency.name)
    if active_only:
        query = query.where(Agency.is_active)
    return [(agency_id, name) for agency_id, name in db.session.execute(query).all()]


def partnership_choices() -> list[tuple[int, str]]:
    """(id, name) of partnerships by name, for drop-downs (no ORM objects to load)."""
    query = select(Partnership.id, Partnership.name).order_by(Partnership.name)
    return [(partnership_id, name) for partnership_id, name in db.session.execute(query).all()]


def agency_name(agency_id: int) -> str | None:
    return db.session.scalar(select(Agency.name).where(Agency.id == agency_id))


def find_agency(name: str) -> Agency | None:
    """By current name, case-insensitively."""
    return db.session.scalar(select(Agency).where(Agency.name.ilike(name.strip())))


def list_partnerships() -> list[Partnership]:
    return list(db.session.scalars(select(Partnership).order_by(Partnership.name)))


def get_partnership(partnership_id: int) -> Partnership | None:
    return db.session.get(Partnership, partnership_id)


def partnership_by_short_name(short_name: str) -> Partnership | None:
    """The partnership its public pages name in their address."""
    return db.session.scalar(select(Partnership).where(Partnership.short_name == short_name))
