"""A review of a case: what kind, whose, which stage, and its key dates."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.models.base import Base, UTCDateTime, str_enum, utcnow
from sgreviews.models.organisation import Partnership

if TYPE_CHECKING:
    from sgreviews.models.finding import Finding


class SubjectKind(enum.Enum):
    CHILD = "child"
    ADULT = "adult"
    FAMILY = "family"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("partnership_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    # Unique within the partnership, such as LCSPR-2025-02.
    reference: Mapped[str] = mapped_column(String(40))
    # A key of a review type defined in config/review_types.toml.
    review_type: Mapped[str] = mapped_column(String(40), index=True)
    # Pseudonymised: "Child Q", "Adult S", "Family R". Real identities stay outside.
    subject_label: Mapped[str] = mapped_column(String(80))
    subject_kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind))
    # A key of one of the review type's stages.
    stage: Mapped[str] = mapped_column(String(40))
    # Key dates; the lifecycle (statutory clocks, holds, transitions) refines these.
    notified_on: Mapped[date | None]
    started_on: Mapped[date]
    completed_on: Mapped[date | None]
    published_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    partnership: Mapped[Partnership] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        back_populates="review", order_by="Finding.position"
    )

    __mapper_args__ = {"version_id_col": version}
