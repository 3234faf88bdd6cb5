"""The reading page's briefing as plain values.

The reading page is the service's most-read page: every practitioner opens it, often many
times (docs/performance.md, issue 8). It shows a briefing's type, partnership, versions'
text, linked reviews and themes, and nothing a reader can change, so it does not need the
ORM's entities, their identity map and change tracking. One Core statement fills these
frozen dataclasses instead: the briefing with its partnership and versions (a few rows),
its reviews and its themes, with the reader's confirmation and unread count (the header's)
alongside. The templates read the same attribute names as on
the entities (``briefing.kind.label``, ``briefing.partnership.name``, ``version.section``,
``briefing.published`` ...), and the rules that choose the published or the open version
are the entity's own (``published_of``, ``open_of`` in models/briefing.py).

Used by the reading page, its PDF and the public reading page; the secretariat's pages
keep loading entities because they change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CompoundSelect, and_, bindparam, literal, null, select, union_all

from sgreviews.extensions import db
from sgreviews.models import (
    Briefing,
    BriefingKind,
    BriefingRead,
    BriefingVersion,
    Partnership,
    Review,
    Theme,
)
from sgreviews.models.briefing import (
    BriefingReflection,
    VersionStatus,
    briefing_review,
    briefing_theme,
    open_of,
    published_of,
    section_text,
)
from sgreviews.services.notifications.inbox import UNREAD


@dataclass(frozen=True, slots=True)
class ReadingVersion:
    id: int
    number: int
    status: VersionStatus
    title: str
    sections: Mapping[str, Any]
    published_at: datetime | None

    def section(self, key: str) -> str:
        return section_text(self.sections, key)


@dataclass(frozen=True, slots=True)
class PartnershipName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ReviewLabel:
    reference: str
    subject_label: str


@dataclass(frozen=True, slots=True)
class ThemeName:
    name: str


@dataclass(frozen=True, slots=True)
class ReadingBriefing:
    id: int
    kind: BriefingKind
    partnership: PartnershipName
    review_by: date
    versions: tuple[ReadingVersion, ...]
    reviews: tuple[ReviewLabel, ...]
    themes: tuple[ThemeName, ...]

    @property
    def partnership_id(self) -> int:
        return self.partnership.id

    @property
    def latest(self) -> ReadingVersion:
        return self.versions[-1]

    @property
    def published(self) -> ReadingVersion | None:
        return published_of(self.versions)

    @property
    def open_version(self) -> ReadingVersion | None:
        return open_of(self.versions)


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """When the reader confirmed reading the briefing, and their reflection."""

    read_at: datetime
    reflection: str


@dataclass(frozen=True, slots=True)
class ReadingPage:
    """Everything the reading page reads from the database, for one reader."""

    briefing: ReadingBriefing
    # The reader's confirmation, if they gave one.
    read: ReadRecord | None
    # The reader's unread notifications (the header's count).
    unread_notifications: int
    # The reader's reflections, newest first (issue 20: they accumulate).
    reflections: tuple[DatedReflection, ...] = ()


@dataclass(frozen=True, slots=True)
class DatedReflection:
    text: str
    written_at: datetime


# Nobody: no user has this id (the public page and the PDF have no reader).
NOBODY = 0


def _empty() -> list[Any]:
    """NULL for each of the versions' columns in the reviews' and themes' rows (one element
    each: a repeated element would be one column)."""
    return [null() for _ in range(13)]


# The whole page in one statement, built once (its compiled form is cached by SQLAlchemy):
# part 0, one row per version (in number order) with the briefing, its partnership, the
# reader's confirmation and unread count; part 1, the linked reviews in reference order;
# part 2, the themes in name order. Each part leaves the others' columns empty. On
# PostgreSQL each statement is a round trip to the server; this page once took five.
_PAGE = cast(
    "CompoundSelect[Any]",
    union_all(
        select(
            literal(0).label("part"),
            Briefing.kind,
            Briefing.review_by,
            Briefing.partnership_id,
            Partnership.name.label("partnership_name"),
            BriefingVersion.id,
            BriefingVersion.number,
            BriefingVersion.status,
            BriefingVersion.title,
            BriefingVersion.sections,
            BriefingVersion.published_at,
            BriefingRead.read_at,
            BriefingRead.reflection,
            UNREAD.scalar_subquery().label("unread"),
            null().label("name"),
            null().label("label"),
        )
        .join(Partnership, Partnership.id == Briefing.partnership_id)
        .join(BriefingVersion, BriefingVersion.briefing_id == Briefing.id)
        .outerjoin(
            BriefingRead,
            and_(
                BriefingRead.briefing_id == Briefing.id,
                BriefingRead.user_id == bindparam("user_id"),
            ),
        )
        .where(Briefing.id == bindparam("briefing_id")),
        select(literal(1), *_empty(), Review.reference, Review.subject_label)
        .join(briefing_review, briefing_review.c.review_id == Review.id)
        .where(briefing_review.c.briefing_id == bindparam("briefing_id")),
        select(literal(2), *_empty(), Theme.name, null())
        .join(briefing_theme, briefing_theme.c.theme_id == Theme.id)
        .where(briefing_theme.c.briefing_id == bindparam("briefing_id")),
        # Part 3 (issue 20): the reader's dated reflections, the date in read_at's column.
        select(
            literal(3),
            *_empty()[:10],
            BriefingReflection.created_at,
            null(),
            null(),
            BriefingReflection.text,
            null(),
        )
        .join(BriefingRead, BriefingRead.id == BriefingReflection.read_id)
        .where(
            BriefingRead.briefing_id == bindparam("briefing_id"),
            BriefingRead.user_id == bindparam("user_id"),
        ),
    ).order_by("part", "number", "name"),
)


def reading_page(briefing_id: int, reader_id: int = NOBODY) -> ReadingPage | None:
    """The briefing as the reading page shows it to this reader, with the reader's
    confirmation and unread count, or None when there is no such briefing (a briefing
    always has at least one version)."""
    versions: list[ReadingVersion] = []
    reviews: list[ReviewLabel] = []
    themes: list[ThemeName] = []
    reflections: list[DatedReflection] = []
    first = None
    for row in db.session.execute(_PAGE, {"briefing_id": briefing_id, "user_id": reader_id}):
        if row[0] == 0:
            first = first or row
            versions.append(ReadingVersion(row[5], row[6], row[7], row[8], row[9] or {}, row[10]))
        elif row[0] == 1:
            reviews.append(ReviewLabel(row[14], row[15] or ""))
        elif row[0] == 2:
            themes.append(ThemeName(row[14]))
        else:
            reflections.append(DatedReflection(row[14], row[11]))
    if first is None:
        return None
    briefing = ReadingBriefing(
        id=briefing_id,
        kind=first[1],
        partnership=PartnershipName(first[3], first[4]),
        review_by=first[2],
        versions=tuple(versions),
        reviews=tuple(reviews),
        themes=tuple(themes),
    )
    read = ReadRecord(first[11], first[12] or "") if first[11] is not None else None
    reflections.sort(key=lambda item: item.written_at, reverse=True)
    return ReadingPage(briefing, read, first[13] or 0, tuple(reflections))


def reading_briefing(briefing_id: int) -> ReadingBriefing | None:
    """The briefing as the reading page shows it, or None when there is no such briefing."""
    page = reading_page(briefing_id)
    return page.briefing if page is not None else None
