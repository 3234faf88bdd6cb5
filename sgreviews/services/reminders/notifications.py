"""In-app notifications, each user's notification settings and calendar feed, and the
secretariat's snoozes on an action's reminders."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import joinedload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionSnooze,
    ActionStatus,
    Notification,
    NotificationSetting,
    Role,
    User,
)
from sgreviews.services import audit

LIST_LIMIT = 200


class SnoozeError(ValueError):
    """A snooze could not be made; ``field`` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --- notifications ---------------------------------------------------------------------


# Built once: the header of every page shows the count (the reading page runs it as a
# subquery of its own statement, with the same ``user_id`` parameter).
UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(user_id: int) -> int:
    return db.session.scalar(UNREAD, {"user_id": user_id}) or 0


@dataclass(frozen=True)
class RunGroup:
    """One run's notifications for one person: the in-app twin of a digest."""

    run_date: date
    items: list[Notification]


def recent_for(user_id: int, limit: int = LIST_LIMIT) -> tuple[list[RunGroup], int]:
    """The person's latest notifications grouped by run (newest first), and the total."""
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.run_date.desc(), Notification.id)
            .limit(limit)
        )
    )
    total = (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        )
        or 0
    )
    groups: list[RunGroup] = []
    for row in rows:
        if not groups or groups[-1].run_date != row.run_date:
            groups.append(RunGroup(row.run_date, []))
        groups[-1].items.append(row)
    rank = {"escalation": 0, "overdue": 1, "due": 2, "due_soon": 3}
    for group in groups:
        group.items.sort(key=lambda item: (rank.get(item.severity, 9), item.id))
    return groups, total


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- settings and the calendar feed ----------------------------------------------------


def settings_for(user: User) -> NotificationSetting:
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        setting = NotificationSetting(user_id=user.id, email_digest=True)
        db.session.add(setting)
        db.session.flush()
    return setting


def set_email_digest(user: User, email_digest: bool) -> None:
    setting = settings_for(user)
    if setting.email_digest != email_digest:
        audit.record(
            user,
            "user",
            user.id,
            "notification_settings",
            before={"email_digest": setting.email_digest},
            after={"email_digest": email_digest},
        )
        setting.email_digest = email_digest
    db.session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enable_calendar(user: User) -> str:
    """A new secret for the user's feed (any earlier address stops working). Only the hash
    is stored: the secret is shown to the user once."""
    token = secrets.token_urlsafe(32)
    setting = settings_for(user)
    setting.calendar_token_hash = _token_hash(token)
    setting.calendar_enabled_at = utcnow()
    audit.record(user, "user", user.id, "calendar_feed_enabled")
    db.session.flush()
    return token


def revoke_calendar(user: User) -> None:
    setting = settings_for(user)
    setting.calendar_token_hash = None
    setting.calendar_enabled_at = None
    audit.record(user, "user", user.id, "calendar_feed_revoked")
    db.session.flush()


def user_for_calendar_token(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        select(User)
        .join(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(NotificationSetting.calendar_token_hash == _token_hash(token))
    )
    if user is None or not user.is_active:
        return None
    return user


CALENDAR_LIMIT = 2000


def calendar_actions(user: User) -> list[Action]:
    """The open actions in a person's feed: their agency's for agency leads, otherwise the
    actions they lead."""
    query = select(Action).where(Action.status.in_([s for s in ActionStatus if s.is_open]))
    if user.role is Role.AGENCY_LEAD and user.agency_id is not None:
        query = query.where(Action.owning_agency_id == user.agency_id)
    else:
        query = query.where(Action.lead_user_id == user.id)
    return list(
        db.session.scalars(query.order_by(Action.due_date, Action.id).limit(CALENDAR_LIMIT))
    )


def _ical_text(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )
    return escaped


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 asks."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def render_calendar(actions: Sequence[Action], base_url: str, now: datetime) -> str:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//sgreviews//Action due dates//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Safeguarding review actions",
    ]
    for action in actions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:action-{action.id}-{action.due_date:%Y%m%d}@sgreviews",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{action.due_date:%Y%m%d}",
            f"SUMMARY:{_ical_text(f'Due: {action.reference}')}",
            f"DESCRIPTION:{_ical_text(action.action_text)}",
            f"URL:{base_url.rstrip('/')}/agency/actions",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# --- snoozes ---------------------------------------------------------------------------


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


def active_snooze(action_id: int, today: date) -> ActionSnooze | None:
    """The action's latest snooze still in force on ``today``, if any."""
    return db.session.scalar(
        select(ActionSnooze)
        .where(
            and_(
                ActionSnooze.action_id == action_id,
                ActionSnooze.ended_at.is_(None),
                ActionSnooze.snoozed_until >= today,
            )
        )
        .order_by(ActionSnooze.created_at.desc())
        .limit(1)
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
