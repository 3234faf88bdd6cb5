"""Dissemination: who the learning reached in the period (briefings published, reads and
team uses by agency)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.models import Agency
from sgreviews.models.briefing import Briefing, BriefingRead, BriefingTeamUse, BriefingVersion
from sgreviews.services.dashboard.filters import Filters


@dataclass(frozen=True)
class ReachRow:
    agency: str
    reads: int
    team_uses: int
    staff_reached: int


@dataclass(frozen=True)
class Dissemination:
    briefings_published: int
    by_agency: list[ReachRow]

    @property
    def reads(self) -> int:
        return sum(row.reads for row in self.by_agency)

    @property
    def team_uses(self) -> int:
        return sum(row.team_uses for row in self.by_agency)

    @property
    def staff_reached(self) -> int:
        return sum(row.staff_reached for row in self.by_agency)


def dissemination(filters: Filters) -> Dissemination:
    """Who the learning reached in the period: briefings published, reads and team uses by
    the reader's agency (three queries)."""
    period = filters.period
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end, time.max, tzinfo=UTC)
    in_partnership: list[ColumnElement[bool]] = []
    if filters.partnership_id is not None:
        in_partnership.append(Briefing.partnership_id == filters.partnership_id)
    published = db.session.scalar(
        select(func.count(func.distinct(BriefingVersion.briefing_id)))
        .join(Briefing, Briefing.id == BriefingVersion.briefing_id)
        .where(BriefingVersion.published_at >= start, BriefingVersion.published_at <= end)
        .where(*in_partnership)
    )
    read_clauses = [BriefingRead.read_at >= start, BriefingRead.read_at <= end, *in_partnership]
    use_clauses = [
        BriefingTeamUse.used_on >= period.start,
        BriefingTeamUse.used_on <= period.end,
        *in_partnership,
    ]
    if filters.agency_id is not None:
        read_clauses.append(BriefingRead.agency_id == filters.agency_id)
        use_clauses.append(BriefingTeamUse.agency_id == filters.agency_id)
    rows: dict[str, list[int]] = {}
    for name, count in db.session.execute(
        select(func.coalesce(Agency.name, "No agency"), func.count(BriefingRead.id))
        .select_from(BriefingRead)
        .join(Briefing, Briefing.id == BriefingRead.briefing_id)
        .outerjoin(Agency, Agency.id == BriefingRead.agency_id)
        .where(*read_clauses)
        .group_by(Agency.name)
    ).all():
        rows.setdefault(name, [0, 0, 0])[0] = int(count)
    for name, count, staff in db.session.execute(
        select(Agency.name, func.count(BriefingTeamUse.id), func.sum(BriefingTeamUse.staff_count))
        .select_from(BriefingTeamUse)
        .join(Briefing, Briefing.id == BriefingTeamUse.briefing_id)
        .join(Agency, Agency.id == BriefingTeamUse.agency_id)
        .where(*use_clauses)
        .group_by(Agency.name)
    ).all():
        row = rows.setdefault(name, [0, 0, 0])
        row[1], row[2] = int(count), int(staff or 0)
    return Dissemination(
        briefings_published=int(published or 0),
        by_agency=[ReachRow(name, *values) for name, values in sorted(rows.items())],
    )
