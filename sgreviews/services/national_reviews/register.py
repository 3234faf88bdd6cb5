"""Reading and writing the register of national reviews tabled. Every write is audited and
checks the version the form was opened at; a date tabled in the future is refused, as is a
national review tabled before it was published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import NationalReviewTabled, Partnership, User
from sgreviews.policy import can_read_national_reviews
from sgreviews.services import audit
from sgreviews.services.editing import FieldError, check_version, diff
from sgreviews.services.periods import BusinessYear, Period

ENTITY = "national_review_tabled"

# Field lengths, as the table keeps them.
TITLE_MAX = 300
PUBLISHED_BY_MAX = 200
TABLED_AT_MAX = 200
WHAT_WAS_DONE_MAX = 20_000


@dataclass(frozen=True)
class Entry:
    """What the form gives: the fields of one entry, before they are checked."""

    title: str
    published_by: str
    published_on: date | None
    tabled_on: date | None
    tabled_at: str
    what_was_done: str


# --- reading ---------------------------------------------------------------------------


def partnerships_for(user: User) -> list[Partnership]:
    """The partnerships whose register the user may read, by name."""
    return [
        partnership
        for partnership in db.session.scalars(select(Partnership).order_by(Partnership.name))
        if can_read_national_reviews(user, partnership.id)
    ]


def get_partnership(partnership_id: int) -> Partnership | None:
    return db.session.get(Partnership, partnership_id)


def get_entry(partnership: Partnership, entry_id: int) -> NationalReviewTabled | None:
    """The entry, only under its own partnership's address."""
    entry = db.session.get(NationalReviewTabled, entry_id)
    if entry is None or entry.partnership_id != partnership.id:
        return None
    return entry


def tabled_between(period: Period, partnership_id: int | None = None) -> list[NationalReviewTabled]:
    """The national reviews tabled within the period (its start and end inclusive), of one
    partnership or of all, in the order they were tabled."""
    conditions: list[ColumnElement[bool]] = [
        NationalReviewTabled.tabled_on >= period.start,
        NationalReviewTabled.tabled_on <= period.end,
    ]
    if partnership_id is not None:
        conditions.append(NationalReviewTabled.partnership_id == partnership_id)
    return list(
        db.session.scalars(
            select(NationalReviewTabled)
            .where(*conditions)
            .order_by(
                NationalReviewTabled.tabled_on,
                NationalReviewTabled.title,
                NationalReviewTabled.id,
            )
        )
    )


def entries_of(partnership: Partnership, year: BusinessYear | None) -> list[NationalReviewTabled]:
    """A partnership's register: the year's entries, or every entry when ``year`` is None."""
    if year is None:
        return list(
            db.session.scalars(
                select(NationalReviewTabled)
                .where(NationalReviewTabled.partnership_id == partnership.id)
                .order_by(NationalReviewTabled.tabled_on.desc(), NationalReviewTabled.id.desc())
            )
        )
    period = Period(year.start, year.end, year.label)
    return list(reversed(tabled_between(period, partnership.id)))


def years_with_entries(partnership: Partnership) -> list[BusinessYear]:
    """The business years in which the partnership tabled something, latest first."""
    days = db.session.scalars(
        select(NationalReviewTabled.tabled_on).where(
            NationalReviewTabled.partnership_id == partnership.id
        )
    )
    return sorted({BusinessYear.containing(day) for day in days}, reverse=True)


# --- writing ---------------------------------------------------------------------------


def snapshot(entry: NationalReviewTabled) -> dict[str, Any]:
    return {
        "partnership_id": entry.partnership_id,
        "title": entry.title,
        "published_by": entry.published_by,
        "published_on": entry.published_on,
        "tabled_on": entry.tabled_on,
        "tabled_at": entry.tabled_at,
        "what_was_done": entry.what_was_done,
    }


def _text(value: str, field: str, missing: str, longest: int, what: str) -> str:
    text = value.strip()
    if not text:
        raise FieldError(field, missing)
    if len(text) > longest:
        raise FieldError(field, f"{what} must be {longest:,} characters or fewer")
    return text


def _checked(fields: Entry, today: date) -> dict[str, Any]:
    """The entry's values once every rule holds; the first broken rule raises."""
    title = _text(
        fields.title, "title", "Enter the title of the national review", TITLE_MAX, "The title"
    )
    published_by = _text(
        fields.published_by,
        "published_by",
        "Enter who published the national review",
        PUBLISHED_BY_MAX,
        "Who published it",
    )
    if fields.published_on is not None and fields.published_on > today:
        raise FieldError("published_on", "The date published must be today or in the past")
    if fields.tabled_on is None:
        raise FieldError("tabled_on", "Enter the date it was tabled")
    if fields.tabled_on > today:
        raise FieldError("tabled_on", "The date tabled must be today or in the past")
    if fields.published_on is not None and fields.tabled_on < fields.published_on:
        raise FieldError(
            "tabled_on", "The date tabled must be the same as or after the date published"
        )
    tabled_at = _text(
        fields.tabled_at,
        "tabled_at",
        "Enter where it was tabled, for example the board or a subgroup",
        TABLED_AT_MAX,
        "Where it was tabled",
    )
    what_was_done = _text(
        fields.what_was_done,
        "what_was_done",
        "Enter what the partnership did as a result",
        WHAT_WAS_DONE_MAX,
        "What the partnership did",
    )
    return {
        "title": title,
        "published_by": published_by,
        "published_on": fields.published_on,
        "tabled_on": fields.tabled_on,
        "tabled_at": tabled_at,
        "what_was_done": what_was_done,
    }


def add_entry(
    actor: User | None, partnership: Partnership, fields: Entry, today: date | None = None
) -> NationalReviewTabled:
    """Record that the partnership tabled a national review, and what it did."""
    values = _checked(fields, today or london_today())
    entry = NationalReviewTabled(
        partnership_id=partnership.id,
        recorded_by_id=actor.id if actor is not None else None,
        **values,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, ENTITY, entry.id, "created", None, snapshot(entry))
    return entry


def update_entry(
    actor: User | None,
    entry: NationalReviewTabled,
    fields: Entry,
    expected_version: int,
    today: date | None = None,
) -> NationalReviewTabled:
    """Change an entry opened at ``expected_version``; a newer one raises ``StaleEdit``
    (who changed what), before the input is checked."""
    before = snapshot(entry)
    check_version(ENTITY, entry.id, entry.version, expected_version, before)
    values = _checked(fields, today or london_today())
    for name, value in values.items():
        setattr(entry, name, value)
    db.session.flush()
    old, new = diff(before, snapshot(entry))
    if new:
        audit.record(actor, ENTITY, entry.id, "updated", old, new)
    return entry


def delete_entry(actor: User | None, entry: NationalReviewTabled, expected_version: int) -> None:
    """Remove an entry (entered in error); the audit trail keeps what it said."""
    before = snapshot(entry)
    check_version(ENTITY, entry.id, entry.version, expected_version, before)
    entry_id = entry.id
    db.session.delete(entry)
    db.session.flush()
    audit.record(actor, ENTITY, entry_id, "deleted", before, None)
