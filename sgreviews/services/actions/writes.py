"""SMART actions: creating and editing them, progress updates (one or many), extension
requests and decisions, assurance, sending back, closing, and impact.

Every write is audited with the values before and after. Each dated event takes the day it
took effect (``effective_on``, issue 18; ``services.effective_dates``), audited with it.
Reading actions is in ``reads`` (one action, its history) and ``lists`` (filtered lists
and their ratings). Longer than most modules: every write of an action's lifecycle shares
the snapshot, the save and the history entry defined here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    ExtensionRequest,
    ExtensionStatus,
    Finding,
    ImpactMethod,
    ImpactStatus,
    UpdateKind,
    User,
)
from sgreviews.services import audit
from sgreviews.services.editing import FieldError, check_version, diff
from sgreviews.services.effective_dates import FIELD, check_effective_on

# Statuses an agency lead may set in a progress update; the rest are the secretariat's
# and chair's decisions (assured, closed, superseded).
PROGRESS_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)

EDITABLE_FIELDS = (
    "outcome_sought",
    "action_text",
    "measure_of_success",
    "owning_agency_id",
    "lead_user_id",
    "lead_name",
    "lead_subgroup",
    "board_sponsor",
    "due_date",
    "risk",
)


def snapshot(action: Action) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(action, name) for name in EDITABLE_FIELDS}
    values.update(
        status=action.status,
        impact_status=action.impact_status,
        original_due_date=action.original_due_date,
        off_track=action.off_track,
        added_on=action.added_on,
    )
    return audit._jsonable(values)  # type: ignore[no-any-return]


# --- creating and editing ------------------------------------------------------------------


@dataclass
class ActionFields:
    outcome_sought: str
    action_text: str
    measure_of_success: str
    owning_agency_id: int
    due_date: date | None
    lead_user_id: int | None = None
    lead_name: str | None = None
    lead_subgroup: str | None = None
    board_sponsor: str | None = None
    risk: str | None = None
    # The day the action joined the plan (issue 18); None (imports, the API): today.
    added_on: date | None = None


def _added_on(fields: ActionFields, findings: Sequence[Finding]) -> date:
    """The day the action joined the plan: today unless history is being entered; never
    in the future or before the first of its reviews began."""
    if fields.added_on is None:
        return london_today()
    return check_effective_on(
        fields.added_on, [finding.review.started_on for finding in findings], field="added_on"
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _validate(fields: ActionFields, findings: Sequence[Finding]) -> None:
    if not findings:
        raise FieldError("findings", "Select at least one finding the action answers")
    for name, message in (
        ("outcome_sought", "Enter the outcome we want"),
        ("action_text", "Enter the action we will take"),
        ("measure_of_success", "Enter how we will measure it"),
    ):
        if not (getattr(fields, name) or "").strip():
            raise FieldError(name, message)
    if db.session.get(Agency, fields.owning_agency_id) is None:
        raise FieldError("owning_agency_id", "Select the agency that owns the action")
    if fields.due_date is None:
        raise FieldError("due_date", "Enter the due date")
    latest_start = max(finding.review.started_on for finding in findings)
    if fields.due_date < latest_start:
        raise FieldError(
            "due_date",
            "The due date must be on or after the review started "
            f"({latest_start.strftime('%-d %B %Y')})",
        )
    if fields.lead_user_id is not None:
        lead = db.session.get(User, fields.lead_user_id)
        if lead is None or lead.agency_id != fields.owning_agency_id:
            raise FieldError("lead_user_id", "The named lead must be a user of the owning agency")


def _next_reference(finding: Finding) -> str:
    base = f"{finding.review.reference}/{finding.position}."
    existing = set(
        db.session.scalars(select(Action.reference).where(Action.reference.like(f"{base}%")))
    )
    number = 1
    while f"{base}{number}" in existing:
        number += 1
    return f"{base}{number}"


def create_action(
    *,
    actor: User | None,
    findings: Sequence[Finding],
    fields: ActionFields,
    reference: str | None = None,
) -> Action:
    _validate(fields, findings)
    assert fields.due_date is not None
    added_on = _added_on(fields, findings)
    reference = _clean(reference) or _next_reference(findings[0])
    if db.session.scalar(select(Action.id).where(Action.reference == reference)) is not None:
        raise FieldError("reference", f"An action with the reference {reference} already exists")
    action = Action(
        reference=reference,
        outcome_sought=fields.outcome_sought.strip(),
        action_text=fields.action_text.strip(),
        measure_of_success=fields.measure_of_success.strip(),
        owning_agency_id=fields.owning_agency_id,
        lead_user_id=fields.lead_user_id,
        lead_name=_clean(fields.lead_name) if fields.lead_user_id is None else None,
        lead_subgroup=_clean(fields.lead_subgroup),
        board_sponsor=_clean(fields.board_sponsor),
        risk=_clean(fields.risk),
        due_date=fields.due_date,
        original_due_date=fields.due_date,
        status=ActionStatus.NOT_STARTED,
        impact_status=ImpactStatus.NOT_ASSESSED,
        findings=list(findings),
        added_on=added_on,
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        actor,
        "action",
        action.id,
        "create",
        after={**snapshot(action), "findings": [finding.id for finding in findings]},
    )
    return action


def update_action(
    *, actor: User, action: Action, expected_version: int, fields: ActionFields
) -> Action:
    before = snapshot(action)
    check_version("action", action.id, action.version, expected_version, before)
    _validate(fields, action.findings)
    assert fields.due_date is not None
    if fields.added_on is not None and fields.added_on != action.added_on:
        action.added_on = _added_on(fields, action.findings)
    action.outcome_sought = fields.outcome_sought.strip()
    action.action_text = fields.action_text.strip()
    action.measure_of_success = fields.measure_of_success.strip()
    action.owning_agency_id = fields.owning_agency_id
    action.lead_user_id = fields.lead_user_id
    action.lead_name = _clean(fields.lead_name) if fields.lead_user_id is None else None
    action.lead_subgroup = _clean(fields.lead_subgroup)
    action.board_sponsor = _clean(fields.board_sponsor)
    action.risk = _clean(fields.risk)
    if fields.due_date != action.due_date:
        # A corrected date is a day: the imported timescale as written no longer applies.
        action.due_precision = action.due_as_written = None
    if fields.due_date != action.due_date and action.due_date == action.original_due_date:
        # Before any extension the secretariat may correct the date outright.
        action.original_due_date = fields.due_date
    action.due_date = fields.due_date
    return _save(actor, action, before, "update")


def _save(
    actor: User,
    action: Action,
    before: dict[str, Any],
    event: str,
    effective_on: date | None = None,
) -> Action:
    """Flush and audit the change; a dated event's audit entry records the day it took
    effect beside the moment it was recorded (the entry's own time) and by whom."""
    action.updated_at = utcnow()
    db.session.flush()
    old, new = diff(before, snapshot(action))
    if new:
        if effective_on is not None:
            new = {**new, "effective_on": effective_on.isoformat()}
        audit.record(actor, "action", action.id, event, before=old, after=new)
    return action


def _effective(action: Action, effective_on: date | None) -> date:
    """The day an event on the action took effect: today when none is given (a caller
    that is not entering history: the API, a bulk update, an import); a given day is
    refused in the future or before the first of the action's reviews began."""
    if effective_on is None:
        return london_today()
    return check_effective_on(
        effective_on, [finding.review.started_on for finding in action.findings]
    )


def record_denied(actor: User, action: Action, attempted: str) -> None:
    """An attempt on another agency's action: refused, and kept in the audit trail."""
    audit.record(
        actor,
        "action",
        action.id,
        "denied",
        after={"attempted": attempted, "agency_id": actor.agency_id},
    )


# --- progress, extensions, assurance, impact -------------------------------------------------


def _add_entry(
    actor: User,
    action: Action,
    kind: UpdateKind,
    note: str,
    previous: ActionStatus,
    effective_on: date,
) -> ActionUpdate:
    entry = ActionUpdate(
        action=action,
        author_id=actor.id,
        status=action.status,
        previous_status=previous,
        note=note,
        kind=kind,
        effective_on=effective_on,
    )
    db.session.add(entry)
    return entry


def record_progress(
    *,
    actor: User,
    action: Action,
    status: ActionStatus,
    note: str,
    off_track: bool = False,
    has_new_evidence: bool = False,
    expected_version: int | None = None,
    effective_on: date | None = None,
) -> ActionUpdate:
    """A dated progress note, possibly moving the status on. "Completed with evidence"
    needs evidence: a file with this update or one already attached.

    A note that leaves the status and the off-track flag as they are is an append: it
    neither checks nor bumps the action's version, and writes no row of the action, so two
    notes added at the same moment are both kept. A note that changes either is checked
    against ``expected_version`` (the form's), like any edit."""
    before = snapshot(action)
    off_track = off_track and status is not ActionStatus.COMPLETED
    changes_action = (status, off_track) != (action.status, action.off_track)
    if expected_version is not None and changes_action:
        check_version("action", action.id, action.version, expected_version, before)
    if status not in PROGRESS_STATUSES:
        raise FieldError("status", "Choose not started, in progress or completed")
    if not action.status.is_open and action.status is not ActionStatus.COMPLETED:
        raise FieldError("status", f"This action is {action.status.label.lower()}; it is closed")
    note = note.strip()
    if not note:
        raise FieldError("note", "Enter what has happened since the last update")
    if status is ActionStatus.COMPLETED and not (has_new_evidence or action.current_evidence):
        raise FieldError("evidence", "Attach evidence to mark the action completed with evidence")
    effective = _effective(action, effective_on)
    previous = action.status
    if changes_action:
        action.status = status
        action.off_track = off_track
    entry = _add_entry(actor, action, UpdateKind.PROGRESS, note, previous, effective)
    if changes_action:
        _save(actor, action, before, "progress", effective)
    else:
        db.session.flush()
        # A note alone writes no row of the action, but the trail still says who recorded
        # it, when, and the day it took effect.
        audit.record(
            actor,
            "action",
            action.id,
            "progress_note",
            after={"update": entry.id, "effective_on": effective},
        )
    return entry


@dataclass
class BulkResult:
    updated: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def bulk_progress(
    *, actor: User, actions: Sequence[Action], status: ActionStatus | None, note: str
) -> BulkResult:
    """The same update on several actions (``status`` None keeps each action's own); each
    action that cannot take it is listed with the reason, the others are updated."""
    if not note.strip():
        raise FieldError("note", "Enter the update to record on the selected actions")
    result = BulkResult()
    for action in actions:
        try:
            record_progress(
                actor=actor,
                action=action,
                status=status or action.status,
                note=note,
                off_track=action.off_track,
            )
        except FieldError as error:
            result.refused.append(f"{action.reference}: {error.message}")
        else:
            result.updated.append(action.reference)
    return result


def pending_extension(action: Action) -> ExtensionRequest | None:
    return next(
        (
            request
            for request in action.extension_requests
            if request.status is ExtensionStatus.PENDING
        ),
        None,
    )


def request_extension(
    *,
    actor: User,
    action: Action,
    new_due_date: date | None,
    reason: str,
    effective_on: date | None = None,
) -> ExtensionRequest:
    if not action.status.is_open:
        raise FieldError("new_due_date", "Only an open action can be extended")
    if pending_extension(action) is not None:
        raise FieldError(
            "new_due_date", "An extension request for this action is already waiting for a decision"
        )
    if new_due_date is None:
        raise FieldError("new_due_date", "Enter the new due date")
    if new_due_date <= action.due_date:
        raise FieldError(
            "new_due_date",
            "The new due date must be after the current one "
            f"({action.due_date.strftime('%-d %B %Y')})",
        )
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "Enter why the action needs more time")
    effective = _effective(action, effective_on)
    request = ExtensionRequest(
        action=action,
        requested_by_id=actor.id,
        due_date_at_request=action.due_date,
        requested_due_date=new_due_date,
        reason=reason,
        effective_on=effective,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        actor,
        "action",
        action.id,
        "extension_requested",
        after={
            "extension_request": request.id,
            "requested_due_date": new_due_date,
            "reason": reason,
            "effective_on": effective,
        },
    )
    return request


