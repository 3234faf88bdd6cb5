"""Each person's notification settings (the email digest) and their private calendar
feed of the due dates of the actions they own."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

import icalendar
from sqlalchemy import select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    NotificationSetting,
    Role,
    User,
)
from sgreviews.services import audit


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
    """The text of a TEXT property before the ``icalendar`` library escapes it: control
    characters, which TEXT may not carry, are dropped (a tab and line breaks are kept).
    The library writes every line break, CRLF, a lone CR or a lone LF, as the two
    characters ``\\n``, escapes ``\\ ; ,`` and folds lines at 75 octets (RFC 5545)."""
    normalised = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in normalised if char in "\t\n" or not _is_control(char))


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or ord(char) == 0x7F


def render_calendar(actions: Sequence[Action], base_url: str, now: datetime) -> str:
    """The feed of the actions' due dates, written by the ``icalendar`` library."""
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//sgreviews//Action due dates//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Safeguarding review actions")
    for action in actions:
        event = icalendar.Event()
        event.add("uid", f"action-{action.id}-{action.due_date:%Y%m%d}@sgreviews")
        event.add("dtstamp", now)
        event.add("dtstart", action.due_date)
        event.add("summary", _ical_text(f"Due: {action.reference}"))
        event.add("description", _ical_text(action.action_text))
        event.add("url", f"{base_url.rstrip('/')}/agency/actions")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body.decode()
