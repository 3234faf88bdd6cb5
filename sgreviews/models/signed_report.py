"""Signed-off yearly reports: a frozen, versioned snapshot of what the chair put their name
to. A snapshot is never edited: a new version supersedes it (a higher ``number`` for the same
scope and year). The ORM refuses any UPDATE or DELETE of a row, and so does the database
itself (triggers of migration 0039)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime
from sgreviews.models.organisation import Partnership
from sgreviews.models.user import User


class SignedReportChange(Exception):
    """A signed-off report was about to be changed or removed: it can only be superseded."""


class SignedReport(Base):
    __tablename__ = "signed_report"
    __table_args__ = (
        UniqueConstraint("scope", "year_start", "number", name="uq_signed_report_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "all" (every partnership) or "partnership-<id>": one key for the report's scope, so
    # the version numbers are unique without relying on how a database compares NULLs.
    scope: Mapped[str] = mapped_column(String(40))
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"), index=True)
    # The business year's first calendar year (2025 = 2025/26).
    year_start: Mapped[int]
    # 1 for the first sign-off, then 2, 3 ... each superseding the one before.
    number: Mapped[int]
    # What the report service returned, as data: the full and the public version.
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    public_report: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The rendered print documents (the PDFs are made from these) and the full version as
    # Markdown (what the differences between versions are worked out from).
    html: Mapped[str] = mapped_column(Text)
    public_html: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    # Why a new version was made (empty for the first).
    note: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    partnership: Mapped[Partnership | None] = relationship()
    signed_by: Mapped[User] = relationship()


@event.listens_for(SignedReport, "before_update")
@event.listens_for(SignedReport, "before_delete")
def _refuse_change(_mapper: Mapper[SignedReport], _connection: Any, target: SignedReport) -> None:
    raise SignedReportChange(
        f"signed-off report {target.id} cannot be changed: make a new version instead"
    )