def decide_extension(
    *,
    actor: User,
    request: ExtensionRequest,
    approve: bool,
    note: str,
    effective_on: date | None = None,
) -> ExtensionRequest:
    if request.status is not ExtensionStatus.PENDING:
        raise FieldError("decision", "This request has already been decided")
    note = note.strip()
    if not approve and not note:
        raise FieldError("note", "Enter why the extension is declined")
    action = request.action
    effective = _effective(action, effective_on)
    if effective < request.effective_on:
        raise FieldError(
            FIELD,
            "The date it took effect must be on or after the extension was asked for "
            f"({request.effective_on.day} {request.effective_on:%B %Y})",
        )
    before = snapshot(action)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DECLINED
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_effective_on = effective
    request.decision_note = note or None
    if approve:
        # original_due_date stays: it records what was first agreed.
        action.due_date = request.requested_due_date
    _save(actor, action, before, "extension_" + request.status.value, effective)
    if not approve:
        audit.record(
            actor,
            "action",
            action.id,
            "extension_declined",
            after={"extension_request": request.id, "note": note, "effective_on": effective},
        )
    return request


def assure(*, actor: User, action: Action, note: str, effective_on: date | None = None) -> Action:
    if action.status is not ActionStatus.COMPLETED:
        raise FieldError("decision", "Only an action completed with evidence can be assured")
    note = note.strip()
    if not note:
        raise FieldError("note", "Enter the assurance note")
    effective = _effective(action, effective_on)
    before = snapshot(action)
    previous = action.status
    action.status = ActionStatus.ASSURED
    action.assured_at = utcnow()
    action.assured_by_id = actor.id
    action.assurance_note = note
    _add_entry(actor, action, UpdateKind.ASSURED, note, previous, effective)
    return _save(actor, action, before, "assured", effective)


