"""A national review tabled by a partnership (issue 18, item 5): Working Together asks the
yearly report to say which national reviews (the Child Safeguarding Practice Review
Panel's national and thematic reviews, national analyses of SARs, the Home Office's DHR
thematic reports) the partnership considered, where, and what it did as a result. One row
per national review tabled at the board or a subgroup."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime
from sgreviews.models.organisation import Partnership
from sgreviews.models.user import User


class NationalReviewTabled(Base):
    __tablename__ = "national_review_tabled"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    # Who published it, as a short text ("Child Safeguarding Practice Review Panel").
    published_by: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[date | None]
    tabled_on: Mapped[date] = mapped_column(index=True)
    # Where it was tabled: the board or a subgroup, as the partnership names them.
    tabled_at: Mapped[str] = mapped_column(String(200))
    # What the partnership did as a result, in Markdown.
    what_was_done: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    partnership: Mapped[Partnership] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
