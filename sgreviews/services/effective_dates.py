"""When a dated event took effect (issue 18: history can be entered).

Every dated event (a progress update, an action's status change, an assurance, an impact
assessment, an extension asked for or decided, a review's stage move) carries the day it
took effect, kept apart from when it was recorded and by whom (the row's recorded moment
and author, and the audit trail). Entering a past year means entering events whose
effective date is years before the day they are recorded.

One function per event kind gives the column to read, so figures computed "as at" a date
read the effective date, never the recorded moment; and one check refuses an effective
date before the review began or after today.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import InstrumentedAttribute

from sgreviews.clock import london_today
from sgreviews.models import ActionUpdate, ExtensionRequest, UpdateKind
from sgreviews.models.review import StageTransition
from sgreviews.services.editing import FieldError

# The field every form names its effective date by.
FIELD = "effective_on"

# The kinds of an action's history entries that record each event.
PROGRESS_KINDS = (UpdateKind.PROGRESS,)
ASSURANCE_KINDS = (UpdateKind.ASSURED, UpdateKind.SENT_BACK)
CLOSURE_KINDS = (UpdateKind.CLOSED, UpdateKind.SUPERSEDED)
IMPACT_KINDS = (UpdateKind.IMPACT,)


def progress_update_effective_on() -> InstrumentedAttribute[date]:
    """A progress update's day (``ActionUpdate`` rows of ``PROGRESS_KINDS``)."""
    return ActionUpdate.effective_on


def status_change_effective_on() -> InstrumentedAttribute[date]:
    """The day an action's status changed: any ``ActionUpdate`` row whose
    ``previous_status`` differs from its ``status`` (progress, assurance, sending back,
    closing, superseding)."""
    return ActionUpdate.effective_on


def assurance_effective_on() -> InstrumentedAttribute[date]:
    """The day an action was assured or sent back (``ASSURANCE_KINDS``)."""
    return ActionUpdate.effective_on


def impact_assessment_effective_on() -> InstrumentedAttribute[date]:
    """The day an impact assessment (planned or its outcome) was recorded as taking
    effect (``IMPACT_KINDS``)."""
    return ActionUpdate.effective_on


def extension_requested_effective_on() -> InstrumentedAttribute[date]:
    """The day an extension was asked for."""
    return ExtensionRequest.effective_on


def extension_decided_effective_on() -> InstrumentedAttribute[date | None]:
    """The day an extension was approved or declined (NULL while it waits)."""
    return ExtensionRequest.decision_effective_on


def stage_move_effective_on() -> InstrumentedAttribute[date]:
    """The day a review moved stage: ``moved_on`` has always been the day entered."""
    return StageTransition.moved_on


def check_effective_on(
    effective_on: date | None,
    review_starts: Iterable[date],
    *,
    today: date | None = None,
    field: str = FIELD,
) -> date:
    """The effective date, refused (naming ``field``) when missing, after today, or
    before the earliest start of the reviews the event belongs to (an action answering
    findings of several reviews began with the first of them)."""
    today = today or london_today()
    if effective_on is None:
        raise FieldError(field, "Enter the date it took effect")
    if effective_on > today:
        raise FieldError(field, "The date it took effect must be today or in the past")
    starts = list(review_starts)
    if starts and effective_on < min(starts):
        began = min(starts)
        raise FieldError(
            field,
            "The date it took effect must be on or after the review began "
            f"({began.day} {began:%B %Y})",
        )
    return effective_on
