"""A person's decision on a suggested link between a finding and a similar earlier one
(issue 23): confirmed links are kept as recurring learning; dismissed ones are kept too,
so the same pair is not suggested again."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum

if TYPE_CHECKING:
    from sgreviews.models.finding import Finding
    from sgreviews.models.user import User


class LinkDecision(enum.Enum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class FindingLink(Base):
    """``finding`` repeats the learning of ``earlier`` (confirmed), or does not (dismissed)."""

    __tablename__ = "finding_link"
    __table_args__ = (UniqueConstraint("finding_id", "earlier_finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"))
    earlier_finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[LinkDecision] = mapped_column(str_enum(LinkDecision), index=True)
    # The similarity the engine gave when the person decided (kept for the record).
    score: Mapped[float | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    finding: Mapped[Finding] = relationship(foreign_keys=[finding_id])
    earlier: Mapped[Finding] = relationship(foreign_keys=[earlier_finding_id])
    decided_by: Mapped[User | None] = relationship()
