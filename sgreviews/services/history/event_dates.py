"""The date each kind of dated event happened on: the one place every as-at figure reads
an event's date from.

An event's date is the day it took effect (``effective_on``, issue 18: history can be
entered; ``services/effective_dates.py`` names the column of each kind), not when it was
recorded: a progress update, status change, assurance or impact assessment entered today
for 2021 counts in 2021. Where a row has no effective date (an action's own creation; an
assurance or status kept only on the action, from before the history) the recorded moment
stands in. Moments are stored in UTC; such a day is its day in England (``to_london``),
and the SQL form compares the moment with the start of the next day in England, so the
two agree on either side of midnight in summer time.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, exists, or_
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.clock import LONDON, to_london
from sgreviews.models import Action, ActionUpdate, Review
from sgreviews.models.action import ExtensionRequest
from sgreviews.models.review import (
    FamilyInvolvement,
    ReviewDeadline,
    ReviewDecision,
    ReviewHold,
    StageTransition,
)


def _day_of(moment: datetime) -> date:
    return to_london(moment).date()


def start_of_day(day: date) -> datetime:
    """The first moment of ``day`` in England, aware."""
    return datetime.combine(day, time(), tzinfo=LONDON)


def stage_moved_on(move: StageTransition) -> date:
    """A stage move."""
    return move.moved_on


def action_created_on(action: Action) -> date:
    """An action added to a plan: the day it joined the plan (``Action.added_on``, which
    a person entering history sets), not when it was recorded."""
    return action.added_on


def action_created_by_sql(day: date) -> ColumnElement[bool]:
    """SQL: the action was added on or before ``day`` (``action_created_on(a) <= day``)."""
    return Action.added_on <= day


def status_changed_on(entry: ActionUpdate) -> date:
    """An entry in an action's history that set its status (a progress update, an
    assurance, a send-back, a closure): the day it took effect."""
    return entry.effective_on


def assured_on(entry: ActionUpdate) -> date:
    """An assurance (an entry of kind "assured"): the day it took effect."""
    return entry.effective_on


def impact_assessed_on(entry: ActionUpdate) -> date:
    """An impact assessment (an entry of kind "impact"): the day it took effect."""
    return entry.effective_on


def assurance_recorded_on(action: Action) -> date | None:
    """An assurance kept only on the action (rows from before assurances had entries)."""
    return _day_of(action.assured_at) if action.assured_at is not None else None


def change_recorded_on(action: Action) -> date:
    """A status or impact set with no history entry (rows from before the history): the
    best recorded date is when the action was last changed."""
    return _day_of(action.updated_at or action.created_at)


def extension_decided_on(request: ExtensionRequest) -> date | None:
    """An extension decided (approved or declined): the day the decision took effect;
    None while pending."""
    if request.decision_effective_on is not None:
        return request.decision_effective_on
    return _day_of(request.decided_at) if request.decided_at is not None else None


def decision_made_on(decision: ReviewDecision) -> date:
    """A decision on a review (a rapid review's recommendation, a DHR or SAR decision)."""
    return decision.decided_on


def decision_made_between_sql(start: date, end: date) -> ColumnElement[bool]:
    """SQL: a decision on a review made from ``start`` to ``end`` inclusive
    (``decision_made_on``)."""
    return and_(ReviewDecision.decided_on >= start, ReviewDecision.decided_on <= end)


def progress_recorded_on(entry: ActionUpdate) -> date:
    """A progress update on an action (an entry of kind "progress"): the day it took
    effect."""
    return entry.effective_on


def family_invited_on_sql(start: date, end: date) -> ColumnElement[bool]:
    """SQL: a child, adult or family member invited to contribute to a review from
    ``start`` to ``end`` inclusive. The log's one dated event: its consent and how the
    views were used are as recorded with the entry (the log is added to, never edited)."""
    return and_(FamilyInvolvement.invited_on >= start, FamilyInvolvement.invited_on <= end)


def review_completed_on(review: Review) -> date | None:
    """A review completed: its completion date, or its publication when that came first
    (publishing a report completes the review). Entering a stage never completes it."""
    days = [day for day in (review.completed_on, review.published_on) if day is not None]
    return min(days) if days else None


def review_open_after_sql(day: date, review: type[Review] = Review) -> ColumnElement[bool]:
    """SQL: the review was not completed before ``day`` (``review_completed_on(r)`` is
    None or on or after ``day``): both its completion and its publication, if any, are on
    or after the day. ``review`` may be an alias of ``Review``."""
    return and_(
        or_(review.completed_on.is_(None), review.completed_on >= day),
        or_(review.published_on.is_(None), review.published_on >= day),
    )


def deadline_met_by_sql(day: date) -> ColumnElement[bool]:
    """SQL: a statutory deadline met on or before ``day`` (its ``met_on``)."""
    return and_(ReviewDeadline.met_on.is_not(None), ReviewDeadline.met_on <= day)


def hold_active_on_sql(day: date) -> ColumnElement[bool]:
    """SQL: the review was on hold for proceedings at the end of ``day`` (a hold started on
    or before it and not ended by then)."""
    return exists().where(
        ReviewHold.review_id == Review.id,
        ReviewHold.started_on <= day,
        or_(ReviewHold.ended_on.is_(None), ReviewHold.ended_on > day),
    )


def review_published_on(review: Review) -> date | None:
    """A review's report published."""
    return review.published_on
