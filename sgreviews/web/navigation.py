"""The main navigation, per role: each entry shows only to users whose role holds its
permission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from sgreviews.policy import Permission, has_permission


@dataclass(frozen=True)
class NavEntry:
    text: str
    endpoint: str
    permission: Permission
    # Other endpoints under this entry that should mark it active.
    prefix: str = ""


NAV_ENTRIES: list[NavEntry] = [
    NavEntry("Overview", "home.overview", Permission.VIEW_OVERVIEW),
    NavEntry("Your agency's actions", "home.agency_actions", Permission.VIEW_AGENCY_ACTIONS),
    NavEntry("Learning library", "home.learning", Permission.VIEW_LEARNING),
    NavEntry("Users and agencies", "admin.users", Permission.MANAGE_USERS, prefix="admin."),
    NavEntry("Reminder snoozes", "notifications.snoozes", Permission.SNOOZE_REMINDERS),
    NavEntry("Reminder log", "notifications.reminder_log", Permission.VIEW_REMINDER_LOG),
]


def navigation_items(user: Any, current_endpoint: str | None) -> list[dict[str, Any]]:
    items = []
    for entry in NAV_ENTRIES:
        if not has_permission(user, entry.permission):
            continue
        current = current_endpoint == entry.endpoint
        active = bool(
            entry.prefix and current_endpoint and current_endpoint.startswith(entry.prefix)
        )
        items.append(
            {
                "text": entry.text,
                "href": url_for(entry.endpoint),
                "current": current,
                "active": active and not current,
            }
        )
    return items
