"""Pages of reviews, findings, actions and clocks for the API, each narrowed by the policy
and by the caller's filters, in id order (``cursors``), as JSON-ready records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, Finding, Review, User
from sgreviews.models.action import action_finding
from sgreviews.models.review import ReviewDeadline, review_agency
from sgreviews.policy import actions_visible_to, findings_visible_to, reviews_visible_to
from sgreviews.services.actions.lists import ActionFilter, filter_conditions, ratings
from sgreviews.services.actions.rag import RagRules
from sgreviews.services.actions.reads import action_load_options
from sgreviews.services.api import records
from sgreviews.services.api.cursors import Page, decode, page_of
from sgreviews.services.reviews.queries import DeadlineState, deadline_state, due_soon_limit


@dataclass(frozen=True)
class Common:
    """Filters every list shares: the review's partnership and type."""

    partnership_id: int | None = None
    review_type: str | None = None


@dataclass(frozen=True)
class ReviewQuery(Common):
    stage: str | None = None
    completed: bool | None = None
    agency_id: int | None = None
    started_after: date | None = None
    started_before: date | None = None


@dataclass(frozen=True)
class FindingQuery(Common):
    review_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class ActionQuery(Common):
    review_id: int | None = None
    agency_id: int | None = None
    statuses: tuple[ActionStatus, ...] = ()
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class ClockQuery(Common):
    review_id: int | None = None
    due_before: date | None = None
    due_after: date | None = None
    met: bool | None = None


@dataclass(frozen=True)
class Paging:
    limit: int
    cursor: str | None = None

    def after_id(self) -> int:
        """The last id of the previous page (0 for the first); raises ``BadCursor``."""
        return decode(self.cursor) if self.cursor else 0


def _review_conditions(query: Common) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.partnership_id is not None:
        conditions.append(Review.partnership_id == query.partnership_id)
    if query.review_type is not None:
        conditions.append(Review.review_type == query.review_type)
    return conditions


def _ids(statement: Select[int], paging: Paging) -> tuple[list[int], str | None]:
    ids = db.session.scalars(statement.limit(paging.limit + 1)).all()
    return page_of(ids, paging.limit)


def _in_order(loaded: Sequence[Any], ids: list[int]) -> list[Any]:
    by_id = {row.id: row for row in loaded}
    return [by_id[row_id] for row_id in ids]


# --- reviews ---------------------------------------------------------------------------------


def _review_where(user: User, query: ReviewQuery) -> list[ColumnElement[bool]]:
    conditions = [reviews_visible_to(user), *_review_conditions(query)]
    if query.stage is not None:
        conditions.append(Review.stage == query.stage)
    if query.completed is True:
        conditions.append(Review.completed_on.is_not(None))
    if query.completed is False:
        conditions.append(Review.completed_on.is_(None))
    if query.started_after is not None:
        conditions.append(Review.started_on >= query.started_after)
    if query.started_before is not None:
        conditions.append(Review.started_on <= query.started_before)
    if query.agency_id is not None:
        owns_actions = (
            exists()
            .where(Finding.review_id == Review.id)
            .where(action_finding.c.finding_id == Finding.id)
            .where(action_finding.c.action_id == Action.id)
            .where(Action.owning_agency_id == query.agency_id)
        )
        involved = (
            exists()
            .where(review_agency.c.review_id == Review.id)
            .where(review_agency.c.agency_id == query.agency_id)
        )
        conditions.append(owns_actions | involved)
    return conditions


def _review_options() -> list[Any]:
    return [joinedload(Review.partnership), selectinload(Review.holds)]


def list_reviews(user: User, query: ReviewQuery, paging: Paging) -> Page:
    ids, cursor = _ids(
        select(Review.id)
        .where(*_review_where(user, query), Review.id > paging.after_id())
        .order_by(Review.id),
        paging,
    )
    loaded = db.session.scalars(
        select(Review).where(Review.id.in_(ids)).options(*_review_options())
    ).all()
    return Page([records.review(review) for review in _in_order(loaded, ids)], cursor)


def get_review(review_id: int) -> Review | None:
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            *_review_options(),
            selectinload(Review.agencies_involved),
            selectinload(Review.findings).selectinload(Finding.actions),
        )
    )


# --- findings --------------------------------------------------------------------------------


