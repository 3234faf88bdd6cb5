"""An action as it stood on a day, and the actions of a period, from the action's
history: each entry's status (status history), its "impact recorded" entries (impact
history, migration 0030), its assurances and its decided extensions. Every event's date
is read through ``event_dates``.

Rows recorded before a history existed (an action whose status or impact was set with no
entry) are dated by the best recorded moment: when the action was last changed
(``updated_at``), so such an action shows its status from that day on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate, ImpactStatus
from sgreviews.models.action import ExtensionStatus, UpdateKind
from sgreviews.services.history.event_dates import (
    action_created_by_sql,
    action_created_on,
    assurance_recorded_on,
    assured_on,
    change_recorded_on,
    extension_decided_on,
    impact_assessed_on,
    status_changed_on,
)
from sgreviews.services.periods import Period

FINISHED = (ActionStatus.COMPLETED, ActionStatus.ASSURED)


def _entries(action: Action) -> list[ActionUpdate]:
    return sorted(action.updates, key=lambda entry: (status_changed_on(entry), entry.id or 0))


def status_on(action: Action, day: date) -> ActionStatus:
    """The action's status at the end of ``day``."""
    entries = _entries(action)
    if not entries:
        changed = action.status is not ActionStatus.NOT_STARTED
        return (
            action.status
            if changed and change_recorded_on(action) <= day
            else (ActionStatus.NOT_STARTED)
        )
    reached = [entry for entry in entries if status_changed_on(entry) <= day]
    if reached:
        return reached[-1].status
    return entries[0].previous_status or ActionStatus.NOT_STARTED


def impact_on(action: Action, day: date) -> ImpactStatus:
    """The action's impact assessment at the end of ``day``."""
    assessed = sorted(
        (
            entry
            for entry in action.updates
            if entry.kind is UpdateKind.IMPACT and entry.impact_status is not None
        ),
        key=lambda entry: (impact_assessed_on(entry), entry.id or 0),
    )
    if not assessed:
        known = action.impact_status is not ImpactStatus.NOT_ASSESSED
        if known and change_recorded_on(action) <= day:
            return action.impact_status
        return ImpactStatus.NOT_ASSESSED
    reached = [entry for entry in assessed if impact_assessed_on(entry) <= day]
    if reached and reached[-1].impact_status is not None:
        return reached[-1].impact_status
    return ImpactStatus.NOT_ASSESSED


def due_on(action: Action, day: date) -> date:
    """The due date that stood at the end of ``day``: the due date before the first
    extension approved after that day (the date the request was made against)."""
    later = sorted(
        (
            (decided, request.id or 0, request.due_date_at_request)
            for request in action.extension_requests
            if request.status is ExtensionStatus.APPROVED
            and (decided := extension_decided_on(request)) is not None
            and decided > day
        ),
    )
    return later[0][2] if later else action.due_date


def _assured_days(action: Action) -> list[date]:
    days = [assured_on(entry) for entry in action.updates if entry.kind is UpdateKind.ASSURED]
    legacy = assurance_recorded_on(action)
    return days if days or legacy is None else [legacy]


@dataclass(frozen=True)
class ActionAsAt:
    """An action at the end of a period, and what happened to it within the period."""

    action: Action
    status: ActionStatus
    impact: ImpactStatus
    due_date: date
    created_in_period: bool
    due_in_period: bool
    completed_in_period: bool
    assured_in_period: bool
    closed_in_period: bool
    closing_note: str

    @property
    def open(self) -> bool:
        return self.status.is_open

    def overdue(self, day: date) -> bool:
        return self.open and self.due_date < day


def action_as_at(action: Action, period: Period, day: date) -> ActionAsAt:
    """``action`` as at the end of ``day`` (the period's end, or today within the
    current period), with the period's events."""
    within = Period(period.start, day, period.label)
    entries = [entry for entry in _entries(action) if within.contains(status_changed_on(entry))]
    status = status_on(action, day)
    closing = [entry for entry in entries if entry.status is ActionStatus.CLOSED_NOT_IMPLEMENTED]
    completed = any(
        entry.status in FINISHED and entry.previous_status not in FINISHED for entry in entries
    )
    if not action.updates and status in FINISHED:
        completed = within.contains(change_recorded_on(action))
    due = due_on(action, day)
    closed = status is ActionStatus.CLOSED_NOT_IMPLEMENTED and (
        bool(closing) or (not action.updates and within.contains(change_recorded_on(action)))
    )
    return ActionAsAt(
        action=action,
        status=status,
        impact=impact_on(action, day),
        due_date=due,
        created_in_period=within.contains(action_created_on(action)),
        due_in_period=within.contains(due),
        completed_in_period=completed,
        assured_in_period=any(within.contains(assured) for assured in _assured_days(action)),
        closed_in_period=closed,
        closing_note=(closing[-1].note if closing else action.closure_reason or ""),
    )


def actions_of_period(
    scope: list[ColumnElement[bool]], period: Period, day: date
) -> list[ActionAsAt]:
    """The actions of a period, as at ``day``: added, due, completed, assured or closed
    within it, or open at its end; never an action added after ``day``. Three queries
    (the actions, their history entries, their extension requests), whatever the data."""
    actions = db.session.scalars(
        select(Action)
        .where(action_created_by_sql(day), *scope)
        .options(selectinload(Action.updates), selectinload(Action.extension_requests))
        .order_by(Action.reference)
    ).all()
    result = []
    for action in actions:
        state = action_as_at(action, period, day)
        if (
            state.open
            or state.created_in_period
            or state.due_in_period
            or state.completed_in_period
            or state.assured_in_period
            or state.closed_in_period
        ):
            result.append(state)
    return result
