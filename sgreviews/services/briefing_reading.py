"""The reading page's briefing as plain values.

The reading page is the service's most-read page: every practitioner opens it, often many
times (docs/performance.md, issue 8). It shows a briefing's type, partnership, versions'
text, linked reviews and themes, and nothing a reader can change, so it does not need the
ORM's entities, their identity map and change tracking. Two Core statements fill these
frozen dataclasses instead: the briefing with its partnership and versions (a few rows),
then its reviews and themes together. The templates read the same attribute names as on
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

from sqlalchemy import CompoundSelect, bindparam, literal, null, select, union_all

from sgreviews.extensions import db
from sgreviews.models import Briefing, BriefingKind, BriefingVersion, Partnership, Review, Theme
from sgreviews.models.briefing import (
    VersionStatus,
    briefing_review,
    briefing_theme,
    open_of,
    published_of,
    section_text,
)


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


# Built once (their compiled forms are cached by SQLAlchemy under the statement's key).
_BRIEFING = (
    select(
        Briefing.kind,
        Briefing.review_by,
        Briefing.partnership_id,
        Partnership.name,
        BriefingVersion.id,
        BriefingVersion.number,
        BriefingVersion.status,
        BriefingVersion.title,
        BriefingVersion.sections,
        BriefingVersion.published_at,
    )
    .join(Partnership, Partnership.id == Briefing.partnership_id)
    .join(BriefingVersion, BriefingVersion.briefing_id == Briefing.id)
    .where(Briefing.id == bindparam("briefing_id"))
    .order_by(BriefingVersion.number)
)

# Reviews (kind 0, in reference order) and themes (kind 1, in name order) in one statement.
_LINKS = cast(
    "CompoundSelect[int, str, str | None]",
    union_all(
        select(
            literal(0).label("kind"),
            Review.reference.label("name"),
            Review.subject_label.label("label"),
        )
        .join(briefing_review, briefing_review.c.review_id == Review.id)
        .where(briefing_review.c.briefing_id == bindparam("briefing_id")),
        select(literal(1).label("kind"), Theme.name.label("name"), null().label("label"))
        .join(briefing_theme, briefing_theme.c.theme_id == Theme.id)
        .where(briefing_theme.c.briefing_id == bindparam("briefing_id")),
    ).order_by("kind", "name"),
)


def reading_briefing(briefing_id: int) -> ReadingBriefing | None:
    """The briefing as the reading page shows it, or None when there is no such briefing
    (a briefing always has at least one version)."""
    parameters = {"briefing_id": briefing_id}
    rows = db.session.execute(_BRIEFING, parameters).all()
    if not rows:
        return None
    first = rows[0]
    reviews: list[ReviewLabel] = []
    themes: list[ThemeName] = []
    for kind, name, label in db.session.execute(_LINKS, parameters):
        if kind == 0:
            reviews.append(ReviewLabel(name, label or ""))
        else:
            themes.append(ThemeName(name))
    return ReadingBriefing(
        id=briefing_id,
        kind=first[0],
        partnership=PartnershipName(first[2], first[3]),
        review_by=first[1],
        versions=tuple(
            ReadingVersion(row[4], row[5], row[6], row[7], row[8] or {}, row[9]) for row in rows
        ),
        reviews=tuple(reviews),
        themes=tuple(themes),
    )
