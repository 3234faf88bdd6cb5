"""Who may do what to which object.

Every view declares one of these permissions through ``sgreviews.web.access``, and every
query that lists objects for a user narrows by the functions here, so the rule for a role
lives in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, and_, or_, select

from sgreviews.models import Action, ApiScope, Finding, Review, Role, User
from sgreviews.models.action import action_finding
from sgreviews.models.review import review_agency


class Permission(enum.Enum):
    VIEW_OVERVIEW = "view_overview"  # the partnership-wide overview of reviews and actions
    VIEW_REVIEW = "view_review"
    VIEW_AGENCY_ACTIONS = "view_agency_actions"  # an agency lead's own workspace
    VIEW_ACTION = "view_action"
    VIEW_LEARNING = "view_learning"
    MANAGE_USERS = "manage_users"
    VIEW_DASHBOARD = "view_dashboard"  # progress summaries, scorecard, yearly report
    RECORD_CHALLENGE = "record_challenge"  # the chair's log of challenge
    SET_BUDGETS = "set_budgets"  # review budgets per business year
    MANAGE_REVIEWS = "manage_reviews"  # create and edit reviews and their lifecycle
    VIEW_FAMILY_LOG = "view_family_log"  # a review's family involvement log
    MANAGE_CALENDAR = "manage_calendar"  # the extra closure days of the working-day engine
    MANAGE_BRIEFINGS = "manage_briefings"  # write, publish, archive; see drafts
    VIEW_BRIEFING_REACH = "view_briefing_reach"
    RECORD_TEAM_USE = "record_team_use"  # team leaders: agency leads and practitioners
    MANAGE_FINDINGS = "manage_findings"  # record findings and actions, decide extensions
    UPDATE_ACTIONS = "update_actions"  # progress updates, evidence, extension requests
    ASSURE_ACTIONS = "assure_actions"  # sign off, send back, record impact
    VIEW_MASTER_ACTION_PLAN = "view_master_action_plan"
    IMPORT_ACTIONS = "import_actions"
    SNOOZE_REMINDERS = "snooze_reminders"  # pause one action's reminders, with a reason
    VIEW_REMINDER_LOG = "view_reminder_log"  # the outbox of reminder messages and states
    VIEW_WORK_QUEUES = "view_work_queues"  # "Your work": what waits for the person's decision
    LINK_FINDINGS = "link_findings"  # similar earlier findings: see, confirm, dismiss
    READ_REMOVED_EVIDENCE = "read_removed_evidence"  # removed files, during retention
    MANAGE_PARTNERSHIPS = "manage_partnerships"  # create and edit partnerships
    SIGN_OFF_REPORTS = "sign_off_reports"  # freeze a yearly report as a signed-off version
    VIEW_SIGNED_REPORTS = "view_signed_reports"  # signed-off versions and their differences
    WRITE_REPORT_NARRATIVE = "write_report_narrative"  # the foreword and section commentary
    VIEW_NATIONAL_REVIEWS = "view_national_reviews"  # the register of national reviews tabled
    KEEP_NATIONAL_REVIEWS = "keep_national_reviews"  # add, change and remove its entries


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

# The chair's dashboard and log of challenge: the chair and the business office that
# supports them.
for _role in (Role.SECRETARIAT, Role.CHAIR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {
        Permission.VIEW_DASHBOARD,
        Permission.RECORD_CHALLENGE,
    }
ROLE_PERMISSIONS[Role.SECRETARIAT] = ROLE_PERMISSIONS[Role.SECRETARIAT] | {Permission.SET_BUDGETS}
# The review lifecycle: the secretariat runs reviews; the family involvement log is for
# the secretariat and chair only; administrators keep the calendar's extra closure days.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.MANAGE_REVIEWS, Permission.VIEW_FAMILY_LOG}
ROLE_PERMISSIONS[Role.CHAIR] |= {Permission.VIEW_FAMILY_LOG}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {Permission.MANAGE_CALENDAR}
# Reminders: the secretariat snoozes; the administrator reads the reminder log.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.SNOOZE_REMINDERS}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {Permission.VIEW_REMINDER_LOG}
# The yearly report: the chair signs it off (their deliverable to the board); the chair
# and the business office that prepares it read the signed-off versions.
ROLE_PERMISSIONS[Role.CHAIR] |= {Permission.SIGN_OFF_REPORTS, Permission.VIEW_SIGNED_REPORTS}
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.VIEW_SIGNED_REPORTS}
# Its words beside the figures: the chair's foreword and commentary, drafted by either.
for _role in (Role.SECRETARIAT, Role.CHAIR):
    ROLE_PERMISSIONS[_role] |= {Permission.WRITE_REPORT_NARRATIVE}

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


# Who may read which reviews. The rule is written twice, side by side, because lists filter
# in SQL while a single page checks the object it loaded: ``can_view_review`` in Python and
# ``reviews_visible_to`` in SQL. Both start from ``review_reach``, so which users see every
# review, none, or their agency's is decided once; tests/unit/test_review_visibility.py
# checks that the two forms agree over generated users and reviews on both databases.


@dataclass(frozen=True)
class ReviewReach:
    """How far a user's reading of reviews reaches: every review, or only the reviews of
    ``agency_id`` (none when that is None)."""

    every: bool
    agency_id: int | None = None


def review_reach(user: Actor) -> ReviewReach:
    """Secretariat and chair read every review; an agency lead reads their agency's reviews
    (see :func:`can_view_review`); everyone else, and an agency lead with no agency, none."""
    if not has_permission(user, Permission.VIEW_REVIEW):
        return ReviewReach(every=False)
    assert isinstance(user, User)
    if user.role in PARTNERSHIP_WIDE_ROLES:
        return ReviewReach(every=True)
    return ReviewReach(every=False, agency_id=user.agency_id)


def can_view_review(user: Actor, review: Review) -> bool:
    """Secretariat and chair read every review; an agency lead reads a review only when
    their agency owns an action answering one of its findings or is recorded as involved
    in it. (:func:`reviews_visible_to` is the same rule in SQL.)"""
    reach = review_reach(user)
    if reach.every:
        return True
    if reach.agency_id is None or not review.counted:
        # A withdrawn review (created in error) is for the partnership-wide roles only.
        return False
    if any(agency.id == reach.agency_id for agency in review.agencies_involved):
        return True
    return any(
        action.owning_agency_id == reach.agency_id
        for finding in review.findings
        for action in finding.actions
    )


def reviews_visible_to(user: Actor) -> ColumnElement[bool]:
    """SQL condition on ``Review`` for the reviews a user may read: the rule of
    :func:`can_view_review`, for lists."""
    reach = review_reach(user)
    if reach.every:
        return Review.id.is_not(None)
    if reach.agency_id is None:
        return Review.id.is_(None)
    holds_actions = (
        select(Finding.review_id)
        .join(action_finding, action_finding.c.finding_id == Finding.id)
        .join(Action, Action.id == action_finding.c.action_id)
        .where(Action.owning_agency_id == reach.agency_id)
    )
    involved = select(review_agency.c.review_id).where(review_agency.c.agency_id == reach.agency_id)
    return and_(Review.counted, or_(Review.id.in_(holds_actions), Review.id.in_(involved)))


def findings_visible_to(user: Actor) -> ColumnElement[bool]:
    """SQL condition on ``Finding``: the findings of the reviews a user may read (the
    review page shows them all), never of a withdrawn review."""
    return Finding.review_id.in_(
        select(Review.id).where(Review.counted_clause(), reviews_visible_to(user))
    )


def actions_visible_to(user: Actor) -> ColumnElement[bool]:
    """SQL condition on ``Action`` for the actions a user may open: the rule of
    :func:`can_view_action`, for counts and lists (need to know: an agency lead counts
    only their own agency's actions, even on a review page that shows every finding)."""
    if not has_permission(user, Permission.VIEW_ACTION):
        return Action.id.is_(None)
    assert isinstance(user, User)
    if user.role in PARTNERSHIP_WIDE_ROLES:
        return Action.id.is_not(None)
    if user.agency_id is None:
        return Action.id.is_(None)
    return Action.owning_agency_id == user.agency_id


def sees_every_action(user: Actor) -> bool:
    """Whether counts of actions shown to this user are partnership-wide (else their
    agency's only)."""
    return (
        has_permission(user, Permission.VIEW_ACTION)
        and isinstance(user, User)
        and user.role in PARTNERSHIP_WIDE_ROLES
    )


def can_view_family_log(user: Actor, review: Review) -> bool:
    """The family involvement log: secretariat and chair only."""
    return has_permission(user, Permission.VIEW_FAMILY_LOG) and can_view_review(user, review)


def home_endpoint(user: User) -> str:
    """Where each role lands after signing in."""
    return {
        Role.ADMINISTRATOR: "admin.users",
        Role.SECRETARIAT: "home.work",
        Role.CHAIR: "home.work",
        Role.AGENCY_LEAD: "actions.agency_actions",
        Role.PRACTITIONER: "briefings.library",
    }[user.role]


# Briefings (issue 7). Granted here, after the table above, so the table stays untouched.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.MANAGE_BRIEFINGS, Permission.VIEW_BRIEFING_REACH}
ROLE_PERMISSIONS[Role.CHAIR] |= {Permission.VIEW_BRIEFING_REACH}
ROLE_PERMISSIONS[Role.AGENCY_LEAD] |= {Permission.RECORD_TEAM_USE}
ROLE_PERMISSIONS[Role.PRACTITIONER] |= {Permission.RECORD_TEAM_USE}


class HasPublished(Protocol):
    """A briefing as the entity or as the reading page's plain copy (briefing_reading)."""

    @property
    def published(self) -> object | None: ...


def can_read_briefing(user: Actor, briefing: HasPublished) -> bool:
    """Every signed-in role reads a published briefing; only the secretariat sees drafts
    (a briefing with nothing published)."""
    if has_permission(user, Permission.MANAGE_BRIEFINGS):
        return True
    return has_permission(user, Permission.VIEW_LEARNING) and briefing.published is not None


def can_read_briefing_publicly(briefing: HasPublished, partnership_is_public: bool) -> bool:
    """Without signing in: a published briefing of a partnership that allows it."""
    return partnership_is_public and briefing.published is not None


# Findings, actions and assurance (issue 4): added to the roles above.
ROLE_PERMISSIONS[Role.SECRETARIAT] = ROLE_PERMISSIONS[Role.SECRETARIAT] | {
    Permission.MANAGE_FINDINGS,
    Permission.UPDATE_ACTIONS,
    Permission.ASSURE_ACTIONS,
    Permission.VIEW_MASTER_ACTION_PLAN,
    Permission.IMPORT_ACTIONS,
}
ROLE_PERMISSIONS[Role.CHAIR] = ROLE_PERMISSIONS[Role.CHAIR] | {
    Permission.ASSURE_ACTIONS,
    Permission.VIEW_MASTER_ACTION_PLAN,
}
ROLE_PERMISSIONS[Role.AGENCY_LEAD] = ROLE_PERMISSIONS[Role.AGENCY_LEAD] | {
    Permission.UPDATE_ACTIONS,
}


# Work queues (issue 20): the secretariat's decisions waiting, and the chair's sign-off.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.VIEW_WORK_QUEUES}
ROLE_PERMISSIONS[Role.CHAIR] |= {Permission.VIEW_WORK_QUEUES}


def can_update_action(user: Actor, action: Action) -> bool:
    """Record progress, attach evidence or ask for an extension: the secretariat on any
    action, an agency lead only on their own agency's."""
    if not has_permission(user, Permission.UPDATE_ACTIONS):
        return False
    assert isinstance(user, User)
    if user.role in PARTNERSHIP_WIDE_ROLES:
        return True
    return user.agency_id is not None and action.owning_agency_id == user.agency_id


def can_assure_action(user: Actor, action: Action) -> bool:
    return has_permission(user, Permission.ASSURE_ACTIONS)


def can_manage_findings(user: Actor) -> bool:
    return has_permission(user, Permission.MANAGE_FINDINGS)


# Learning that recurs (issue 23): the secretariat and the chair see a finding's similar
# earlier findings and confirm or dismiss the suggested links.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {Permission.LINK_FINDINGS}
ROLE_PERMISSIONS[Role.CHAIR] |= {Permission.LINK_FINDINGS}


def similar_findings_partnerships(user: Actor, partnership_id: int) -> frozenset[int] | None:
    """The partnerships whose earlier findings may be suggested to ``user`` for a finding of
    ``partnership_id``: for the chair, every partnership they serve (every partnership for
    a chair who serves none in particular, a national chair; None means every one); for
    the secretariat, the finding's own partnership; for anyone else, none."""
    if not has_permission(user, Permission.LINK_FINDINGS):
        return frozenset()
    assert isinstance(user, User)
    if user.role is Role.CHAIR:
        served = frozenset(partnership.id for partnership in user.partnerships)
        return served | {partnership_id} if served else None
    return frozenset({partnership_id})


# Corrections (issue 20): removed evidence is for administrators only, and only during the
# retention period; partnerships are kept by the administrator.
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {
    Permission.READ_REMOVED_EVIDENCE,
    Permission.MANAGE_PARTNERSHIPS,
}


class EvidenceLike(Protocol):
    @property
    def removed_at(self) -> object | None: ...


def can_download_evidence(
    user: Actor, action: Action, evidence: EvidenceLike, *, within_retention: bool
) -> bool:
    """A file in use: whoever may see the action. A removed file: an administrator, and
    only until the retention period ends."""
    if evidence.removed_at is None:
        return can_view_action(user, action)
    return has_permission(user, Permission.READ_REMOVED_EVIDENCE) and within_retention


def serves_partnership(user: Actor, partnership_id: int) -> bool:
    """A secretariat user serves a partnership when linked to it, or when linked to none
    (a business office supporting every partnership)."""
    if not has_permission(user, Permission.MANAGE_REVIEWS):
        return False
    assert isinstance(user, User)
    return _linked_to(user, partnership_id)


def can_move_review(user: Actor, from_partnership_id: int, to_partnership_id: int) -> bool:
    """Moving a misfiled review: only secretariat of both partnerships."""
    return serves_partnership(user, from_partnership_id) and serves_partnership(
        user, to_partnership_id
    )


# The JSON API (issue 21). A personal access token acts as its user: the rules above decide
# what the user's role and agency may see and do, and the token's scope only narrows them.


def api_scope_allows(scope: ApiScope, *, write: bool) -> bool:
    """Whether a token of this scope may make this kind of call at all: a read token reads
    only; a read-write token may also write, within what its user may do."""
    return not write or scope is ApiScope.READ_WRITE


# National reviews tabled (issue 18, item 5): the business office keeps the register for
# the partnerships it serves (the administrator may correct any); the chair reads it, as
# they read the yearly report it feeds, and challenges through the log of challenge rather
# than editing the record the business office is accountable for.
ROLE_PERMISSIONS[Role.SECRETARIAT] |= {
    Permission.VIEW_NATIONAL_REVIEWS,
    Permission.KEEP_NATIONAL_REVIEWS,
}
ROLE_PERMISSIONS[Role.CHAIR] |= {Permission.VIEW_NATIONAL_REVIEWS}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {
    Permission.VIEW_NATIONAL_REVIEWS,
    Permission.KEEP_NATIONAL_REVIEWS,
}


def _linked_to(user: User, partnership_id: int) -> bool:
    """A secretariat or chair user serves the partnerships linked to them, or every one
    when linked to none (see ``User.partnerships``)."""
    return not user.partnerships or any(p.id == partnership_id for p in user.partnerships)


def can_read_national_reviews(user: Actor, partnership_id: int) -> bool:
    """The administrator reads every partnership's register; the secretariat and chair the
    registers of the partnerships they serve."""
    if not has_permission(user, Permission.VIEW_NATIONAL_REVIEWS):
        return False
    assert isinstance(user, User)
    return user.role is Role.ADMINISTRATOR or _linked_to(user, partnership_id)


def can_keep_national_reviews(user: Actor, partnership_id: int) -> bool:
    """Adding, changing and removing entries: the administrator, and the secretariat of
    the partnership."""
    if not has_permission(user, Permission.KEEP_NATIONAL_REVIEWS):
        return False
    assert isinstance(user, User)
    return user.role is Role.ADMINISTRATOR or _linked_to(user, partnership_id)
