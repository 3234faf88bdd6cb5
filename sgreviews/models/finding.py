"""Findings of a review (learning points, recommendations, strengths, modifiable factors)
and the themes they are tagged with."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum

if TYPE_CHECKING:
    from sgreviews.models.action import Action
    from sgreviews.models.organisation import Agency
    from sgreviews.models.review import Review


class FindingKind(enum.Enum):
    LEARNING_POINT = "learning_point"
    RECOMMENDATION = "recommendation"
    STRENGTH = "strength"
    MODIFIABLE_FACTOR = "modifiable_factor"

    @property
    def label(self) -> str:
        return {
            "learning_point": "Learning point",
            "recommendation": "Recommendation",
            "strength": "Strength / good practice",
            "modifiable_factor": "Modifiable factor",
        }[self.value]

    @property
    def is_learning(self) -> bool:
        """Learning to act on (a learning point or a recommendation), which figures count
        as learning; a strength is good practice, reported apart (issue 18)."""
        return self in LEARNING_KINDS


# What figures call learning (themes, heat maps, recurring learning): learning points and
# recommendations. Strengths are good practice, never counted as learning.
LEARNING_KINDS = (FindingKind.LEARNING_POINT, FindingKind.RECOMMENDATION)


class RecommendationLevel(enum.Enum):
    """Where a recommendation is meant to change practice."""

    LOCAL = "local"
    REGIONAL = "regional"
    NATIONAL = "national"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Addressee(enum.Enum):
    """Whom a recommendation is addressed to."""

    AGENCY = "agency"
    PARTNERSHIP = "partnership"
    NATIONAL_BODY = "national_body"

    @property
    def label(self) -> str:
        return {
            "agency": "An agency",
            "partnership": "The partnership",
            "national_body": "A national body",
        }[self.value]


class Theme(Base):
    """A learning theme; a theme with a parent is a sub-theme (two levels)."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"), index=True)

    parent: Mapped[Theme | None] = relationship(remote_side=[id])


finding_theme = Table(
    "finding_theme",
    Base.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


# The agencies whose practice a finding is about (not necessarily the owners of its actions).
finding_agency = Table(
    "finding_agency",
    Base.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class Finding(Base):
    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True, active_history=True)
    position: Mapped[int] = mapped_column(default=1)
    kind: Mapped[FindingKind] = mapped_column(str_enum(FindingKind))
    # Markdown, rendered through the one sanitising filter.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Indexed: the similarity index reads the findings changed since it was built.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    # Set when the finding is marked addressed, which the closure guard allows only when
    # every action is assured or closed with a reason and an impact assessment is recorded.
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    addressed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Recommendations only (issue 22): the level, the addressee (an agency, the
    # partnership, or a national body named in words) and, for a national recommendation,
    # the national body's response and when it came.
    level: Mapped[RecommendationLevel | None] = mapped_column(str_enum(RecommendationLevel))
    addressed_to: Mapped[Addressee | None] = mapped_column(str_enum(Addressee))
    addressee_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    addressee_body: Mapped[str | None] = mapped_column(String(200))
    response_on: Mapped[date | None] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="findings")
    themes: Mapped[list[Theme]] = relationship(secondary=finding_theme, order_by=Theme.name)
    actions: Mapped[list[Action]] = relationship(
        secondary="action_finding", back_populates="findings"
    )
    agencies_involved: Mapped[list[Agency]] = relationship(
        secondary=finding_agency, order_by="Agency.name"
    )
    addressee_agency: Mapped[Agency | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        """A short name such as "LCSPR-2024-01 finding 2"."""
        return f"{self.review.reference} finding {self.position}"

    @property
    def addressee_name(self) -> str | None:
        """Whom the recommendation is addressed to, in words."""
        if self.addressed_to is Addressee.AGENCY:
            return self.addressee_agency.name if self.addressee_agency else None
        if self.addressed_to is Addressee.NATIONAL_BODY:
            return self.addressee_body
        if self.addressed_to is Addressee.PARTNERSHIP:
            return self.review.partnership.name
        return None
