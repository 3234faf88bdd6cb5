"""The Master Action Plan, one page at a time.

The plan lists every open action under a heading: its review (an action answering findings
of two reviews appears under each, as on paper) or its owning agency. It is read in pages
of *entries* (a heading and an action), with a fixed number of queries whatever the size of
the plan: the RAG counts and the number of entries of the whole filtered plan (from the
running count in sgreviews/models/plan_tally.py, plus the actions due in the amber window;
or, for a filter the count cannot answer, in one aggregate over the actions, the rating
computed in SQL with the same rules as ``rag.rate``), one page of entries, the actions on
it, and how many actions each heading on the page has in all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.selectable import Alias

from sgreviews.extensions import db
from sgreviews.models import Action, Agency, Finding, Review
from sgreviews.models.action import action_finding
from sgreviews.models.plan_tally import ActionDueTally
from sgreviews.services.actions.lists import ActionFilter, filter_conditions
from sgreviews.services.actions.rag import Rag, RagRules
from sgreviews.services.actions.rag_sql import amber_test, rag_expression, rating_groups, red_tests
from sgreviews.services.clocks import Calendar, calendar_for
from sgreviews.services.paging import page_window

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


def _counts(
    conditions: list[ColumnElement[bool]], today: date, rules: RagRules, calendar: Calendar
) -> tuple[dict[Rag, int], int]:
    """The RAG counts and the number of review entries (``Action.review_count`` summed) of
    the actions matching ``conditions``, in one pass over them (``count(*) FILTER``). The
    same rules as ``rag.rate``, written so that each count tests only what decides it (a
    CASE per row cost three times as much)."""
    blue, none, rated = rating_groups(rules)
    red = red_tests(rules, today, Action.due_date, Action.off_track)
    columns: list[ColumnElement[int]] = [
        func.count(),
        func.count().filter(Action.status.in_(sorted(blue, key=str))),
        func.count().filter(Action.status.in_(sorted(none, key=str))),
        func.count().filter(and_(Action.status.in_(rated), or_(*red))) if red else literal(0),
        func.count().filter(amber_test(today, rules, calendar)),
        func.coalesce(func.sum(Action.review_count), 0),
    ]
    row: Any = db.session.execute(select(*columns).where(*conditions)).one()
    total, blues, nones, reds, ambers, entries = row
    return _rated(total, blues, nones, reds, ambers), int(entries)


def _rated(total: int, blues: int, nones: int, reds: int, ambers: int) -> dict[Rag, int]:
    return {
        Rag.RED: reds,
        Rag.AMBER: ambers,
        Rag.GREEN: total - blues - nones - reds - ambers,
        Rag.BLUE: blues,
        Rag.NONE: nones,
    }


def _tally_conditions(filters: ActionFilter, today: date) -> list[ColumnElement[bool]] | None:
    """The filters as conditions on ``action_due_tally``, or None when a filter is not
    about status and due date (then the actions are counted themselves)."""
    if filters.agency_id is not None or filters.review_id is not None:
        return None
    if filters.changed_since is not None or filters.rags or filters.text.strip():
        return None
    return filter_conditions(
        filters, today, status=ActionDueTally.status, due_date=ActionDueTally.due_date
    )


def _counts_from_tally(
    filters: ActionFilter,
    conditions: list[ColumnElement[bool]],
    today: date,
    rules: RagRules,
    calendar: Calendar,
) -> tuple[dict[Rag, int], int] | None:
    """``_counts`` read from the running count (sgreviews/models/plan_tally.py): every
    rating but amber depends only on status, off track and due date; amber is counted over
    the actions due in the amber window alone."""
    tally_conditions = _tally_conditions(filters, today)
    if tally_conditions is None:
        return None
    blue, none, rated = rating_groups(rules)
    red = red_tests(rules, today, ActionDueTally.due_date, ActionDueTally.off_track)

    def total(*where: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(ActionDueTally.actions).filter(*where), 0)

    row: Any = db.session.execute(
        select(
            total(literal(True)),
            total(ActionDueTally.status.in_(sorted(blue, key=str))),
            total(ActionDueTally.status.in_(sorted(none, key=str))),
            total(ActionDueTally.status.in_(rated), or_(*red)) if red else literal(0),
            func.coalesce(func.sum(ActionDueTally.entries), 0),
        ).where(*tally_conditions)
    ).one()
    actions, blues, nones, reds, entries = row
    ambers = db.session.scalar(
        select(func.count()).where(*conditions, amber_test(today, rules, calendar))
    )
    return _rated(int(actions), int(blues), int(nones), int(reds), int(ambers or 0)), int(entries)


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
    if filters.rags:
        # The rating in SQL, the same rules as rag.rate (tests/unit/test_rag_sql_agrees.py).
        conditions.append(
            rag_expression(today, rules, calendar).in_([rag.value for rag in filters.rags])
        )
    rating = rag_expression(today, rules, calendar).label("rag")
    counts, review_entries = _counts_from_tally(
        filters, conditions, today, rules, calendar
    ) or _counts(conditions, today, rules, calendar)
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
        entries_total = review_entries
        # One entry per review and action, however many of the review's findings the
        # action answers: the row of its first such finding. (NOT EXISTS keeps both
        # planners reading reviews in order; a correlated min() made PostgreSQL sort all.)
        earlier_link = (
            select(link.c.action_id)
            .join(other_finding, other_finding.id == link.c.finding_id)
            .where(
                link.c.action_id == Action.id,
                other_finding.review_id == ordered_review.id,
                link.c.finding_id < action_finding.c.finding_id,
            )
            .exists()
        )
        # Driven by the index on review.reference: the first pages read only their rows.
        entries = (
            select(
                ordered_review.id,
                ordered_review.reference,
                ordered_review.subject_label,
                Action.id,
                rating,
            )
            .select_from(ordered_review)
            .join(Finding, Finding.review_id == ordered_review.id)
            .join(action_finding, action_finding.c.finding_id == Finding.id)
            .join(Action, Action.id == action_finding.c.action_id)
            .where(*conditions, ~earlier_link)
            .order_by(
                ordered_review.reference, ordered_review.id, Action.due_date, Action.reference
            )
        )
    page, pages = page_window(page, entries_total, per_page)
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


class _InReferenceOrder(Alias):
    """``review`` read through its reference index. SQLite's planner, given the
    statistics of a national plan, drives the page from the status index instead and sorts
    every open action before taking 50 (0.6 s at 400,000 actions against 1 ms);
    ``INDEXED BY`` makes it read reviews in order and stop after the page. Other databases
    get the plain alias."""

    inherit_cache = True


@compiles(_InReferenceOrder, "sqlite")
def _review_indexed_by_reference(element: Any, compiler: Any, **kw: Any) -> str:
    text: str = compiler.visit_alias(element, **kw)
    if kw.get("asfrom") and not kw.get("ashint"):
        text += " INDEXED BY ix_review_reference"
    return text


ordered_review = aliased(
    Review, _InReferenceOrder._construct(Review.__table__, name="review_in_order")
)


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
