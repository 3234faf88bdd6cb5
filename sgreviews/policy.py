"""Who may do what to which object.

Every view declares one of these permissions through ``sgreviews.web.access``, and every
query that lists objects for a user narrows by the functions here, so the rule for a role
lives in one place.
"""

from __future__ import annotations

import enum
from typing import Protocol

from sgreviews.models import Action, Review, Role, User


class Permission(enum.Enum):
    VIEW_OVERVIEW = "view_overview"  # the partnership-wide overview of reviews and actions
    VIEW_REVIEW = "view_review"
    VIEW_AGENCY_ACTIONS = "view_agency_actions"  # an agency lead's own workspace
    VIEW_ACTION = "view_action"
    VIEW_LEARNING = "view_learning"
    MANAGE_USERS = "manage_users"
    SNOOZE_REMINDERS = "snooze_reminders"  # pause one action's reminders, with a reason
    VIEW_REMINDER_LOG = "view_reminder_log"  # the outbox of reminder messages and states


class Actor(Protocol):
    """The parts of a user (or anonymous visitor) the policy looks at."""

    @property
    def is_authenticated(self) -> bool: ...


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset({Permission.MANAGE_USERS, Permission.VIEW_LEARNING}),
    Role.SECRETARIAT: frozenset(
        {
            Permission.VIEW_OVERVIEW,
            Permission.VIEW_REVIEW,
            Permission.VIEW_ACTION,
            Permission.VIEW_LEARNING,
        }
    ),
    Role.CHAIR: frozenset(
        {
            Permission.VIEW_OVERVIEW,
            Permission.VIEW_REVIEW,
            Permission.VIEW_ACTION,
            Permission.VIEW_LEARNING,
        }
    ),
    Role.AGENCY_LEAD: frozenset(
        {
            Permission.VIEW_AGENCY_ACTIONS,
            Permission.VIEW_REVIEW,
            Permission.VIEW_ACTION,
            Permission.VIEW_LEARNING,
        }
    ),
    Role.PRACTITIONER: frozenset({Permission.VIEW_LEARNING}),
}

# Reminders: the secretariat snoozes; the administrator reads the reminder log.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.SNOOZE_REMINDERS}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {Permission.VIEW_REMINDER_LOG}

# Roles that see every partnership's material, not just their own agency's.
PARTNERSHIP_WIDE_ROLES = frozenset({Role.SECRETARIAT, Role.CHAIR})


def has_permission(user: Actor, permission: Permission) -> bool:
    """May this user do this kind of thing at all (before looking at a particular object)?"""
    if not isinstance(user, User) or not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS[user.role]


def can_view_action(user: Actor, action: Action) -> bool:
    if not has_permission(user, Permission.VIEW_ACTION):
        return False
    assert isinstance(user, User)
    if user.role in PARTNERSHIP_WIDE_ROLES:
        return True
    return user.agency_id is not None and action.owning_agency_id == user.agency_id


def can_view_review(user: Actor, review: Review) -> bool:
    """Secretariat and chair read every review; an agency lead reads a review only when
    their agency owns an action answering one of its findings."""
    if not has_permission(user, Permission.VIEW_REVIEW):
        return False
    assert isinstance(user, User)
    if user.role in PARTNERSHIP_WIDE_ROLES:
        return True
    return any(
        action.owning_agency_id == user.agency_id
        for finding in review.findings
        for action in finding.actions
    )


def home_endpoint(user: User) -> str:
    """Where each role lands after signing in."""
    return {
        Role.ADMINISTRATOR: "admin.users",
        Role.SECRETARIAT: "home.overview",
        Role.CHAIR: "home.overview",
        Role.AGENCY_LEAD: "home.agency_actions",
        Role.PRACTITIONER: "home.learning",
    }[user.role]
