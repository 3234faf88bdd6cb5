"""Finding briefings: one briefing with what the business office's pages need, the learning
library of published briefings and its filters, the secretariat's list, and the published
briefings due for review (a source for the reminders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.extensions import db
from sgreviews.models import (
    Briefing,
    BriefingKind,
    BriefingRead,
    BriefingVersion,
    Review,
    Theme,
    User,
    VersionStatus,
)
from sgreviews.services.briefings import search

_BRIEFING = (
    select(Briefing)
    .where(Briefing.id == bindparam("briefing_id"))
    .options(
        joinedload(Briefing.partnership),
        joinedload(Briefing.author),
        selectinload(Briefing.versions).selectinload(BriefingVersion.overrides),
        selectinload(Briefing.themes),
        selectinload(Briefing.reviews),
        selectinload(Briefing.findings),
    )
)


def get_briefing(briefing_id: int) -> Briefing | None:
    """A briefing with what the business office's pages show and change. (The reading
    pages read plain values instead: services/briefings/reading.py.)"""
    return db.session.scalars(_BRIEFING, {"briefing_id": briefing_id}).unique().one_or_none()


@dataclass
class LibraryFilters:
    query: str = ""
    theme_id: int | None = None
    kind: BriefingKind | None = None
    review_type: str | None = None
    year: int | None = None
    partnership_id: int | None = None


@dataclass
class LibraryEntry:
    briefing: Briefing
    version: BriefingVersion
    read_by_me: bool = False


def library(filters: LibraryFilters, reader: User | None = None) -> list[LibraryEntry]:
    """Published briefings matching the filters, newest first (a fixed number of queries)."""
    statement = (
        select(Briefing, BriefingVersion)
        .join(BriefingVersion, BriefingVersion.briefing_id == Briefing.id)
        .where(BriefingVersion.status == VersionStatus.PUBLISHED)
        .options(selectinload(Briefing.themes), joinedload(Briefing.partnership))
        .order_by(BriefingVersion.published_at.desc(), Briefing.id.desc())
    )
    if filters.query.strip():
        statement = statement.where(search.matches(filters.query))
    if filters.kind is not None:
        statement = statement.where(Briefing.kind == filters.kind)
    if filters.partnership_id is not None:
        statement = statement.where(Briefing.partnership_id == filters.partnership_id)
    if filters.theme_id is not None:
        statement = statement.where(
            Briefing.themes.any(
                or_(Theme.id == filters.theme_id, Theme.parent_id == filters.theme_id)
            )
        )
    if filters.review_type:
        statement = statement.where(Briefing.reviews.any(Review.review_type == filters.review_type))
    if filters.year is not None:
        start = datetime(filters.year, 1, 1, tzinfo=UTC)
        statement = statement.where(
            BriefingVersion.published_at >= start,
            BriefingVersion.published_at < start.replace(year=filters.year + 1),
        )
    entries = [LibraryEntry(b, v) for b, v in db.session.execute(statement).all()]
    if reader is not None and entries:
        read = set(
            db.session.scalars(
                select(BriefingRead.briefing_id).where(
                    BriefingRead.user_id == reader.id,
                    BriefingRead.briefing_id.in_([e.briefing.id for e in entries]),
                )
            )
        )
        for entry in entries:
            entry.read_by_me = entry.briefing.id in read
    return entries


def publication_years() -> list[int]:
    low, high = db.session.execute(
        select(
            func.min(BriefingVersion.published_at), func.max(BriefingVersion.published_at)
        ).where(BriefingVersion.status == VersionStatus.PUBLISHED)
    ).one()
    if low is None or high is None:
        return []
    return list(range(high.year, low.year - 1, -1))


def all_briefings() -> list[Briefing]:
    """Every briefing for the secretariat's list, newest first."""
    return list(
        db.session.scalars(
            select(Briefing)
            .options(selectinload(Briefing.versions), joinedload(Briefing.partnership))
            .order_by(Briefing.created_at.desc(), Briefing.id.desc())
        )
    )


def briefings_due_for_review(on: date) -> list[tuple[Briefing, User | None, date]]:
    """Published briefings whose review-by date is on or before ``on``, with the author to
    remind: a source for the reminders engine (which keeps each reminder to once)."""
    rows = db.session.scalars(
        select(Briefing)
        .join(BriefingVersion, BriefingVersion.briefing_id == Briefing.id)
        .where(BriefingVersion.status == VersionStatus.PUBLISHED, Briefing.review_by <= on)
        .options(joinedload(Briefing.author), selectinload(Briefing.versions))
        .order_by(Briefing.review_by, Briefing.id)
    ).unique()
    return [(briefing, briefing.author, briefing.review_by) for briefing in rows]
