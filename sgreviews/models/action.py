"""SMART actions that answer findings, and the dated progress updates on them."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import london_today, to_london, utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum
from sgreviews.models.finding import Finding
from sgreviews.models.organisation import Agency
from sgreviews.models.user import User


def _london_day_of(moment_column: str, *, else_today: bool = True) -> Callable[[Any], date | None]:
    """A default for an ``effective_on`` column: the UK date of the row's recorded moment
    when the insert gives one (demo data, imported trackers, tests), else today (or
    nothing)."""

    def default(context: Any) -> date | None:
        moment = context.get_current_parameters().get(moment_column)
        if isinstance(moment, datetime):
            return to_london(moment).date()
        return london_today() if else_today else None

    return default


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


class ImpactMethod(enum.Enum):
    AUDIT = "audit"
    SURVEY = "survey"
    DATA = "data"
    PRACTITIONER_FEEDBACK = "practitioner_feedback"

    @property
    def label(self) -> str:
        return {
            "audit": "Audit",
            "survey": "Survey",
            "data": "Data",
            "practitioner_feedback": "Practitioner feedback",
        }[self.value]


class UpdateKind(enum.Enum):
    """What an entry in an action's history records."""

    PROGRESS = "progress"
    ASSURED = "assured"
    SENT_BACK = "sent_back"
    CLOSED = "closed"
    SUPERSEDED = "superseded"
    IMPACT = "impact"

    @property
    def label(self) -> str:
        return {
            "progress": "Progress update",
            "assured": "Assured",
            "sent_back": "Sent back",
            "closed": "Closed, not implemented",
            "superseded": "Superseded",
            "impact": "Impact recorded",
        }[self.value]


class ExtensionStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.capitalize()


action_finding = Table(
    "action_finding",
    Base.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    # Indexed on its own: the primary key serves lookups by action, not by finding
    # ("which reviews have this agency's actions" scanned the table per finding without it).
    Column(
        "finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Action(Base):
    __tablename__ = "action"
    # active_history on the columns the dashboard's tallies count by (sgreviews/models/
    # tally.py): setting one on an expired instance loads the old value first, so the
    # after_update hook always sees what changed.
    # For the dashboard's aggregates (docs/performance.md): counts by agency and status,
    # overdue ranges, the assurance gaps by due date and the monthly trend read these
    # narrow indexes instead of the wide rows.
    # Migration 0012 widens ix_action_status_due so the plan's RAG count reads it alone,
    # and adds ix_action_agency_due: an agency's actions in due-date order.
    __table_args__ = (
        Index("ix_action_agency_status_due", "owning_agency_id", "status", "due_date"),
        Index("ix_action_status_due", "status", "due_date", "off_track", "id"),
        Index("ix_action_trend", "added_on", "finished_on", "due_date"),
        Index("ix_action_agency_due", "owning_agency_id", "due_date", "reference"),
        # Migration 0024: "Your work"'s assured actions without impact evidence, oldest
        # assurance first, without reading every assured row.
        Index("ix_action_status_assured", "status", "assured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    outcome_sought: Mapped[str] = mapped_column(Text)
    action_text: Mapped[str] = mapped_column(Text)
    measure_of_success: Mapped[str] = mapped_column(Text)
    owning_agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id"), index=True, active_history=True
    )
    # A user of the owning agency, or a named person without an account.
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    lead_name: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(index=True, active_history=True)
    # Kept when the due date is extended.
    original_due_date: Mapped[date]
    # How precise the due date is (services/actions/timescales.py PRECISIONS: "March 2027"
    # is a month, due on its last day) and the timescale as the tracker wrote it. NULL for
    # actions given a day in the app.
    due_precision: Mapped[str | None] = mapped_column(String(10))
    due_as_written: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus), default=ActionStatus.NOT_STARTED, index=True, active_history=True
    )
    impact_status: Mapped[ImpactStatus] = mapped_column(
        str_enum(ImpactStatus), default=ImpactStatus.NOT_ASSESSED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, active_history=True)
    # Issue 18: the day the action joined the plan (entered history may be years old),
    # apart from when it was recorded (``created_at``); figures as at a date count an
    # action from this day (services/history/event_dates.py).
    added_on: Mapped[date] = mapped_column(default=_london_day_of("created_at"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic concurrency: a save with a stale version is refused.
    version: Mapped[int] = mapped_column(default=1)
    # The rest of the SMART record; nullable (or server defaults) so bulk loaders that only
    # know the core columns still work.
    lead_subgroup: Mapped[str | None] = mapped_column(String(200))
    board_sponsor: Mapped[str | None] = mapped_column(String(200))
    risk: Mapped[str | None] = mapped_column(Text)
    # Set by the latest progress update: the lead says the action is off track (RAG red).
    off_track: Mapped[bool] = mapped_column(
        default=False, server_default=false(), active_history=True
    )
    closure_reason: Mapped[str | None] = mapped_column(Text)
    impact_method: Mapped[ImpactMethod | None] = mapped_column(str_enum(ImpactMethod))
    impact_assessment_on: Mapped[date | None]
    impact_note: Mapped[str | None] = mapped_column(Text)
    assured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assured_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assurance_note: Mapped[str | None] = mapped_column(Text)
    # The day the action first moved to a finished status: the earliest day an update whose
    # status is in FINISHED_STATUSES took effect (``ActionUpdate.effective_on``, so history
    # entered later lands in its own month; issue 18). Kept by a hook in
    # sgreviews/services/actions/tallies.py, in the same flush as the update, so the
    # dashboard's monthly trend reads one column instead of grouping every update in the
    # country. Replaced ``finished_at`` (the recorded moment) in migration 0040.
    finished_on: Mapped[date | None]
    # How many reviews' findings the action answers (the Master Action Plan lists it under
    # each). Kept by the hooks in sgreviews/services/actions/plan_tally.py in the flush that
    # links it.
    review_count: Mapped[int] = mapped_column(default=0, server_default="0")

    owning_agency: Mapped[Agency] = relationship()
    lead_user: Mapped[User | None] = relationship(foreign_keys=[lead_user_id])
    assured_by: Mapped[User | None] = relationship(foreign_keys=[assured_by_id])
    findings: Mapped[list[Finding]] = relationship(
        secondary=action_finding, back_populates="actions"
    )
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.created_at"
    )
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="action", order_by="ExtensionRequest.requested_at"
    )
    evidence_files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="action", order_by="EvidenceFile.uploaded_at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def current_evidence(self) -> list[EvidenceFile]:
        """The evidence files in use: those not removed (issue 20)."""
        return [file for file in self.evidence_files if file.removed_at is None]

    @property
    def removed_evidence(self) -> list[EvidenceFile]:
        return [file for file in self.evidence_files if file.removed_at is not None]

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
    kind: Mapped[UpdateKind] = mapped_column(
        str_enum(UpdateKind), default=UpdateKind.PROGRESS, server_default="progress"
    )
    # The status before this entry, so the history shows each status change.
    previous_status: Mapped[ActionStatus | None] = mapped_column(str_enum(ActionStatus))
    # Issue 18: the day the entry took effect (entered history may be years old), apart
    # from when it was recorded (``created_at``) and by whom (``author_id``). Read it
    # through ``sgreviews.services.effective_dates``.
    effective_on: Mapped[date] = mapped_column(default=_london_day_of("created_at"))
    # Migration 0030: the impact assessed by an "impact recorded" entry, so the impact of
    # an action as at any date can be read from its history (services/history/).
    impact_status: Mapped[ImpactStatus | None] = mapped_column(str_enum(ImpactStatus))

    # Migration 0012: an action's latest progress update from the index alone.
    # Migration 0024: "Your work"'s sent-back actions read the few sent-back entries by
    # kind instead of every entry in the country.
    __table_args__ = (
        Index("ix_action_update_action_kind_created", "action_id", "kind", "created_at"),
        Index("ix_action_update_kind_action", "kind", "action_id", "created_at"),
    )

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    evidence_files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="update", order_by="EvidenceFile.uploaded_at"
    )

    @property
    def current_evidence(self) -> list[EvidenceFile]:
        return [file for file in self.evidence_files if file.removed_at is None]

    # Earlier texts of a corrected note, oldest first (issue 20).
    revisions: Mapped[list[ActionUpdateRevision]] = relationship(
        order_by="ActionUpdateRevision.replaced_at", cascade="all, delete-orphan"
    )


