"""SMART actions: creating and editing them, progress updates, extension requests,
assurance, impact, and the lists the workspace and the Master Action Plan show.

Every write is audited with the values before and after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    EvidenceFile,
    ExtensionRequest,
    ExtensionStatus,
    Finding,
    ImpactMethod,
    ImpactStatus,
    Review,
    UpdateKind,
    User,
)
from sgreviews.models.action import action_finding
from sgreviews.services import audit
from sgreviews.services.actions.rag import Rag, RagRules, rate_action
from sgreviews.services.actions.rag_sql import rag_expression
from sgreviews.services.clocks import calendar_for
from sgreviews.services.editing import FieldError, StaleEdit, check_version, diff
from sgreviews.services.paging import PageNumbers, page_window

__all__ = ["FieldError", "StaleEdit"]

# Statuses an agency lead may set in a progress update; the rest are the secretariat's
# and chair's decisions (assured, closed, superseded).
PROGRESS_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)
# Still on the Master Action Plan: not yet signed off or closed.
PLAN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)

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
    )
    return audit._jsonable(values)  # type: ignore[no-any-return]


def _load_options() -> list[Any]:
    return [
        joinedload(Action.owning_agency),
        joinedload(Action.lead_user),
        selectinload(Action.findings).joinedload(Finding.review).joinedload(Review.partnership),
    ]


def get_action(action_id: int) -> Action | None:
    return db.session.scalar(select(Action).where(Action.id == action_id).options(*_load_options()))


def get_action_with_history(action_id: int) -> Action | None:
    return db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            *_load_options(),
            joinedload(Action.assured_by),
            selectinload(Action.updates).joinedload(ActionUpdate.author),
            selectinload(Action.updates).selectinload(ActionUpdate.evidence_files),
            selectinload(Action.extension_requests).joinedload(ExtensionRequest.requested_by),
            selectinload(Action.extension_requests).joinedload(ExtensionRequest.decided_by),
            selectinload(Action.evidence_files).joinedload(EvidenceFile.uploaded_by),
        )
    )


def last_update_times(action_ids: Sequence[int]) -> dict[int, datetime]:
    """The time of each action's latest progress update, in one query."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(ActionUpdate.action_id, func.max(ActionUpdate.created_at))
        .where(ActionUpdate.action_id.in_(action_ids))
        .where(ActionUpdate.kind == UpdateKind.PROGRESS)
        .group_by(ActionUpdate.action_id)
    ).all()
    result: dict[int, datetime] = {}
    for action_id, moment in rows:
        result[action_id] = _aware(moment)
    return result


def _aware(moment: datetime) -> datetime:
    # func.max() bypasses the column type on SQLite, so the UTC marker may be missing.
    from datetime import UTC

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ratings(actions: Sequence[Action], today: date, rules: RagRules) -> dict[int, Rag]:
    times = last_update_times([action.id for action in actions])
    calendar = calendar_for("ENG")
    return {
        action.id: rate_action(action, times.get(action.id), today, rules, calendar)
        for action in actions
    }


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
    action.outcome_sought = fields.outcome_sought.strip()
    action.action_text = fields.action_text.strip()
    action.measure_of_success = fields.measure_of_success.strip()
    action.owning_agency_id = fields.owning_agency_id
    action.lead_user_id = fields.lead_user_id
    action.lead_name = _clean(fields.lead_name) if fields.lead_user_id is None else None
    action.lead_subgroup = _clean(fields.lead_subgroup)
    action.board_sponsor = _clean(fields.board_sponsor)
    action.risk = _clean(fields.risk)
    if fields.due_date != action.due_date and action.due_date == action.original_due_date:
        # Before any extension the secretariat may correct the date outright.
        action.original_due_date = fields.due_date
    action.due_date = fields.due_date
    return _save(actor, action, before, "update")


