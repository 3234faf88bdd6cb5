"""Learning briefings (7-minute briefings, One Minute Guides, learning sheets), their
versions, personal-data overrides, and their reach (reads and team uses).

A briefing is the stable identity (type, partnership, links, review-by date); its text
lives in numbered versions. A published version is never edited: editing it starts a new
draft version, and publishing that archives the one before, so the history keeps every
version that was ever read.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum
from sgreviews.models.finding import Finding, Theme
from sgreviews.models.organisation import Agency, Partnership
from sgreviews.models.review import Review
from sgreviews.models.user import User


class BriefingKind(enum.Enum):
    SEVEN_MINUTE = "seven_minute"
    ONE_MINUTE_GUIDE = "one_minute_guide"
    LEARNING_SHEET = "learning_sheet"

    @property
    def label(self) -> str:
        return {
            "seven_minute": "7-minute briefing",
            "one_minute_guide": "One Minute Guide",
            "learning_sheet": "Learning sheet or newsletter article",
        }[self.value]


class VersionStatus(enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "in_review": "In review",
            "published": "Published",
            "archived": "Archived",
        }[self.value]

    @property
    def is_open(self) -> bool:
        """Still being written: may be edited in place."""
        return self in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


class _Versioned(Protocol):
    @property
    def status(self) -> VersionStatus: ...


_V = TypeVar("_V", bound=_Versioned)


def published_of(versions: Sequence[_V]) -> _V | None:
    """The published version among a briefing's versions (at most one is), or None.
    Shared by the entity and by the reading page's plain copy (services/briefing_reading)."""
    for version in versions:
        if version.status is VersionStatus.PUBLISHED:
            return version
    return None


def open_of(versions: Sequence[_V]) -> _V | None:
    """The latest version when it is still being written (versions in number order)."""
    latest = versions[-1]
    return latest if latest.status.is_open else None


def section_text(sections: Mapping[str, Any] | None, key: str) -> str:
    """One section's Markdown from a version's sections (empty when absent or not text)."""
    value = (sections or {}).get(key, "")
    return value if isinstance(value, str) else ""


briefing_review = Table(
    "briefing_review",
    Base.metadata,
    Column("briefing_id", ForeignKey("briefing.id", ondelete="CASCADE"), primary_key=True),
    Column("review_id", ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
)

briefing_finding = Table(
    "briefing_finding",
    Base.metadata,
    Column("briefing_id", ForeignKey("briefing.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
)

briefing_theme = Table(
    "briefing_theme",
    Base.metadata,
    Column("briefing_id", ForeignKey("briefing.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Briefing(Base):
    __tablename__ = "briefing"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    kind: Mapped[BriefingKind] = mapped_column(str_enum(BriefingKind), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The author is reminded (through the reminders engine) when this date falls due.
    review_by: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The published version's title and text, kept for full-text search (PostgreSQL indexes
    # it with a GIN expression index; SQLite copies it into an FTS5 table). Empty when
    # nothing is published.
    search_document: Mapped[str] = mapped_column(Text, default="")

    partnership: Mapped[Partnership] = relationship()
    author: Mapped[User | None] = relationship()
    versions: Mapped[list[BriefingVersion]] = relationship(
        back_populates="briefing", order_by="BriefingVersion.number"
    )
    reviews: Mapped[list[Review]] = relationship(
        secondary=briefing_review, order_by=Review.reference
    )
    findings: Mapped[list[Finding]] = relationship(
        secondary=briefing_finding, order_by=Finding.position
    )
    themes: Mapped[list[Theme]] = relationship(secondary=briefing_theme, order_by=Theme.name)

    @property
    def latest(self) -> BriefingVersion:
        return self.versions[-1]

    @property
    def published(self) -> BriefingVersion | None:
        return published_of(self.versions)

    @property
    def open_version(self) -> BriefingVersion | None:
        return open_of(self.versions)


class BriefingVersion(Base):
    __tablename__ = "briefing_version"
    __table_args__ = (UniqueConstraint("briefing_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefing.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[VersionStatus] = mapped_column(
        str_enum(VersionStatus), default=VersionStatus.DRAFT, index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # Section key -> Markdown text; the keys for each kind are in services/briefings/sections.py.
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic concurrency: two people editing the same draft never overwrite silently.
    lock_version: Mapped[int] = mapped_column(default=1)

    briefing: Mapped[Briefing] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    overrides: Mapped[list[PersonalDataOverride]] = relationship(
        back_populates="version",
        order_by="PersonalDataOverride.created_at",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": lock_version}

    def section(self, key: str) -> str:
        return section_text(self.sections, key)


class PersonalDataOverride(Base):
    """A personal-data flag the secretariat decided to keep, with the reason."""

    __tablename__ = "briefing_personal_data_override"
    __table_args__ = (UniqueConstraint("version_id", "flag_kind", "matched_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("briefing_version.id", ondelete="CASCADE"), index=True
    )
    flag_kind: Mapped[str] = mapped_column(String(40))
    matched_text: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[BriefingVersion] = relationship(back_populates="overrides")
    created_by: Mapped[User | None] = relationship()


class BriefingRead(Base):
    """ "I have read this": one per person and briefing (a later confirmation updates it)."""

    __tablename__ = "briefing_read"
    __table_args__ = (UniqueConstraint("briefing_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefing.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("briefing_version.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The reader's agency when they read it (kept if they later move).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reflection: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()
    agency: Mapped[Agency | None] = relationship()


class BriefingTeamUse(Base):
    """A team leader's record that a team used the briefing (the action-plan proforma)."""

    __tablename__ = "briefing_team_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefing.id", ondelete="CASCADE"), index=True
    )
    used_on: Mapped[date]
    team: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    staff_count: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class PartnershipBriefingSettings(Base):
    """A partnership's briefing settings, kept apart from the partnership itself."""

    __tablename__ = "partnership_briefing_settings"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    # Published briefings readable without signing in.
    public_briefings: Mapped[bool] = mapped_column(default=False)

    partnership: Mapped[Partnership] = relationship()


class BriefingReflection(Base):
    """One dated reflection by a reader: each confirmation adds one, none overwrites an
    earlier one (issue 20)."""

    __tablename__ = "briefing_reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    read_id: Mapped[int] = mapped_column(
        ForeignKey("briefing_read.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("briefing_version.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
