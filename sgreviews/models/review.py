"""A review of a case: what kind, whose, which stage, and its key dates; and the lifecycle
records around it (decisions, stage moves, holds, the regulation 14 monitoring log, linked
reviews, agencies involved, the family involvement log, computed deadlines) plus the
administrator's extra closure days."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum
from sgreviews.models.organisation import Agency, Partnership
from sgreviews.models.user import User

if TYPE_CHECKING:
    from sgreviews.models.finding import Finding


class SubjectKind(enum.Enum):
    CHILD = "child"
    ADULT = "adult"
    FAMILY = "family"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Methodology(enum.Enum):
    SYSTEMS = "systems"
    SILP = "silp"
    APPRECIATIVE_INQUIRY = "appreciative_inquiry"
    HYBRID = "hybrid"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "systems": "Systems / Learning Together",
            "silp": "SILP",
            "appreciative_inquiry": "Appreciative Inquiry",
            "hybrid": "Hybrid",
            "other": "Other",
        }[self.value]


class HoldReason(enum.Enum):
    CRIMINAL = "criminal"
    FAMILY_COURT = "family_court"
    CORONER = "coroner"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "criminal": "Criminal proceedings",
            "family_court": "Family court proceedings",
            "coroner": "Coroner's inquest",
            "other": "Other",
        }[self.value]


class MonitoringKind(enum.Enum):
    TIME = "time"
    QUALITY = "quality"
    WRITTEN_REQUEST = "written_request"

    @property
    def label(self) -> str:
        return {
            "time": "Check of time",
            "quality": "Check of quality",
            "written_request": "Written request to the reviewer",
        }[self.value]


class LinkKind(enum.Enum):
    LED_TO = "led_to"
    PARALLEL = "parallel"
    JOINT = "joint"

    @property
    def label(self) -> str:
        return {"led_to": "Led to", "parallel": "Runs in parallel with", "joint": "Joint with"}[
            self.value
        ]


class Consent(enum.Enum):
    NOT_ASKED = "not_asked"
    AWAITED = "awaited"
    GIVEN = "given"
    WITHHELD = "withheld"

    @property
    def label(self) -> str:
        return {
            "not_asked": "Not yet asked",
            "awaited": "Awaiting a reply",
            "given": "Consent given",
            "withheld": "Consent withheld",
        }[self.value]


review_agency = Table(
    "review_agency",
    Base.metadata,
    Column("review_id", ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("partnership_id", "reference"),
        # Migration 0012: the Master Action Plan reads reviews in reference order.
        Index("ix_review_reference", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history on partnership_id and started_on: the theme tally (kept by hooks in
    # services/actions/tallies.py) moves a review's findings when either changes, even on
    # an expired object.
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id"), index=True, active_history=True
    )
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
    started_on: Mapped[date] = mapped_column(index=True, active_history=True)
    completed_on: Mapped[date | None]
    published_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # Imported from a register of past reviews (services/reviews/register_import.py): a
    # record of what happened, so no reminder fires for its long-past deadlines.
    historical: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Lifecycle. Every column below is nullable or has a server default, so inserts that
    # know nothing of the lifecycle keep working.
    # The date the local authority (or police, for a DHR) became aware of the incident.
    aware_on: Mapped[date | None]
    # The decision to hold this review (or, for a rapid review, the decision it made).
    decision_on: Mapped[date | None]
    commissioned_on: Mapped[date | None] = mapped_column(index=True)
    sent_to_panel_on: Mapped[date | None]
    # The national Panel's or the Home Office's reference, where there is one.
    national_reference: Mapped[str | None] = mapped_column(String(60))
    # Overrides the clocks' calendar (a Welsh community safety partnership, say).
    jurisdiction: Mapped[str | None] = mapped_column(String(3))
    looked_after_child: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A key of the type's variants (a SAR is mandatory or discretionary).
    variant: Mapped[str | None] = mapped_column(String(40))
    # Commissioning.
    reviewer_name: Mapped[str | None] = mapped_column(String(200))
    methodology: Mapped[Methodology | None] = mapped_column(str_enum(Methodology))
    cost_pence: Mapped[int | None]
    terms_of_reference_on: Mapped[date | None]
    # Publication.
    publication_url: Mapped[str | None] = mapped_column(String(500))
    anonymised_confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    final_report_sent_on: Mapped[date | None]
    # Home Office quality assurance (DHRs).
    home_office_submitted_on: Mapped[date | None]
    home_office_letter_on: Mapped[date | None]
    home_office_outcome: Mapped[str | None] = mapped_column(String(200))

    # Issue 20: a review created in error is withdrawn (never deleted): it keeps its trail
    # and leaves every list, count and figure (``services.reviews.standing``).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    @hybrid_property
    def counted(self) -> bool:
        """The one predicate for "this review is in lists, counts and figures": every
        list, dashboard figure, report, reminder and search filters on it (SQL:
        ``Review.counted``); a withdrawn review is out of all of them."""
        return self.withdrawn_at is None

    @counted.inplace.expression
    @classmethod
    def _counted_expression(cls) -> ColumnElement[bool]:
        return cls.counted_clause()

    @classmethod
    def counted_clause(cls) -> ColumnElement[bool]:
        """``Review.counted`` typed as a plain SQL condition, for typed lists of clauses."""
        return cls.withdrawn_at.is_(None)

    partnership: Mapped[Partnership] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        back_populates="review", order_by="Finding.position"
    )
    agencies_involved: Mapped[list[Agency]] = relationship(
        secondary=review_agency, order_by=Agency.name
    )
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review", order_by="ReviewDecision.id"
    )
    transitions: Mapped[list[StageTransition]] = relationship(
        back_populates="review", order_by="StageTransition.id"
    )
    holds: Mapped[list[ReviewHold]] = relationship(
        back_populates="review", order_by="ReviewHold.started_on"
    )
    monitoring: Mapped[list[MonitoringEntry]] = relationship(
        back_populates="review", order_by="MonitoringEntry.checked_on"
    )
    family_log: Mapped[list[FamilyInvolvement]] = relationship(
        back_populates="review", order_by="FamilyInvolvement.id"
    )
    deadlines: Mapped[list[ReviewDeadline]] = relationship(
        back_populates="review", order_by="ReviewDeadline.due_on", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def active_hold(self) -> ReviewHold | None:
        return next((hold for hold in self.holds if hold.ended_on is None), None)


# Who may sign off a decision under Working Together 2023 (review types with
# ``decision_signed_off_by_partner``): the stored key and how it reads in a sentence.
DECISION_SIGN_OFF_ROLES = {
    "lead": "the lead safeguarding partner",
    "delegated": "a delegated safeguarding partner",
}


class ReviewDecision(Base):
    """A decision on a review: a rapid review's recommendation, a DHR or SAR decision."""

    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    decided_on: Mapped[date]
    # A key of the review type's outcomes.
    outcome: Mapped[str] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    sent_to_panel_on: Mapped[date | None]
    panel_reply_on: Mapped[date | None]
    panel_reply: Mapped[str | None] = mapped_column(Text)
    # Working Together 2023 (issue 22): who signed the decision off, for the types whose
    # decisions a safeguarding partner signs off (``decision_signed_off_by_partner``):
    # "lead" (the lead safeguarding partner) or "delegated" (a delegated partner), and
    # their name.
    signed_off_by_role: Mapped[str | None] = mapped_column(String(20))
    signed_off_by_name: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="decisions")
    recorded_by: Mapped[User | None] = relationship()


