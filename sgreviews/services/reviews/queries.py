"""Reading reviews: the filtered, sorted, paginated list, one review with its lifecycle,
deadline states, and the findings and actions summary. Each function runs a fixed number
of queries whatever the size of the data."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import to_london
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    Review,
    User,
)
from sgreviews.models.action import action_finding
from sgreviews.models.review import (
    DECISION_SIGN_OFF_ROLES,
    ReviewDeadline,
    ReviewHold,
    ReviewLink,
    StageTransition,
)
from sgreviews.policy import Actor, actions_visible_to, can_view_review, reviews_visible_to
from sgreviews.services.clocks import (
    DUE_SOON_WORKING_DAYS,
    add_working_days,
    calendar_for,
    clock_jurisdiction,
    working_days_between,
)
from sgreviews.services.history.event_dates import review_open_after_sql
from sgreviews.services.paging import page_window
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reviews.lifecycle import type_of

PER_PAGE = 25


class DeadlineState(enum.Enum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"
    PAUSED = "paused"

    @property
    def label(self) -> str:
        return {
            "on_track": "On track",
            "due_soon": "Due soon",
            "overdue": "Overdue",
            "met": "Met",
            "met_late": "Met late",
            "paused": "Paused",
        }[self.value]


def due_soon_limit(today: date) -> date:
    """The last day that counts as "due soon": five working days ahead on the English
    calendar (with the extra closure days)."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS, calendar_for("ENG"))


def deadline_state(
    deadline: ReviewDeadline, on_hold: bool, today: date, soon_limit: date
) -> DeadlineState:
    if deadline.met_on is not None:
        return DeadlineState.MET if deadline.met_on <= deadline.due_on else DeadlineState.MET_LATE
    if on_hold:
        return DeadlineState.PAUSED
    if deadline.due_on < today:
        return DeadlineState.OVERDUE
    if deadline.due_on <= soon_limit:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


@dataclass(frozen=True)
class DeadlineView:
    deadline: ReviewDeadline
    state: DeadlineState


def deadline_views(review: Review, today: date, soon_limit: date) -> list[DeadlineView]:
    on_hold = review.active_hold is not None
    return [
        DeadlineView(deadline, deadline_state(deadline, on_hold, today, soon_limit))
        for deadline in review.deadlines
    ]


def next_deadline(review: Review, today: date, soon_limit: date) -> DeadlineView | None:
    """The earliest unmet deadline; when every deadline is met, the last one met."""
    views = deadline_views(review, today, soon_limit)
    unmet = [view for view in views if view.deadline.met_on is None]
    if unmet:
        return min(unmet, key=lambda view: view.deadline.due_on)
    if views:
        return max(views, key=lambda view: view.deadline.due_on)
    return None


# The list -------------------------------------------------------------------------------


@dataclass
class ReviewFilters:
    partnership_id: int | None = None
    review_type: str | None = None
    stage: str | None = None
    business_year: int | None = None
    due_soon: bool = False
    overdue: bool = False
    on_hold: bool = False
    sort: str = "next_deadline"
    descending: bool = False
    page: int = 1


SORTS = ("next_deadline", "reference", "type", "stage", "started", "partnership")


@dataclass
class ReviewPage:
    rows: list[tuple[Review, DeadlineView | None]]
    total: int
    page: int
    pages: int
    filters: ReviewFilters = field(default_factory=ReviewFilters)


def active_hold() -> ColumnElement[bool]:
    """True for a review with a hold not yet released (its clocks are paused)."""
    return exists().where(ReviewHold.review_id == Review.id, ReviewHold.ended_on.is_(None))


def _next_due_subquery() -> ScalarSelect[date]:
    return (
        select(func.min(ReviewDeadline.due_on))
        .where(ReviewDeadline.review_id == Review.id, ReviewDeadline.met_on.is_(None))
        .correlate(Review)
        .scalar_subquery()
    )