def _save(actor: User, action: Action, before: dict[str, Any], event: str) -> Action:
    action.updated_at = utcnow()
    db.session.flush()
    old, new = diff(before, snapshot(action))
    if new:
        audit.record(actor, "action", action.id, event, before=old, after=new)
    return action


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
) -> ActionUpdate:
    entry = ActionUpdate(
        action=action,
        author_id=actor.id,
        status=action.status,
        previous_status=previous,
        note=note,
        kind=kind,
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
) -> ActionUpdate:
    """A dated progress note, possibly moving the status on. "Completed with evidence"
    needs evidence: a file with this update or one already attached."""
    before = snapshot(action)
    if expected_version is not None:
        check_version("action", action.id, action.version, expected_version, before)
    if status not in PROGRESS_STATUSES:
        raise FieldError("status", "Choose not started, in progress or completed")
    if not action.status.is_open and action.status is not ActionStatus.COMPLETED:
        raise FieldError("status", f"This action is {action.status.label.lower()}; it is closed")
    note = note.strip()
    if not note:
        raise FieldError("note", "Enter what has happened since the last update")
    if status is ActionStatus.COMPLETED and not (has_new_evidence or action.evidence_files):
        raise FieldError("evidence", "Attach evidence to mark the action completed with evidence")
    previous = action.status
    action.status = status
    action.off_track = off_track and status is not ActionStatus.COMPLETED
    entry = _add_entry(actor, action, UpdateKind.PROGRESS, note, previous)
    _save(actor, action, before, "progress")
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
    *, actor: User, action: Action, new_due_date: date | None, reason: str
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
    request = ExtensionRequest(
        action=action,
        requested_by_id=actor.id,
        due_date_at_request=action.due_date,
        requested_due_date=new_due_date,
        reason=reason,
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
        },
    )
    return request


def decide_extension(
    *, actor: User, request: ExtensionRequest, approve: bool, note: str
) -> ExtensionRequest:
    if request.status is not ExtensionStatus.PENDING:
        raise FieldError("decision", "This request has already been decided")
    note = note.strip()
    if not approve and not note:
        raise FieldError("note", "Enter why the extension is declined")
    action = request.action
    before = snapshot(action)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DECLINED
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_note = note or None
    if approve:
        # original_due_date stays: it records what was first agreed.
        action.due_date = request.requested_due_date
    _save(actor, action, before, "extension_" + request.status.value)
    if not approve:
        audit.record(
            actor,
            "action",
            action.id,
            "extension_declined",
            after={"extension_request": request.id, "note": note},
        )
    return request


def assure(*, actor: User, action: Action, note: str) -> Action:
    if action.status is not ActionStatus.COMPLETED:
        raise FieldError("decision", "Only an action completed with evidence can be assured")
    note = note.strip()
    if not note:
        raise FieldError("note", "Enter the assurance note")
    before = snapshot(action)
    previous = action.status
    action.status = ActionStatus.ASSURED
    action.assured_at = utcnow()
    action.assured_by_id = actor.id
    action.assurance_note = note
    _add_entry(actor, action, UpdateKind.ASSURED, note, previous)
    return _save(actor, action, before, "assured")


def send_back(*, actor: User, action: Action, reason: str) -> Action:
    if action.status is not ActionStatus.COMPLETED:
        raise FieldError("decision", "Only an action completed with evidence can be sent back")
    reason = reason.strip()
    if not reason:
        raise FieldError("note", "Enter why the action is sent back")
    before = snapshot(action)
    previous = action.status
    action.status = ActionStatus.IN_PROGRESS
    _add_entry(actor, action, UpdateKind.SENT_BACK, reason, previous)
    return _save(actor, action, before, "sent_back")


def close_action(*, actor: User, action: Action, superseded: bool, reason: str) -> Action:
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
    before = snapshot(action)
    previous = action.status
    action.status = ActionStatus.SUPERSEDED if superseded else ActionStatus.CLOSED_NOT_IMPLEMENTED
    action.closure_reason = reason
    action.off_track = False
    kind = UpdateKind.SUPERSEDED if superseded else UpdateKind.CLOSED
    _add_entry(actor, action, kind, reason, previous)
    return _save(actor, action, before, kind.value)


def record_impact(
    *,
    actor: User,
    action: Action,
    impact_status: ImpactStatus,
    method: ImpactMethod | None,
    assessment_on: date | None,
    note: str,
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
    before = snapshot(action)
    action.impact_status = impact_status
    action.impact_method = method
    action.impact_assessment_on = assessment_on
    action.impact_note = note.strip() or None
    _add_entry(
        actor,
        action,
        UpdateKind.IMPACT,
        f"{impact_status.label}. {note.strip()}".strip(),
        action.status,
    )
    return _save(actor, action, before, "impact")


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    title: str
    who: str
    text: str
    update: ActionUpdate | None = None
    request: ExtensionRequest | None = None


def history(action: Action) -> list[HistoryEntry]:
    """Updates, status changes and extensions, in the order they happened."""
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
                )
            )
    return sorted(entries, key=lambda entry: entry.at)


