"""Filtered lists of actions with their RAG ratings: the filters as SQL conditions (shared
with the Master Action Plan and the downloads), the whole list, and the workspace's pages.

Ratings of loaded actions come from ``rag.rate`` with each action's latest progress update;
a page filtered by rating filters in SQL with ``rag_sql.rag_expression`` (the same rule;
tests/unit/test_rag_sql_agrees.py proves it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ExtensionRequest,
    Finding,
    UpdateKind,
)
from sgreviews.services.actions.rag import Rag, RagRules, rate_action
from sgreviews.services.actions.rag_sql import rag_expression
from sgreviews.services.actions.reads import action_load_options
from sgreviews.services.clocks import calendar_for
from sgreviews.services.paging import PageNumbers, page_window

# Still on the Master Action Plan: not yet signed off or closed.
PLAN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)


def last_update_times(action_ids: Sequence[int]) -> dict[int, datetime]:
    """The time of each action's latest progress update, in one query."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(ActionUpdate.action_id, func.max(ActionUpdate.created_at))
        .where(ActionUpdate.action_id.in_(action_ids))
        .where(ActionUpdate.kind == UpdateKind.PROGRESS)
        .group_by(ActionUpdate.action_id)
    ).all()
    result: dict[int, datetime] = {}
    for action_id, moment in rows:
        result[action_id] = _aware(moment)
    return result


def _aware(moment: datetime) -> datetime:
    # func.max() bypasses the column type on SQLite, so the UTC marker may be missing.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ratings(actions: Sequence[Action], today: date, rules: RagRules) -> dict[int, Rag]:
    """Each action's RAG rating today (``rag.rate``), with one query for the updates."""
    times = last_update_times([action.id for action in actions])
    calendar = calendar_for("ENG")
    return {
        action.id: rate_action(action, times.get(action.id), today, rules, calendar)
        for action in actions
    }


@dataclass
class ActionFilter:
    statuses: list[ActionStatus] = field(default_factory=list)
    rags: list[Rag] = field(default_factory=list)
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool = False
    review_id: int | None = None
    agency_id: int | None = None
    changed_since: date | None = None
    open_only: bool = False
    # Words in the reference, action, outcome sought or measure (issue 20), any case.
    text: str = ""


def _filtered(query: Select[Action], filters: ActionFilter, today: date) -> Select[Action]:
    return query.where(*filter_conditions(filters, today))


def filter_conditions(
    filters: ActionFilter,
    today: date,
    status: Any = Action.status,
    due_date: Any = Action.due_date,
) -> list[ColumnElement[bool]]:
    """The filters as WHERE conditions on ``action`` (the RAG filter is not among them:
    see list_actions). ``status`` and ``due_date`` may name the same columns of another
    table (the plan's running count, ``ActionDueTally``), which has none of
    the other filters' columns."""
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses:
        conditions.append(status.in_(filters.statuses))
    if filters.open_only:
        conditions.append(status.in_(PLAN_STATUSES))
    if filters.due_before is not None:
        conditions.append(due_date <= filters.due_before)
    if filters.due_after is not None:
        conditions.append(due_date >= filters.due_after)
    if filters.overdue:
        open_statuses = [value for value in ActionStatus if value.is_open]
        conditions += [status.in_(open_statuses), due_date < today]
    if filters.agency_id is not None:
        conditions.append(Action.owning_agency_id == filters.agency_id)
    if filters.review_id is not None:
        conditions.append(Action.findings.any(Finding.review_id == filters.review_id))
    if filters.text.strip():
        conditions.append(text_condition(filters.text))
    if filters.changed_since is not None:
        since = datetime.combine(filters.changed_since, datetime.min.time()).replace(
            tzinfo=utcnow().tzinfo
        )
        conditions.append(
            or_(
                Action.updated_at >= since,
                Action.updates.any(ActionUpdate.created_at >= since),
                Action.extension_requests.any(ExtensionRequest.requested_at >= since),
            )
        )
    return conditions


def text_condition(typed: str) -> ColumnElement[bool]:
    """Every word typed appears (any case) in the action's reference, action, outcome
    sought or measure of success. A plain substring test, the same on both databases."""
    conditions = []
    for word in typed.split()[:10]:
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (
                        Action.reference,
                        Action.action_text,
                        Action.outcome_sought,
                        Action.measure_of_success,
                    )
                )
            )
        )
    return and_(*conditions)


def list_actions(
    filters: ActionFilter, today: date, rules: RagRules
) -> tuple[list[Action], dict[int, Rag]]:
    """Actions matching the filters, with their RAG ratings; the RAG filter is applied
    after rating because the rules (working days) are not SQL."""
    query = _filtered(select(Action).options(*action_load_options()), filters, today).order_by(
        Action.due_date, Action.reference
    )
    actions = list(db.session.scalars(query).unique())
    rag = ratings(actions, today, rules)
    if filters.rags:
        actions = [action for action in actions if rag[action.id] in filters.rags]
    return actions, rag


WORKSPACE_PAGE_SIZE = 50


@dataclass
class ActionPage(PageNumbers):
    """One page of a filtered list of actions, with their ratings and the whole count."""

    actions: list[Action]
    rag: dict[int, Rag]
    total: int
    page: int
    pages: int
    per_page: int


def list_actions_page(
    filters: ActionFilter,
    today: date,
    rules: RagRules,
    page: int = 1,
    per_page: int = WORKSPACE_PAGE_SIZE,
) -> ActionPage:
    """One page of ``list_actions``, in the same order, with a fixed number of queries: the
    RAG filter is applied in SQL (``rag_sql.rag_expression``, the same rules as
    ``rag.rate``), so only the page's actions are loaded and rated."""
    conditions = filter_conditions(filters, today)
    if filters.rags:
        rating = rag_expression(today, rules, calendar_for("ENG"))
        conditions.append(rating.in_([rag.value for rag in filters.rags]))
    total = db.session.scalar(select(func.count()).select_from(Action).where(*conditions)) or 0
    page, pages = page_window(page, total, per_page)
    ids = db.session.scalars(
        select(Action.id)
        .where(*conditions)
        .order_by(Action.due_date, Action.reference)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    loaded = {
        action.id: action
        for action in db.session.scalars(
            select(Action).where(Action.id.in_(ids)).options(*action_load_options())
        ).unique()
    }
    actions = [loaded[action_id] for action_id in ids]
    return ActionPage(actions, ratings(actions, today, rules), total, page, pages, per_page)
