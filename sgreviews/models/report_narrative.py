"""The words of a yearly report that the figures cannot give: the chair's foreword and a
commentary under each generated section, written in the app beside the figures.

One row per (scope, business year, section key); the foreword has the reserved key
``foreword``. The text is Markdown, shown through the one sanitising filter. Signed-off
versions keep their own copy (the snapshot), so editing a row only changes the live report
and the next version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime
from sgreviews.models.user import User


class ReportNarrative(Base):
    __tablename__ = "report_narrative"
    __table_args__ = (
        UniqueConstraint("scope", "year_start", "section_key", name="uq_report_narrative_section"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same scope keys as signed-off reports: "all" or "partnership-<id>".
    scope: Mapped[str] = mapped_column(String(40))
    # The business year's first calendar year (2025 = 2025/26).
    year_start: Mapped[int]
    # A section's key (a slug of its title) or "foreword".
    section_key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