class StageTransition(Base):
    """A move between stages: when, by whom, and why."""

    __tablename__ = "stage_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    moved_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class ReviewHold(Base):
    """A pause for proceedings: the review's clocks stop from ``started_on`` and restart on
    ``ended_on``."""

    __tablename__ = "review_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    reason: Mapped[HoldReason] = mapped_column(str_enum(HoldReason))
    details: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="holds")


class MonitoringEntry(Base):
    """The regulation 14 monitoring log: dated checks of a review's time and quality, and
    written requests to the reviewer."""

    __tablename__ = "monitoring_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    checked_on: Mapped[date]
    kind: Mapped[MonitoringKind] = mapped_column(str_enum(MonitoringKind))
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="monitoring")
    actor: Mapped[User | None] = relationship()


class ReviewLink(Base):
    """Two related reviews: a rapid review that led to an LCSPR, or parallel and joint
    reviews (a DHR with a SAR)."""

    __tablename__ = "review_link"
    __table_args__ = (UniqueConstraint("from_review_id", "to_review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True
    )
    to_review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    from_review: Mapped[Review] = relationship(foreign_keys=[from_review_id])
    to_review: Mapped[Review] = relationship(foreign_keys=[to_review_id])


class FamilyInvolvement(Base):
    """Who in the family (or the child or adult) was invited to contribute, when, their
    consent, how they want to be contacted and how their views were used. Secretariat and
    chair only."""

    __tablename__ = "family_involvement"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    # A pseudonymised description such as "Mother of Child Q".
    person: Mapped[str] = mapped_column(String(200))
    invited_on: Mapped[date | None]
    consent: Mapped[Consent] = mapped_column(str_enum(Consent))
    contact_preferences: Mapped[str] = mapped_column(Text, default="")
    views_used: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="family_log")


class ReviewDeadline(Base):
    """A computed statutory deadline with the rule and calendar that produced it; stored so
    lists can filter on due dates in SQL. Recomputed whenever the review or the calendar
    changes."""

    __tablename__ = "review_deadline"
    __table_args__ = (UniqueConstraint("review_id", "clock_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    clock_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    met_on: Mapped[date | None]
    rule: Mapped[str] = mapped_column(Text)
    calendar: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="deadlines")


class ExtraClosureDay(Base):
    """An administrator's extra non-working day (an office closure between Christmas and
    New Year, say), for one jurisdiction or, with none, for all."""

    __tablename__ = "extra_closure_day"
    __table_args__ = (UniqueConstraint("day", "jurisdiction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
