"""An administrator's changes to agencies: create, edit, rename (keeping the former name
with its dates, so history shows the name in use at the time) and deactivate. Every
change goes to the audit trail with before and after."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Agency, AgencyFormerName, Sector, User
from sgreviews.services import audit


class AgencyError(ValueError):
    """The change could not be made; the message is for a person to read."""


def _snapshot(agency: Agency) -> dict[str, object]:
    return {
        "name": agency.name,
        "sector": agency.sector,
        "is_statutory_partner": agency.is_statutory_partner,
        "is_active": agency.is_active,
    }


def _name_taken(name: str, except_id: int | None = None) -> bool:
    query = select(Agency.id).where(func.lower(Agency.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Agency.id != except_id)
    return db.session.scalar(query) is not None


def get_agency(agency_id: int) -> Agency | None:
    return db.session.get(Agency, agency_id)


def create_agency(*, name: str, sector: Sector, is_statutory_partner: bool, actor: User) -> Agency:
    name = name.strip()
    if _name_taken(name):
        raise AgencyError(f"An agency called {name} already exists")
    agency = Agency(name=name, sector=sector, is_statutory_partner=is_statutory_partner)
    db.session.add(agency)
    db.session.flush()
    audit.record(actor, "agency", agency.id, "create", after=_snapshot(agency))
    return agency


def update_agency(
    agency: Agency,
    *,
    name: str,
    sector: Sector,
    is_statutory_partner: bool,
    renamed_on: date | None,
    actor: User,
) -> None:
    """Edit an agency. A new name keeps the old one as a former name used until
    ``renamed_on`` (today when not given)."""
    name = name.strip()
    before = _snapshot(agency)
    if name != agency.name:
        if _name_taken(name, except_id=agency.id):
            raise AgencyError(f"An agency called {name} already exists")
        until = renamed_on or london_today()
        previous = agency.former_names[-1].used_until if agency.former_names else None
        if previous is not None and until < previous:
            raise AgencyError("The date of the rename must be after the previous rename")
        agency.former_names.append(
            AgencyFormerName(name=agency.name, used_from=previous, used_until=until)
        )
        agency.name = name
    agency.sector = sector
    agency.is_statutory_partner = is_statutory_partner
    db.session.flush()
    after = _snapshot(agency)
    if after != before:
        audit.record(actor, "agency", agency.id, "update", before=before, after=after)


def set_agency_active(agency: Agency, active: bool, *, actor: User) -> None:
    """A deactivated agency can no longer be given new users or actions; its history stays."""
    if agency.is_active == active:
        return
    before = _snapshot(agency)
    agency.is_active = active
    db.session.flush()
    event = "reactivate" if active else "deactivate"
    audit.record(actor, "agency", agency.id, event, before=before, after=_snapshot(agency))