# --- lists ---------------------------------------------------------------------------------


@dataclass
class ActionFilter:
    statuses: list[ActionStatus] = field(default_factory=list)
    rags: list[Rag] = field(default_factory=list)
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool = False
    review_id: int | None = None
    agency_id: int | None = None
    changed_since: date | None = None
    open_only: bool = False


def _filtered(query: Select[Action], filters: ActionFilter, today: date) -> Select[Action]:
    return query.where(*filter_conditions(filters, today))


def filter_conditions(
    filters: ActionFilter,
    today: date,
    status: Any = Action.status,
    due_date: Any = Action.due_date,
) -> list[ColumnElement[bool]]:
    """The filters as WHERE conditions on ``action`` (the RAG filter is not among them:
    see list_actions). ``status`` and ``due_date`` may name the same columns of another
    table (the plan's running count, sgreviews/models/plan_tally.py), which has none of
    the other filters' columns."""
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses:
        conditions.append(status.in_(filters.statuses))
    if filters.open_only:
        conditions.append(status.in_(PLAN_STATUSES))
    if filters.due_before is not None:
        conditions.append(due_date <= filters.due_before)
    if filters.due_after is not None:
        conditions.append(due_date >= filters.due_after)
    if filters.overdue:
        open_statuses = [value for value in ActionStatus if value.is_open]
        conditions += [status.in_(open_statuses), due_date < today]
    if filters.agency_id is not None:
        conditions.append(Action.owning_agency_id == filters.agency_id)
    if filters.review_id is not None:
        conditions.append(Action.findings.any(Finding.review_id == filters.review_id))
    if filters.changed_since is not None:
        since = datetime.combine(filters.changed_since, datetime.min.time()).replace(
            tzinfo=utcnow().tzinfo
        )
        conditions.append(
            or_(
                Action.updated_at >= since,
                Action.updates.any(ActionUpdate.created_at >= since),
                Action.extension_requests.any(ExtensionRequest.requested_at >= since),
            )
        )
    return conditions


def list_actions(
    filters: ActionFilter, today: date, rules: RagRules
) -> tuple[list[Action], dict[int, Rag]]:
    """Actions matching the filters, with their RAG ratings; the RAG filter is applied
    after rating because the rules (working days) are not SQL."""
    query = _filtered(select(Action).options(*_load_options()), filters, today).order_by(
        Action.due_date, Action.reference
    )
    actions = list(db.session.scalars(query).unique())
    rag = ratings(actions, today, rules)
    if filters.rags:
        actions = [action for action in actions if rag[action.id] in filters.rags]
    return actions, rag


WORKSPACE_PAGE_SIZE = 50


@dataclass
class ActionPage(PageNumbers):
    """One page of a filtered list of actions, with their ratings and the whole count."""

    actions: list[Action]
    rag: dict[int, Rag]
    total: int
    page: int
    pages: int
    per_page: int


def list_actions_page(
    filters: ActionFilter,
    today: date,
    rules: RagRules,
    page: int = 1,
    per_page: int = WORKSPACE_PAGE_SIZE,
) -> ActionPage:
    """One page of ``list_actions``, in the same order, with a fixed number of queries: the
    RAG filter is applied in SQL (``rag_sql.rag_expression``, the same rules as
    ``rag.rate``), so only the page's actions are loaded and rated."""
    conditions = filter_conditions(filters, today)
    if filters.rags:
        rating = rag_expression(today, rules, calendar_for("ENG"))
        conditions.append(rating.in_([rag.value for rag in filters.rags]))
    total = db.session.scalar(select(func.count()).select_from(Action).where(*conditions)) or 0
    page, pages = page_window(page, total, per_page)
    ids = db.session.scalars(
        select(Action.id)
        .where(*conditions)
        .order_by(Action.due_date, Action.reference)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    loaded = {
        action.id: action
        for action in db.session.scalars(
            select(Action).where(Action.id.in_(ids)).options(*_load_options())
        ).unique()
    }
    actions = [loaded[action_id] for action_id in ids]
    return ActionPage(actions, ratings(actions, today, rules), total, page, pages, per_page)


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
