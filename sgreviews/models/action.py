"""SMART actions that answer findings, and the dated progress updates on them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.models.base import Base, UTCDateTime, str_enum, utcnow
from sgreviews.models.finding import Finding
from sgreviews.models.organisation import Agency
from sgreviews.models.user import User


class ActionStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ASSURED = "assured"
    CLOSED_NOT_IMPLEMENTED = "closed_not_implemented"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started",
            "in_progress": "In progress",
            "completed": "Completed with evidence",
            "assured": "Assured",
            "closed_not_implemented": "Closed, not implemented",
            "superseded": "Superseded",
        }[self.value]

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class ImpactStatus(enum.Enum):
    NOT_ASSESSED = "not_assessed"
    PLANNED = "planned"
    EVIDENCED = "evidenced"
    NO_IMPACT = "no_impact"
    INCONCLUSIVE = "inconclusive"

    @property
    def label(self) -> str:
        return {
            "not_assessed": "Not yet assessed",
            "planned": "Assessment planned",
            "evidenced": "Evidence of impact",
            "no_impact": "No impact",
            "inconclusive": "Inconclusive",
        }[self.value]


action_finding = Table(
    "action_finding",
    Base.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
)


class Action(Base):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    outcome_sought: Mapped[str] = mapped_column(Text)
    action_text: Mapped[str] = mapped_column(Text)
    measure_of_success: Mapped[str] = mapped_column(Text)
    owning_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    # A user of the owning agency, or a named person without an account.
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    lead_name: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(index=True)
    # Kept when the due date is extended.
    original_due_date: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus), default=ActionStatus.NOT_STARTED, index=True
    )
    impact_status: Mapped[ImpactStatus] = mapped_column(
        str_enum(ImpactStatus), default=ImpactStatus.NOT_ASSESSED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic concurrency: a save with a stale version is refused.
    version: Mapped[int] = mapped_column(default=1)

    owning_agency: Mapped[Agency] = relationship()
    lead_user: Mapped[User | None] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        secondary=action_finding, back_populates="actions"
    )
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.created_at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def lead_display(self) -> str:
        if self.lead_user is not None:
            return self.lead_user.display_name
        return self.lead_name or "Not named"


class ActionUpdate(Base):
    """A dated progress note on an action, with the status it moved to."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus))
    note: Mapped[str] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
