"""A submission of a review to an external body (issue 22, item 6): the national Panel,
Ofsted, the Secretary of State, the Home Office Quality Assurance Panel, the Care
Inspectorate, Welsh Government, the Wales Safeguarding Repository or the Domestic Abuse
Commissioner. Each is a record with the date sent, what was sent, the reply and its date,
and its own clock for the reply (``reply_due_on``, computed when it is recorded from its
length and unit, and kept). A resubmission is a new record linking to the earlier one,
which stays."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime
from sgreviews.models.review import Review
from sgreviews.models.user import User


class Submission(Base):
    __tablename__ = "review_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    # A key of config/submission_bodies.toml.
    body_key: Mapped[str] = mapped_column(String(60))
    sent_on: Mapped[date]
    what_was_sent: Mapped[str] = mapped_column(Text)
    # The clock for the reply: its length, unit (working_days | calendar_days), the calendar
    # of working days, and the date it gives.
    reply_within: Mapped[int]
    reply_unit: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(3))
    reply_due_on: Mapped[date] = mapped_column(index=True)
    reply_on: Mapped[date | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    # The earlier submission this one resubmits (that one is kept).
    resubmission_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_submission.id", ondelete="SET NULL"), index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    review: Mapped[Review] = relationship()
    resubmission_of: Mapped[Submission | None] = relationship(remote_side=[id])
    recorded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
