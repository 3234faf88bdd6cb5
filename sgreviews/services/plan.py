"""The Master Action Plan, one page at a time.

The plan lists every open action under a heading: its review (an action answering findings
of two reviews appears under each, as on paper) or its owning agency. It is read in pages
of *entries* (a heading and an action), with a fixed number of queries whatever the size of
the plan: the RAG counts of the whole filtered plan in one aggregate (the rating is computed
in SQL, with the same rules as ``rag.rate``), the number of entries, one page of entries,
the actions on it, and how many actions each heading on the page has in all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate, Agency, Finding, Review, UpdateKind
from sgreviews.models.action import action_finding
from sgreviews.services.actions import ActionFilter, filter_conditions
from sgreviews.services.clocks import Calendar, add_working_days, calendar_for
from sgreviews.services.rag import Rag, RagRules

PAGE_SIZE = 50
# The print layout prints the filtered plan from the start, up to this many entries; the
# XLSX and CSV downloads always hold the whole filtered plan.
PRINT_LIMIT = 2000


@dataclass
class Group:
    key: str
    title: str
    actions: list[Action] = field(default_factory=list)
    # Open actions under this heading in the whole filtered plan (it may run over pages).
    total: int = 0


@dataclass
class PlanPage:
    groups: list[Group]
    rag: dict[int, Rag]
    counts: dict[Rag, int]
    actions_total: int
    entries_total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        return 0 if not self.entries_total else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.entries_total)


def amber_due_until(today: date, rules: RagRules, calendar: Calendar) -> date:
    """The last due date that is "due soon": ``working_days_between(today, due)`` is at most
    the amber window (it grows with the due date, so one date bounds it)."""
    return add_working_days(today, rules.amber_due_within_working_days + 1, calendar) - timedelta(
        days=1
    )


def _updated_recently(today: date, rules: RagRules) -> ColumnElement[bool]:
    """A progress update on a day after the amber window's cut-off (``rag.rate``)."""
    recent_from = datetime.combine(
        today - timedelta(days=rules.amber_no_update_within_days) + timedelta(days=1),
        datetime.min.time(),
    ).replace(tzinfo=UTC)
    return exists().where(
        ActionUpdate.action_id == Action.id,
        ActionUpdate.kind == UpdateKind.PROGRESS,
        ActionUpdate.created_at >= recent_from,
    )


def _rating_conditions(
    today: date, rules: RagRules, calendar: Calendar
) -> list[tuple[ColumnElement[bool], Rag]]:
    """``rag.rate``'s tests in order, as SQL over ``action``; the first that holds gives
    the rating, green when none does."""
    open_statuses = [status for status in ActionStatus if status.is_open]
    updated_recently = _updated_recently(today, rules)
    tests: list[tuple[ColumnElement[bool], Rag]] = []
    if rules.blue_statuses:
        tests.append((Action.status.in_(sorted(rules.blue_statuses, key=str)), Rag.BLUE))
    closed = [status for status in ActionStatus if status not in open_statuses]
    if closed:
        tests.append((Action.status.in_(closed), Rag.NONE))
    if rules.red_when_overdue:
        tests.append((Action.due_date < today, Rag.RED))
    if rules.red_when_off_track:
        tests.append((Action.off_track.is_(True), Rag.RED))
    # The subquery last: it runs only for the few actions due soon and not yet rated.
    soon = Action.due_date <= amber_due_until(today, rules, calendar)
    tests.append((and_(soon, ~updated_recently), Rag.AMBER))
    return tests


def rag_expression(today: date, rules: RagRules, calendar: Calendar) -> ColumnElement[str]:
    """``rag.rate`` as SQL over ``action``, giving the Rag value (for one page of rows)."""
    whens = [(test, rag.value) for test, rag in _rating_conditions(today, rules, calendar)]
    return case(*whens, else_=literal(Rag.GREEN.value))


def rag_counts(
    conditions: list[ColumnElement[bool]], today: date, rules: RagRules, calendar: Calendar
) -> dict[Rag, int]:
    """How many actions matching ``conditions`` have each rating, in one pass over the
    actions (``count(*) FILTER``). The same rules as ``rag.rate``, written so that each
    count tests only what decides it (a CASE per row cost three times as much)."""
    blue = set(rules.blue_statuses)
    none = {status for status in ActionStatus if not status.is_open} - blue
    rated = [status for status in ActionStatus if status.is_open and status not in blue]
    red_tests: list[ColumnElement[bool]] = []
    not_red: list[ColumnElement[bool]] = []
    if rules.red_when_overdue:
        red_tests.append(Action.due_date < today)
        not_red.append(Action.due_date >= today)
    if rules.red_when_off_track:
        red_tests.append(Action.off_track.is_(True))
        not_red.append(Action.off_track.is_(False))
    amber = and_(
        Action.status.in_(rated),
        *not_red,
        Action.due_date <= amber_due_until(today, rules, calendar),
        ~_updated_recently(today, rules),
    )
    columns: list[ColumnElement[int]] = [
        func.count(),
        func.count().filter(Action.status.in_(sorted(blue, key=str))),
        func.count().filter(Action.status.in_(sorted(none, key=str))),
        func.count().filter(and_(Action.status.in_(rated), or_(*red_tests)))
        if red_tests
        else literal(0),
        func.count().filter(amber),
    ]
    row: Any = db.session.execute(select(*columns).where(*conditions)).one()
    total, blues, nones, reds, ambers = row
    return {
        Rag.RED: reds,
        Rag.AMBER: ambers,
        Rag.GREEN: total - blues - nones - reds - ambers,
        Rag.BLUE: blues,
        Rag.NONE: nones,
    }