def _filtered(query: Select[Review], filters: ReviewFilters, today: date) -> Select[Review]:
    if filters.partnership_id:
        query = query.where(Review.partnership_id == filters.partnership_id)
    if filters.review_type:
        query = query.where(Review.review_type == filters.review_type)
    if filters.stage:
        query = query.where(Review.stage == filters.stage)
    if filters.business_year:
        year = BusinessYear(filters.business_year)
        first, last = year.start, year.end
        # Reviews active at some point in the year: started by its end, not finished before
        # it began (so carried-over reviews count in both years).
        query = query.where(Review.started_on <= last, review_open_after_sql(first))
    if filters.on_hold:
        query = query.where(active_hold())
    if filters.overdue:
        query = query.where(
            ~active_hold(),
            exists().where(
                ReviewDeadline.review_id == Review.id,
                ReviewDeadline.met_on.is_(None),
                ReviewDeadline.due_on < today,
            ),
        )
    if filters.due_soon:
        query = query.where(
            ~active_hold(),
            exists().where(
                ReviewDeadline.review_id == Review.id,
                ReviewDeadline.met_on.is_(None),
                and_(
                    ReviewDeadline.due_on >= today, ReviewDeadline.due_on <= due_soon_limit(today)
                ),
            ),
        )
    return query


def list_reviews(user: User, filters: ReviewFilters, today: date) -> ReviewPage:
    base = _filtered(select(Review).where(Review.counted, reviews_visible_to(user)), filters, today)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page, pages = page_window(filters.page, total, PER_PAGE)
    sort_columns = {
        "next_deadline": _next_due_subquery(),
        "reference": Review.reference,
        "type": Review.review_type,
        "stage": Review.stage,
        "started": Review.started_on,
        "partnership": Review.partnership_id,
    }
    column = sort_columns.get(filters.sort, sort_columns["next_deadline"])
    ordered = column.desc() if filters.descending else column.asc()
    query = (
        base.options(
            joinedload(Review.partnership),
            selectinload(Review.deadlines),
            selectinload(Review.holds),
        )
        .order_by(ordered.nulls_last(), Review.reference)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    reviews = list(db.session.scalars(query).unique())
    soon = due_soon_limit(today)
    return ReviewPage(
        rows=[(review, next_deadline(review, today, soon)) for review in reviews],
        total=total,
        page=page,
        pages=pages,
        filters=filters,
    )


def business_years() -> list[int]:
    first = db.session.scalar(select(func.min(Review.started_on)))
    last = db.session.scalar(select(func.max(Review.started_on)))
    if first is None or last is None:
        return []
    newest, oldest = BusinessYear.containing(last), BusinessYear.containing(first)
    return list(range(newest.start_year, oldest.start_year - 1, -1))


# One review -----------------------------------------------------------------------------


def get_review(review_id: int) -> Review | None:
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            joinedload(Review.partnership),
            selectinload(Review.deadlines),
            selectinload(Review.holds),
            selectinload(Review.decisions),
            selectinload(Review.transitions).joinedload(StageTransition.actor),
            # The policy check of an agency lead looks at the actions on the findings.
            selectinload(Review.findings).selectinload(Finding.actions),
            selectinload(Review.monitoring),
            selectinload(Review.family_log),
            selectinload(Review.agencies_involved),
        )
    )


def find_by_reference(partnership_id: int, reference: str) -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.partnership_id == partnership_id, Review.reference == reference.strip()
        )
    )


def find_any_by_reference(reference: str) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.reference == reference.strip()).order_by(Review.id).limit(1)
    )


@dataclass(frozen=True)
class LinkedReview:
    review: Review
    description: str
    # Whether the reader may open it (need to know): one they cannot open is named by its
    # reference only, without a link or its subject.
    openable: bool = True


def linked_reviews(review: Review, reader: Actor | None = None) -> list[LinkedReview]:
    """The reviews linked to ``review``, each marked openable by ``reader`` or not (every
    one is openable when no reader is given)."""
    links = db.session.scalars(
        select(ReviewLink)
        .where(or_(ReviewLink.from_review_id == review.id, ReviewLink.to_review_id == review.id))
        .options(joinedload(ReviewLink.from_review), joinedload(ReviewLink.to_review))
        .order_by(ReviewLink.id)
    ).all()
    result = []
    for item in links:
        if item.from_review_id == review.id:
            other, label = item.to_review, item.kind.label
        else:
            other = item.from_review
            label = "Follows from" if item.kind.value == "led_to" else item.kind.label
        openable = reader is None or can_view_review(reader, other)
        result.append(LinkedReview(other, label, openable))
    return result


@dataclass(frozen=True)
class FindingsSummary:
    findings_by_kind: dict[FindingKind, int]
    actions_by_status: dict[ActionStatus, int]

    @property
    def findings_total(self) -> int:
        return sum(self.findings_by_kind.values())

    @property
    def actions_total(self) -> int:
        return sum(self.actions_by_status.values())


