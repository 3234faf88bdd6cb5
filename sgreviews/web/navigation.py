"""The main navigation, per role: each entry shows only to users whose role holds its
permission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, get_template_attribute, request, url_for
from markupsafe import Markup

from sgreviews.policy import Permission, has_permission


@dataclass(frozen=True)
class NavEntry:
    text: str
    endpoint: str
    permission: Permission
    # Other endpoints under this entry that should mark it active: those starting with
    # ``prefix`` (unless another entry names them) and those named in ``also``.
    prefix: str = ""
    also: tuple[str, ...] = ()


NAV_ENTRIES: list[NavEntry] = [
    NavEntry("Your work", "home.work", Permission.VIEW_WORK_QUEUES),
    NavEntry("Overview", "home.overview", Permission.VIEW_OVERVIEW),
    NavEntry("Reviews", "reviews.index", Permission.VIEW_REVIEW, prefix="reviews."),
    NavEntry("Your agency's actions", "actions.agency_actions", Permission.VIEW_AGENCY_ACTIONS),
    NavEntry("Master Action Plan", "plan.master_action_plan", Permission.VIEW_MASTER_ACTION_PLAN),
    NavEntry("Dashboard", "dashboard.index", Permission.VIEW_DASHBOARD, prefix="dashboard."),
    NavEntry("Briefings", "briefings.index", Permission.MANAGE_BRIEFINGS),
    NavEntry("Briefing reach", "briefings.reach_overview", Permission.VIEW_BRIEFING_REACH),
    NavEntry("Learning library", "briefings.library", Permission.VIEW_LEARNING),
    NavEntry(
        "National reviews",
        "national_reviews.index",
        Permission.VIEW_NATIONAL_REVIEWS,
        prefix="national_reviews.",
    ),
    NavEntry("Search", "search.search", Permission.VIEW_LEARNING),
    NavEntry("Users and agencies", "admin.users", Permission.MANAGE_USERS, prefix="admin."),
    NavEntry(
        "Partnerships",
        "admin.partnerships",
        Permission.MANAGE_PARTNERSHIPS,
        also=("admin.new_partnership", "admin.edit_partnership"),
    ),
    NavEntry(
        "Closure days", "calendar.closure_days", Permission.MANAGE_CALENDAR, prefix="calendar."
    ),
    NavEntry("Audit trail", "audit_trail.events", Permission.MANAGE_USERS),
    NavEntry("Removed evidence", "actions.removed_evidence", Permission.READ_REMOVED_EVIDENCE),
    NavEntry("Reminder snoozes", "notifications.snoozes", Permission.SNOOZE_REMINDERS),
    NavEntry("Reminder log", "notifications.reminder_log", Permission.VIEW_REMINDER_LOG),
]


def _active_entry(current_endpoint: str | None) -> NavEntry | None:
    """The entry a page belongs to: the one naming its endpoint, else the one with the
    longest prefix it starts with (the partnership form marks "Partnerships", not also
    "Users and agencies", whose prefix "admin." it shares)."""
    if not current_endpoint:
        return None
    for entry in NAV_ENTRIES:
        if current_endpoint == entry.endpoint or current_endpoint in entry.also:
            return entry
    matching = [
        entry for entry in NAV_ENTRIES if entry.prefix and current_endpoint.startswith(entry.prefix)
    ]
    return max(matching, key=lambda entry: len(entry.prefix), default=None)


def navigation_items(user: Any, current_endpoint: str | None) -> list[dict[str, Any]]:
    items = []
    active_entry = _active_entry(current_endpoint)
    for entry in NAV_ENTRIES:
        if not has_permission(user, entry.permission):
            continue
        current = current_endpoint == entry.endpoint
        active = entry is active_entry
        items.append(
            {
                "text": entry.text,
                "href": url_for(entry.endpoint),
                "current": current,
                "active": active and not current,
            }
        )
    return items


def service_navigation(user: Any) -> Markup:
    """The GOV.UK service navigation for this user on this page, rendered by the GOV.UK
    macro once per role, page and mount point and then kept: the macro was about a tenth of
    the time of a light page, and its output depends on nothing else (the entries depend
    on the role alone, see ``policy.has_permission``). Empty for no entries."""
    role = getattr(user, "role", None) if getattr(user, "is_active", False) else None
    key = (role, request.endpoint, request.script_root)
    kept: dict[Any, Markup] = current_app.extensions.setdefault("sgreviews.navigation", {})
    if key not in kept:
        items = navigation_items(user, request.endpoint)
        macro = get_template_attribute(
            "govuk_frontend_jinja/components/service-navigation/macro.html",
            "govukServiceNavigation",
        )
        kept[key] = (
            Markup(
                macro({"navigation": items, "classes": "app-no-print", "navigationLabel": "Main"})
            )
            if items
            else Markup("")
        )
    return kept[key]