def plan_page(
    filters: ActionFilter,
    by: str,
    today: date,
    rules: RagRules,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> PlanPage:
    conditions = filter_conditions(filters, today)
    calendar = calendar_for("ENG")
    rating = rag_expression(today, rules, calendar).label("rag")
    counts = rag_counts(conditions, today, rules, calendar)
    actions_total = sum(counts.values())

    entries: Any
    if by == "agency":
        entries_total = actions_total
        entries = (
            select(Agency.id, Agency.name, Action.id, rating)
            .select_from(Action)
            .join(Agency, Agency.id == Action.owning_agency_id)
            .where(*conditions)
            .order_by(Agency.name, Agency.id, Action.due_date, Action.reference)
        )
    else:
        entries_total = actions_total + _extra_review_entries(conditions)
        # One entry per review and action, however many of the review's findings the
        # action answers: the row of its first such finding. (NOT EXISTS keeps both
        # planners reading reviews in order; a correlated min() made PostgreSQL sort all.)
        earlier_link = (
            select(link.c.action_id)
            .join(other_finding, other_finding.id == link.c.finding_id)
            .where(
                link.c.action_id == Action.id,
                other_finding.review_id == Review.id,
                link.c.finding_id < action_finding.c.finding_id,
            )
            .exists()
        )
        # Driven by the index on review.reference: the first pages read only their rows.
        entries = (
            select(Review.id, Review.reference, Review.subject_label, Action.id, rating)
            .select_from(Review)
            .join(Finding, Finding.review_id == Review.id)
            .join(action_finding, action_finding.c.finding_id == Finding.id)
            .join(Action, Action.id == action_finding.c.action_id)
            .where(*conditions, ~earlier_link)
            .order_by(Review.reference, Review.id, Action.due_date, Action.reference)
        )
    pages = max(1, -(-entries_total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(entries.limit(per_page).offset((page - 1) * per_page)).all()

    action_ids = [row[-2] for row in rows]
    rag = {row[-2]: Rag(row[-1]) for row in rows}
    loaded = _actions(action_ids)
    groups: dict[int, Group] = {}
    for row in rows:
        key = row[0]
        if key not in groups:
            if by == "agency":
                groups[key] = Group(f"agency-{key}", row[1])
            else:
                groups[key] = Group(f"review-{key}", f"{row[1]}: {row[2]}")
        groups[key].actions.append(loaded[row[-2]])
    for key, total in _group_totals(by, list(groups), conditions).items():
        groups[key].total = total
    return PlanPage(
        groups=list(groups.values()),
        rag=rag,
        counts=counts,
        actions_total=actions_total,
        entries_total=entries_total,
        page=page,
        pages=pages,
        per_page=per_page,
    )


link = action_finding.alias("link")
other_finding = aliased(Finding)


def _extra_review_entries(conditions: list[ColumnElement[bool]]) -> int:
    """Entries beyond one per action when grouped by review: an action answering findings
    of n reviews is listed n times. Only actions with more than one finding are joined."""
    several = (
        select(action_finding.c.action_id)
        .group_by(action_finding.c.action_id)
        .having(func.count() > 1)
    )
    per_action = (
        select(
            action_finding.c.action_id.label("action_id"),
            func.count(func.distinct(Finding.review_id)).label("reviews"),
        )
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .where(action_finding.c.action_id.in_(several))
        .group_by(action_finding.c.action_id)
        .subquery()
    )
    extra = db.session.scalar(
        select(func.coalesce(func.sum(per_action.c.reviews - 1), 0))
        .select_from(per_action)
        .join(Action, Action.id == per_action.c.action_id)
        .where(*conditions)
    )
    return int(extra or 0)


def _actions(ids: Sequence[int]) -> dict[int, Action]:
    if not ids:
        return {}
    query = (
        select(Action)
        .where(Action.id.in_(ids))
        .options(joinedload(Action.owning_agency), joinedload(Action.lead_user))
    )
    return {action.id: action for action in db.session.scalars(query)}


def _group_totals(
    by: str, keys: list[int], conditions: list[ColumnElement[bool]]
) -> dict[int, int]:
    """How many open actions each heading on the page has in the whole filtered plan."""
    if not keys:
        return {}
    if by == "agency":
        query = (
            select(Action.owning_agency_id, func.count())
            .where(Action.owning_agency_id.in_(keys), *conditions)
            .group_by(Action.owning_agency_id)
        )
    else:
        query = (
            select(Finding.review_id, func.count(func.distinct(Action.id)))
            .select_from(Action)
            .join(action_finding, action_finding.c.action_id == Action.id)
            .join(Finding, Finding.id == action_finding.c.finding_id)
            .where(Finding.review_id.in_(keys), *conditions)
            .group_by(Finding.review_id)
        )
    return {key: number for key, number in db.session.execute(query)}
