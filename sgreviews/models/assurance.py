"""The chair's log of challenge, and the budget for reviews per business year."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum
from sgreviews.models.organisation import Agency, Partnership
from sgreviews.models.user import User


class ChallengeStatus(enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"
    ESCALATED = "escalated"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Challenge(Base):
    """A challenge the chair or scrutineer put to an agency or person, and what came of it."""

    __tablename__ = "challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    raised_on: Mapped[date] = mapped_column(index=True)
    # To an agency where there is one; the named person or body either way.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    raised_with: Mapped[str] = mapped_column(String(200))
    issue: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None]
    status: Mapped[ChallengeStatus] = mapped_column(
        str_enum(ChallengeStatus), default=ChallengeStatus.OPEN
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    partnership: Mapped[Partnership] = relationship()
    agency: Mapped[Agency | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ReviewBudget(Base):
    """The money a partnership set aside for one review type in one business year."""

    __tablename__ = "review_budget"
    __table_args__ = (UniqueConstraint("partnership_id", "business_year", "review_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    # The start year of the business year (2025 is 1 April 2025 to 31 March 2026).
    business_year: Mapped[int]
    review_type: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    partnership: Mapped[Partnership] = relationship()