def findings_summary(review_id: int, reader: Actor | None = None) -> FindingsSummary:
    """Counts of the review's findings by kind and of the actions answering them by
    status, aggregated in SQL (an action answering two findings counts once). With a
    reader, only the actions the reader may open are counted (an agency lead: their own
    agency's), so a review page never shows other agencies' action counts."""
    by_kind = {kind: 0 for kind in FindingKind}
    for kind, count in db.session.execute(
        select(Finding.kind, func.count())
        .where(Finding.review_id == review_id)
        .group_by(Finding.kind)
    ):
        by_kind[kind] = count
    action_ids = (
        select(action_finding.c.action_id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .where(Finding.review_id == review_id)
    )
    by_status = {status: 0 for status in ActionStatus}
    for status, count in db.session.execute(
        select(Action.status, func.count())
        .where(Action.id.in_(action_ids))
        .where(actions_visible_to(reader) if reader is not None else Action.id.is_not(None))
        .group_by(Action.status)
    ):
        by_status[status] = count
    return FindingsSummary(by_kind, by_status)


def reviews_for_linking(exclude_id: int) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review).where(Review.id != exclude_id, Review.counted).order_by(Review.reference)
        )
    )


@dataclass(frozen=True)
class FinalReportLead:
    """How far ahead of publication the final report reached the Panel."""

    working_days: int
    required: int

    @property
    def state(self) -> DeadlineState:
        return DeadlineState.MET if self.working_days >= self.required else DeadlineState.MET_LATE


def final_report_lead(review: Review, required: int) -> FinalReportLead | None:
    if not required or review.final_report_sent_on is None or review.published_on is None:
        return None
    calendar = calendar_for(
        clock_jurisdiction(review.jurisdiction, review.partnership.jurisdiction, None)
    )
    days = working_days_between(review.final_report_sent_on, review.published_on, calendar)
    return FinalReportLead(days, required)


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    heading: str
    text: str
    state: DeadlineState | None = None


def timeline(review: Review, today: date, soon_limit: date) -> list[TimelineEntry]:
    """Stage moves, decisions, holds and deadlines of a review in date order."""
    rtype = type_of(review)
    entries: list[TimelineEntry] = []
    for transition in review.transitions:
        moved = rtype.stage_label(transition.to_stage)
        heading = (
            f"{rtype.stage_label(transition.from_stage)} to {moved}"
            if transition.from_stage
            else moved
        )
        who = transition.actor.display_name if transition.actor else "Unknown"
        recorded = to_london(transition.created_at).date() if transition.created_at else None
        if recorded is not None and recorded != transition.moved_on:
            # Entered as history (issue 18): the day it took effect heads the entry.
            by = f"Recorded on {recorded.day} {recorded:%B %Y} by {who}. "
        else:
            by = f"By {who}. " if transition.actor else ""
        entries.append(TimelineEntry(transition.moved_on, heading, by + transition.note))
    for decision in review.decisions:
        outcome = rtype.outcome(decision.outcome)
        text = decision.rationale
        if decision.sent_to_panel_on:
            text += f" Sent to the Panel {decision.sent_to_panel_on:%-d %b %Y}."
        if decision.panel_reply_on:
            reply = f": {decision.panel_reply}" if decision.panel_reply else ""
            text += f" The Panel replied {decision.panel_reply_on:%-d %b %Y}{reply}."
        if decision.signed_off_by_name:
            who = DECISION_SIGN_OFF_ROLES.get(
                decision.signed_off_by_role or "", "a safeguarding partner"
            )
            text += f" Signed off by {decision.signed_off_by_name}, {who}."
        label = outcome.label if outcome else decision.outcome
        entries.append(TimelineEntry(decision.decided_on, f"Decision: {label}", text))
    for hold in review.holds:
        entries.append(
            TimelineEntry(hold.started_on, f"On hold: {hold.reason.label}", hold.details)
        )
        if hold.ended_on:
            entries.append(TimelineEntry(hold.ended_on, "Hold released", ""))
    for view in deadline_views(review, today, soon_limit):
        deadline = view.deadline
        entries.append(
            TimelineEntry(deadline.due_on, f"Deadline: {deadline.name}", deadline.rule, view.state)
        )
    return sorted(entries, key=lambda entry: entry.on)
