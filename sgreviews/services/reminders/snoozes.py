"""The secretariat's snoozes on an action's reminders: made with a reason and an end
date, listed while active, ended early by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionSnooze,
    User,
)
from sgreviews.services import audit


class SnoozeError(ValueError):
    """A snooze could not be made; ``field`` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def find_action(reference: str) -> Action | None:
    return db.session.scalar(select(Action).where(Action.reference == reference.strip()))


def snooze(actor: User, reference: str, until: date, reason: str, today: date) -> ActionSnooze:
    action = find_action(reference)
    if action is None:
        raise SnoozeError("reference", f"No action has the reference {reference.strip()}")
    if not action.status.is_open:
        raise SnoozeError(
            "reference",
            f"{action.reference} is {action.status.label.lower()}: it gets no reminders",
        )
    if until <= today:
        raise SnoozeError("until", "The date to snooze until must be in the future")
    if not reason.strip():
        raise SnoozeError("reason", "Enter why the reminders are snoozed")
    for current in active_snoozes_for(action.id, today):
        current.ended_at = utcnow()
        current.ended_by_id = actor.id
    item = ActionSnooze(
        action_id=action.id,
        snoozed_until=until,
        reason=reason.strip(),
        created_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        actor,
        "action",
        action.id,
        "reminders_snoozed",
        after={"snoozed_until": until, "reason": item.reason},
    )
    return item


def active_snoozes_for(action_id: int, today: date) -> list[ActionSnooze]:
    return list(
        db.session.scalars(
            select(ActionSnooze).where(
                ActionSnooze.action_id == action_id,
                ActionSnooze.ended_at.is_(None),
                ActionSnooze.snoozed_until >= today,
            )
        )
    )


@dataclass(frozen=True)
class SnoozeRow:
    snooze: ActionSnooze
    action: Action


def active_snoozes(today: date) -> list[SnoozeRow]:
    rows = db.session.execute(
        select(ActionSnooze, Action)
        .join(Action, Action.id == ActionSnooze.action_id)
        .options(joinedload(ActionSnooze.created_by))
        .where(ActionSnooze.ended_at.is_(None), ActionSnooze.snoozed_until >= today)
        .order_by(ActionSnooze.snoozed_until, Action.reference)
    ).all()
    return [SnoozeRow(row[0], row[1]) for row in rows]


def end_snooze(actor: User, snooze_id: int) -> ActionSnooze | None:
    item = db.session.get(ActionSnooze, snooze_id)
    if item is None or item.ended_at is not None:
        return None
    item.ended_at = utcnow()
    item.ended_by_id = actor.id
    audit.record(
        actor,
        "action",
        item.action_id,
        "reminders_snooze_ended",
        before={"snoozed_until": item.snoozed_until, "reason": item.reason},
    )
    db.session.flush()
    return item