FINISHED_STATUSES = (
    ActionStatus.COMPLETED,
    ActionStatus.ASSURED,
    ActionStatus.CLOSED_NOT_IMPLEMENTED,
    ActionStatus.SUPERSEDED,
)


class ExtensionRequest(Base):
    """An agency's request to move an action's due date; the secretariat decides."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_date_at_request: Mapped[date]
    requested_due_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        str_enum(ExtensionStatus), default=ExtensionStatus.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    # Issue 18: the days the request and the decision took effect, apart from when they
    # were recorded (``requested_at``, ``decided_at``). Read them through
    # ``sgreviews.services.effective_dates``.
    effective_on: Mapped[date] = mapped_column(default=_london_day_of("requested_at"))
    decision_effective_on: Mapped[date | None] = mapped_column(
        default=_london_day_of("decided_at", else_today=False)
    )

    action: Mapped[Action] = relationship(back_populates="extension_requests")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class EvidenceFile(Base):
    """A file attached to an action as evidence; the bytes live under the evidence folder
    (outside static/), named by ``stored_name`` so user input never becomes a path."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_update.id", ondelete="SET NULL"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Sanitised, for display and the download name.
    file_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    action: Mapped[Action] = relationship(back_populates="evidence_files")
    update: Mapped[ActionUpdate | None] = relationship(back_populates="evidence_files")
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])

    # Issue 20: removed by mistake or replaced. The row stays (the trail); the file is
    # refused to everyone but administrators, and deleted after the retention period.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removal_reason: Mapped[str | None] = mapped_column(Text)

    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class ActionUpdateRevision(Base):
    """The earlier text of a corrected progress note: each correction keeps what it
    replaced, who replaced it and when (issue 20)."""

    __tablename__ = "action_update_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("action_update.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    replaced_by: Mapped[User | None] = relationship()