def list_findings(user: User, query: FindingQuery, paging: Paging) -> Page:
    conditions = [findings_visible_to(user), Finding.id > paging.after_id()]
    if query.review_id is not None:
        conditions.append(Finding.review_id == query.review_id)
    if query.kind is not None:
        conditions.append(Finding.kind == query.kind)
    review_conditions = _review_conditions(query)
    if review_conditions:
        conditions.append(Finding.review_id.in_(select(Review.id).where(*review_conditions)))
    ids, cursor = _ids(select(Finding.id).where(*conditions).order_by(Finding.id), paging)
    loaded = db.session.scalars(
        select(Finding)
        .where(Finding.id.in_(ids))
        .options(
            joinedload(Finding.review),
            selectinload(Finding.themes),
            selectinload(Finding.actions),
        )
    ).all()
    visible_actions = set(
        db.session.scalars(
            select(action_finding.c.action_id)
            .join(Action, Action.id == action_finding.c.action_id)
            .where(action_finding.c.finding_id.in_(ids), actions_visible_to(user))
        )
    )
    return Page(
        [records.finding(finding, visible_actions) for finding in _in_order(loaded, ids)], cursor
    )


# --- actions ---------------------------------------------------------------------------------


def action_conditions(user: User, query: ActionQuery, today: date) -> list[ColumnElement[bool]]:
    """The policy's reach, then the filters (shared with the CSV feed)."""
    conditions = [
        actions_visible_to(user),
        *filter_conditions(
            ActionFilter(
                statuses=list(query.statuses),
                due_before=query.due_before,
                due_after=query.due_after,
                overdue=query.overdue,
                review_id=query.review_id,
                agency_id=query.agency_id,
            ),
            today,
        ),
    ]
    review_conditions = _review_conditions(query)
    if review_conditions:
        conditions.append(
            Action.id.in_(
                select(action_finding.c.action_id)
                .join(Finding, Finding.id == action_finding.c.finding_id)
                .join(Review, Review.id == Finding.review_id)
                .where(*review_conditions)
            )
        )
    return conditions


def list_actions(
    user: User, query: ActionQuery, paging: Paging, today: date, rules: RagRules
) -> Page:
    ids, cursor = _ids(
        select(Action.id)
        .where(*action_conditions(user, query, today), Action.id > paging.after_id())
        .order_by(Action.id),
        paging,
    )
    actions = _in_order(
        db.session.scalars(select(Action).where(Action.id.in_(ids)).options(*action_load_options()))
        .unique()
        .all(),
        ids,
    )
    rag = ratings(actions, today, rules)
    return Page([records.action(action, rag[action.id]) for action in actions], cursor)


def all_actions(user: User, query: ActionQuery, today: date, rules: RagRules) -> list[Any]:
    """Every action the user may read matching the filters, in id order, with ratings (the
    CSV feed: a report refreshes the whole table)."""
    actions = list(
        db.session.scalars(
            select(Action)
            .where(*action_conditions(user, query, today))
            .options(*action_load_options())
            .order_by(Action.id)
        ).unique()
    )
    rag = ratings(actions, today, rules)
    return [records.action(action, rag[action.id]) for action in actions]


# --- clocks ----------------------------------------------------------------------------------


@dataclass
class _ClockContext:
    today: date
    soon_limit: date = field(init=False)

    def __post_init__(self) -> None:
        self.soon_limit = due_soon_limit(self.today)

    def state(self, deadline: ReviewDeadline) -> DeadlineState:
        on_hold = deadline.review.active_hold is not None
        return deadline_state(deadline, on_hold, self.today, self.soon_limit)


def list_clocks(user: User, query: ClockQuery, paging: Paging, today: date) -> Page:
    conditions = [
        ReviewDeadline.review_id.in_(
            select(Review.id).where(reviews_visible_to(user), *_review_conditions(query))
        ),
        ReviewDeadline.id > paging.after_id(),
    ]
    if query.review_id is not None:
        conditions.append(ReviewDeadline.review_id == query.review_id)
    if query.due_before is not None:
        conditions.append(ReviewDeadline.due_on <= query.due_before)
    if query.due_after is not None:
        conditions.append(ReviewDeadline.due_on >= query.due_after)
    if query.met is True:
        conditions.append(ReviewDeadline.met_on.is_not(None))
    if query.met is False:
        conditions.append(ReviewDeadline.met_on.is_(None))
    ids, cursor = _ids(
        select(ReviewDeadline.id).where(*conditions).order_by(ReviewDeadline.id), paging
    )
    loaded = db.session.scalars(
        select(ReviewDeadline)
        .where(ReviewDeadline.id.in_(ids))
        .options(joinedload(ReviewDeadline.review).selectinload(Review.holds))
    ).all()
    context = _ClockContext(today)
    return Page(
        [records.clock(deadline, context.state(deadline)) for deadline in _in_order(loaded, ids)],
        cursor,
    )
