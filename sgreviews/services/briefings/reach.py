"""Who a briefing reached: a reader's "I have read this" (with optional reflections, which
accumulate with their dates: a later confirmation adds one, never overwrites), a team's
recorded use, and the figures per briefing and per agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Agency,
    Briefing,
    BriefingRead,
    BriefingTeamUse,
    BriefingVersion,
    User,
)
from sgreviews.models.briefing import BriefingReflection
from sgreviews.services import audit
from sgreviews.services.briefings.errors import BriefingError
from sgreviews.services.briefings.library import LibraryFilters, library
from sgreviews.services.briefings.reading import ReadingBriefing


def record_read(
    briefing: Briefing | ReadingBriefing, *, reader: User, reflection: str
) -> BriefingRead:
    version = briefing.published
    if version is None:
        raise BriefingError("Only a published briefing can be confirmed as read.")
    existing = db.session.scalar(
        select(BriefingRead).where(
            BriefingRead.briefing_id == briefing.id, BriefingRead.user_id == reader.id
        )
    )
    if existing is None:
        existing = BriefingRead(
            briefing_id=briefing.id,
            user_id=reader.id,
            agency_id=reader.agency_id,
            version_id=version.id,
        )
        db.session.add(existing)
    existing.version_id = version.id
    existing.read_at = utcnow()
    reflection = reflection.strip()
    if reflection:
        # The latest stays on the confirmation (the reading page's one statement reads it);
        # every one is kept, dated, in briefing_reflection. The same text sent twice (a
        # double submit) is kept once.
        latest = existing.reflection
        existing.reflection = reflection
        db.session.flush()
        if reflection != latest or not _has_reflections(existing.id):
            db.session.add(
                BriefingReflection(read_id=existing.id, version_id=version.id, text=reflection)
            )
    db.session.flush()
    return existing


def _has_reflections(read_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(BriefingReflection)
            .where(BriefingReflection.read_id == read_id)
        )
        or 0
    ) > 0


@dataclass(frozen=True)
class Reflection:
    """One dated reflection, with the reader's agency at the time of reading."""

    text: str
    written_at: datetime
    agency: str | None


def reflections_of(briefing_id: int, reader_id: int | None = None) -> list[Reflection]:
    """Reflections on a briefing, newest first: every reader's, or one reader's."""
    query = (
        select(BriefingReflection.text, BriefingReflection.created_at, Agency.name)
        .join(BriefingRead, BriefingRead.id == BriefingReflection.read_id)
        .outerjoin(Agency, Agency.id == BriefingRead.agency_id)
        .where(BriefingRead.briefing_id == briefing_id)
        .order_by(BriefingReflection.created_at.desc(), BriefingReflection.id.desc())
    )
    if reader_id is not None:
        query = query.where(BriefingRead.user_id == reader_id)
    return [Reflection(text, at, agency) for text, at, agency in db.session.execute(query)]


def record_team_use(
    briefing: Briefing | ReadingBriefing,
    *,
    actor: User,
    used_on: date,
    team: str,
    agency: Agency,
    staff_count: int,
    notes: str,
) -> BriefingTeamUse:
    if briefing.published is None:
        raise BriefingError("Team use is recorded for published briefings only.")
    use = BriefingTeamUse(
        briefing_id=briefing.id,
        used_on=used_on,
        team=team.strip(),
        agency=agency,
        staff_count=staff_count,
        notes=notes.strip(),
        recorded_by=actor,
    )
    db.session.add(use)
    db.session.flush()
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "team_use",
        None,
        {"used_on": used_on, "team": use.team, "agency": agency.name, "staff": staff_count},
    )
    return use


@dataclass
class AgencyReach:
    agency: str
    reads: int = 0
    team_uses: int = 0
    staff_reached: int = 0


@dataclass
class BriefingReach:
    reads: int
    reflections: list[Reflection]
    team_uses: list[BriefingTeamUse]
    by_agency: list[AgencyReach] = field(default_factory=list)

    @property
    def staff_reached(self) -> int:
        return sum(use.staff_count for use in self.team_uses)


def _agency_rows(briefing_id: int | None) -> list[AgencyReach]:
    reads = (
        select(func.coalesce(Agency.name, "No agency").label("agency"), func.count(BriefingRead.id))
        .select_from(BriefingRead)
        .outerjoin(Agency, Agency.id == BriefingRead.agency_id)
    )
    uses = (
        select(Agency.name, func.count(BriefingTeamUse.id), func.sum(BriefingTeamUse.staff_count))
        .select_from(BriefingTeamUse)
        .join(Agency, Agency.id == BriefingTeamUse.agency_id)
    )
    if briefing_id is not None:
        reads = reads.where(BriefingRead.briefing_id == briefing_id)
        uses = uses.where(BriefingTeamUse.briefing_id == briefing_id)
    rows: dict[str, AgencyReach] = {}
    for name, count in db.session.execute(reads.group_by(Agency.name)).all():
        rows.setdefault(name, AgencyReach(name)).reads = count
    for name, count, staff in db.session.execute(uses.group_by(Agency.name)).all():
        row = rows.setdefault(name, AgencyReach(name))
        row.team_uses = count
        row.staff_reached = int(staff or 0)
    return sorted(rows.values(), key=lambda row: row.agency)


def briefing_reach(briefing: Briefing) -> BriefingReach:
    reads = db.session.scalar(
        select(func.count())
        .select_from(BriefingRead)
        .where(BriefingRead.briefing_id == briefing.id)
    )
    reflections = reflections_of(briefing.id)
    uses = list(
        db.session.scalars(
            select(BriefingTeamUse)
            .where(BriefingTeamUse.briefing_id == briefing.id)
            .options(joinedload(BriefingTeamUse.agency))
            .order_by(BriefingTeamUse.used_on.desc())
        )
    )
    return BriefingReach(reads or 0, reflections, uses, _agency_rows(briefing.id))


def agency_reach() -> list[AgencyReach]:
    """Reads, team uses and staff reached per agency, across every briefing."""
    return _agency_rows(None)


@dataclass
class BriefingTotals:
    briefing: Briefing
    version: BriefingVersion
    reads: int
    team_uses: int
    staff_reached: int


def reach_by_briefing() -> list[BriefingTotals]:
    """Every published briefing with its reach, in three queries."""
    entries = library(LibraryFilters())
    ids = [entry.briefing.id for entry in entries]
    reads = dict(
        db.session.execute(
            select(BriefingRead.briefing_id, func.count())
            .where(BriefingRead.briefing_id.in_(ids))
            .group_by(BriefingRead.briefing_id)
        ).all()
    )
    uses = {
        briefing_id: (count, int(staff or 0))
        for briefing_id, count, staff in db.session.execute(
            select(
                BriefingTeamUse.briefing_id,
                func.count(),
                func.sum(BriefingTeamUse.staff_count),
            )
            .where(BriefingTeamUse.briefing_id.in_(ids))
            .group_by(BriefingTeamUse.briefing_id)
        ).all()
    }
    return [
        BriefingTotals(
            e.briefing,
            e.version,
            reads.get(e.briefing.id, 0),
            uses.get(e.briefing.id, (0, 0))[0],
            uses.get(e.briefing.id, (0, 0))[1],
        )
        for e in entries
    ]
