"""An administrator's changes to partnerships (issue 20): create and edit the name, short
name (used in the public library's address), kind, jurisdiction and go-live date. Every
change goes to the audit trail with before and after."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Partnership, PartnershipKind, User
from sgreviews.review_types import JURISDICTIONS
from sgreviews.services import audit
from sgreviews.services.editing import FieldError
from sgreviews.services.reviews.deadlines import refresh_partnership_deadlines


def _snapshot(partnership: Partnership) -> dict[str, object]:
    return {
        "name": partnership.name,
        "short_name": partnership.short_name,
        "kind": partnership.kind,
        "jurisdiction": partnership.jurisdiction,
        "go_live_on": partnership.go_live_on,
    }


def list_partnerships() -> list[Partnership]:
    return list(db.session.scalars(select(Partnership).order_by(Partnership.name)))


def _taken(column: object, value: str, except_id: int | None) -> bool:
    query = select(Partnership.id).where(func.lower(column) == value.lower())
    if except_id is not None:
        query = query.where(Partnership.id != except_id)
    return db.session.scalar(query) is not None


def _checked(
    *, name: str, short_name: str, jurisdiction: str, except_id: int | None
) -> tuple[str, str, str | None]:
    name, short_name, jurisdiction = name.strip(), short_name.strip(), jurisdiction.strip()
    if not name:
        raise FieldError("name", "Enter the partnership's name")
    if _taken(Partnership.name, name, except_id):
        raise FieldError("name", f"A partnership called {name} already exists")
    if not short_name:
        raise FieldError("short_name", "Enter a short name, such as TSCP")
    if not short_name.replace("-", "").isalnum():
        raise FieldError("short_name", "The short name must be letters, numbers and hyphens only")
    if _taken(Partnership.short_name, short_name, except_id):
        raise FieldError("short_name", f"The short name {short_name} is already used")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise FieldError("jurisdiction", "Choose England, Wales, Scotland or Northern Ireland")
    return name, short_name, jurisdiction or None


def create_partnership(
    *,
    actor: User,
    name: str,
    short_name: str,
    kind: PartnershipKind,
    jurisdiction: str,
    go_live_on: date | None,
) -> Partnership:
    name, short_name, chosen = _checked(
        name=name, short_name=short_name, jurisdiction=jurisdiction, except_id=None
    )
    partnership = Partnership(
        name=name, short_name=short_name, kind=kind, jurisdiction=chosen, go_live_on=go_live_on
    )
    db.session.add(partnership)
    db.session.flush()
    audit.record(actor, "partnership", partnership.id, "create", after=_snapshot(partnership))
    return partnership


def update_partnership(
    partnership: Partnership,
    *,
    actor: User,
    name: str,
    short_name: str,
    kind: PartnershipKind,
    jurisdiction: str,
    go_live_on: date | None,
) -> None:
    name, short_name, chosen = _checked(
        name=name, short_name=short_name, jurisdiction=jurisdiction, except_id=partnership.id
    )
    before = _snapshot(partnership)
    nation_changed = partnership.jurisdiction != chosen
    partnership.name = name
    partnership.short_name = short_name
    partnership.kind = kind
    partnership.jurisdiction = chosen
    partnership.go_live_on = go_live_on
    db.session.flush()
    if nation_changed:
        # Its reviews' clocks count by its nation's bank holidays (issue 22).
        refresh_partnership_deadlines(partnership.id)
    audit.record(actor, "partnership", partnership.id, "update", before, _snapshot(partnership))


def partnership_kinds() -> dict[int, str]:
    """Each partnership's kind (its ``PartnershipKind`` value), by id: what the review
    form matches against a review type's owning body."""
    return {
        partnership_id: kind.value
        for partnership_id, kind in db.session.execute(
            select(Partnership.id, Partnership.kind).order_by(Partnership.name)
        )
    }
