"""Reading one action and what hangs off it: the action with its links, its history in
the order things happened, and the small look-ups the workspace and forms need (pending
extensions per action, an agency's reviews, a bulk selection, possible named leads).

The filtered lists of actions and their RAG ratings are in ``lists``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import to_london
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionUpdate,
    EvidenceFile,
    ExtensionRequest,
    ExtensionStatus,
    Finding,
    Review,
    User,
)
from sgreviews.models.action import action_finding


def action_load_options() -> list[Any]:
    """What a page showing actions reads with each: its agency, lead, findings and their
    reviews and partnerships."""
    return [
        joinedload(Action.owning_agency),
        joinedload(Action.lead_user),
        selectinload(Action.findings).joinedload(Finding.review).joinedload(Review.partnership),
    ]


def get_action(action_id: int) -> Action | None:
    return db.session.scalar(
        select(Action).where(Action.id == action_id).options(*action_load_options())
    )


def get_action_with_history(action_id: int) -> Action | None:
    return db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            *action_load_options(),
            joinedload(Action.assured_by),
            selectinload(Action.updates).joinedload(ActionUpdate.author),
            selectinload(Action.updates).selectinload(ActionUpdate.evidence_files),
            selectinload(Action.updates).selectinload(ActionUpdate.revisions),
            selectinload(Action.extension_requests).joinedload(ExtensionRequest.requested_by),
            selectinload(Action.extension_requests).joinedload(ExtensionRequest.decided_by),
            selectinload(Action.evidence_files).joinedload(EvidenceFile.uploaded_by),
            selectinload(Action.evidence_files).joinedload(EvidenceFile.removed_by),
        )
    )


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of an action's history: ``effective_on`` is the day it took effect,
    ``at`` when it was recorded and ``who`` by whom (issue 18: history can be entered)."""

    at: datetime
    title: str
    who: str
    text: str
    update: ActionUpdate | None = None
    request: ExtensionRequest | None = None
    effective_on: date | None = None

    @property
    def recorded_later(self) -> bool:
        """Entered as history: recorded on a later day than it took effect."""
        return self.effective_on is not None and self.effective_on != to_london(self.at).date()


def history(action: Action) -> list[HistoryEntry]:
    """Updates, status changes and extensions, in the order they took effect (then the
    order they were recorded)."""
    entries: list[HistoryEntry] = []
    for update in action.updates:
        title = update.kind.label
        if update.previous_status is not None and update.previous_status is not update.status:
            title += (
                f": status {update.previous_status.label.lower()} to {update.status.label.lower()}"
            )
        entries.append(
            HistoryEntry(
                update.created_at,
                title,
                update.author.display_name if update.author else "Unknown",
                update.note,
                update=update,
                effective_on=update.effective_on,
            )
        )
    for request in action.extension_requests:
        entries.append(
            HistoryEntry(
                request.requested_at,
                f"Extension requested to {request.requested_due_date.strftime('%-d %B %Y')}"
                f" (was {request.due_date_at_request.strftime('%-d %B %Y')})",
                request.requested_by.display_name if request.requested_by else "Unknown",
                request.reason,
                request=request,
                effective_on=request.effective_on,
            )
        )
        if request.decided_at is not None:
            entries.append(
                HistoryEntry(
                    request.decided_at,
                    f"Extension {request.status.label.lower()}",
                    request.decided_by.display_name if request.decided_by else "Unknown",
                    request.decision_note or "",
                    request=request,
                    effective_on=request.decision_effective_on,
                )
            )
    return sorted(
        entries,
        key=lambda entry: (entry.effective_on or to_london(entry.at).date(), entry.at),
    )


# --- look-ups ------------------------------------------------------------------------------


def pending_extension_counts(action_ids: Sequence[int]) -> dict[int, int]:
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(ExtensionRequest.action_id, func.count())
        .where(ExtensionRequest.action_id.in_(action_ids))
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
        .group_by(ExtensionRequest.action_id)
    ).all()
    return {action_id: count for action_id, count in rows}


def reviews_for_agency(agency_id: int) -> list[Review]:
    """Reviews with at least one action owned by the agency (for the workspace filter).

    Driven from the agency's actions (indexed by owning agency) rather than a correlated
    EXISTS per review, which read every review: 5 s at 20,000 reviews (docs/performance.md)."""
    review_ids = (
        select(Finding.review_id)
        .join(action_finding, action_finding.c.finding_id == Finding.id)
        .join(Action, Action.id == action_finding.c.action_id)
        .where(Action.owning_agency_id == agency_id)
    )
    return list(
        db.session.scalars(
            select(Review).where(Review.id.in_(review_ids)).order_by(Review.reference)
        )
    )


def actions_by_ids(ids: Sequence[int]) -> list[Action]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.id.in_(ids))
            .options(selectinload(Action.evidence_files))
            .order_by(Action.reference)
        )
    )


def users_with_agencies() -> list[User]:
    """Active users who belong to an agency (possible named leads), in one query."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.agency_id.is_not(None), User.is_active.is_(True))
            .options(joinedload(User.agency))
            .order_by(User.display_name)
        )
    )