def send_back(
    *, actor: User, action: Action, reason: str, effective_on: date | None = None
) -> Action:
    if action.status is not ActionStatus.COMPLETED:
        raise FieldError("decision", "Only an action completed with evidence can be sent back")
    reason = reason.strip()
    if not reason:
        raise FieldError("note", "Enter why the action is sent back")
    effective = _effective(action, effective_on)
    before = snapshot(action)
    previous = action.status
    action.status = ActionStatus.IN_PROGRESS
    _add_entry(actor, action, UpdateKind.SENT_BACK, reason, previous, effective)
    return _save(actor, action, before, "sent_back", effective)


def close_action(
    *,
    actor: User,
    action: Action,
    superseded: bool,
    reason: str,
    effective_on: date | None = None,
) -> Action:
    """Closed without implementation, or superseded; a reason is required either way (the
    yearly report must explain any finding not implemented)."""
    if action.status in (
        ActionStatus.ASSURED,
        ActionStatus.CLOSED_NOT_IMPLEMENTED,
        ActionStatus.SUPERSEDED,
    ):
        raise FieldError("decision", f"This action is already {action.status.label.lower()}")
    reason = reason.strip()
    if not reason:
        raise FieldError("note", "Enter the reason for closing the action")
    effective = _effective(action, effective_on)
    before = snapshot(action)
    previous = action.status
    action.status = ActionStatus.SUPERSEDED if superseded else ActionStatus.CLOSED_NOT_IMPLEMENTED
    action.closure_reason = reason
    action.off_track = False
    kind = UpdateKind.SUPERSEDED if superseded else UpdateKind.CLOSED
    _add_entry(actor, action, kind, reason, previous, effective)
    return _save(actor, action, before, kind.value, effective)


def record_impact(
    *,
    actor: User,
    action: Action,
    impact_status: ImpactStatus,
    method: ImpactMethod | None,
    assessment_on: date | None,
    note: str,
    effective_on: date | None = None,
) -> Action:
    if impact_status is ImpactStatus.PLANNED:
        if method is None:
            raise FieldError("method", "Choose how the impact will be assessed")
        if assessment_on is None:
            raise FieldError("assessment_on", "Enter when the assessment is planned")
    if (
        impact_status in (ImpactStatus.EVIDENCED, ImpactStatus.NO_IMPACT, ImpactStatus.INCONCLUSIVE)
        and not note.strip()
    ):
        raise FieldError("note", "Enter what the assessment found")
    effective = _effective(action, effective_on)
    before = snapshot(action)
    action.impact_status = impact_status
    action.impact_method = method
    action.impact_assessment_on = assessment_on
    action.impact_note = note.strip() or None
    entry = _add_entry(
        actor,
        action,
        UpdateKind.IMPACT,
        f"{impact_status.label}. {note.strip()}".strip(),
        action.status,
        effective,
    )
    entry.impact_status = impact_status
    return _save(actor, action, before, "impact", effective)
