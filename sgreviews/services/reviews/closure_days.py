"""Administrator-managed extra closure days. Adding or removing one recomputes every
stored deadline, so due dates always match the calendar."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import User
from sgreviews.models.review import ExtraClosureDay
from sgreviews.review_types import JURISDICTIONS
from sgreviews.services import audit
from sgreviews.services.reviews.deadlines import refresh_all_open_deadlines
from sgreviews.services.reviews.lifecycle import ReviewError


def list_closure_days() -> list[ExtraClosureDay]:
    return list(db.session.scalars(select(ExtraClosureDay).order_by(ExtraClosureDay.day.desc())))


def add_closure_day(
    actor: User | None, day: date | None, jurisdiction: str | None, reason: str
) -> ExtraClosureDay:
    if day is None:
        raise ReviewError("Enter the date of the closure day", "day")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise ReviewError("Choose where the office is closed", "jurisdiction")
    if not reason.strip():
        raise ReviewError(
            "Enter the reason, such as office closed between Christmas and New Year", "reason"
        )
    clash = db.session.scalar(
        select(ExtraClosureDay).where(
            ExtraClosureDay.day == day,
            ExtraClosureDay.jurisdiction.is_(None)
            if not jurisdiction
            else ExtraClosureDay.jurisdiction == jurisdiction,
        )
    )
    if clash is not None:
        raise ReviewError(f"{day:%-d %B %Y} is already a closure day", "day")
    item = ExtraClosureDay(day=day, jurisdiction=jurisdiction or None, reason=reason.strip())
    db.session.add(item)
    db.session.flush()
    refresh_all_open_deadlines()
    audit.record(
        actor,
        "closure_day",
        item.id,
        "create",
        None,
        {"day": day, "jurisdiction": jurisdiction, "reason": item.reason},
    )
    return item


def remove_closure_day(actor: User | None, closure_id: int) -> bool:
    item = db.session.get(ExtraClosureDay, closure_id)
    if item is None:
        return False
    before = {"day": item.day, "jurisdiction": item.jurisdiction, "reason": item.reason}
    db.session.delete(item)
    db.session.flush()
    refresh_all_open_deadlines()
    audit.record(actor, "closure_day", closure_id, "delete", before, None)
    return True
