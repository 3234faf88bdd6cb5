"""A review as it stood on a day: its stage from the stage history, whether it was still
open (under way), and whether it had been completed, all from dated events
(``event_dates``), never from where the review is today."""

from __future__ import annotations

from datetime import date

from sgreviews.models import Review
from sgreviews.review_types import ReviewType
from sgreviews.services.history.event_dates import review_completed_on, stage_moved_on


def stage_on(review: Review, day: date) -> str:
    """The stage the review was at on ``day``: the stage its last move on or before the
    day reached; before its first recorded move, the stage that move left. A review with
    no stage history has only its stage now to go on (the best recorded)."""
    moves = sorted(review.transitions, key=lambda move: (stage_moved_on(move), move.id or 0))
    reached = [move for move in moves if stage_moved_on(move) <= day]
    if reached:
        return reached[-1].to_stage
    later = next((move for move in moves if move.from_stage is not None), None)
    if later is not None and later.from_stage is not None:
        return later.from_stage
    return moves[0].to_stage if moves else review.stage


def completed_by(review: Review, day: date) -> bool:
    """The review had been completed (completion or publication) on or before ``day``."""
    completed = review_completed_on(review)
    return completed is not None and completed <= day


def open_on(review: Review, day: date, review_type: ReviewType | None) -> bool:
    """The review was under way at the end of ``day``: started, not completed or published,
    and at one of its type's open stages (``open_stages`` in config/review_types.toml)."""
    if review.started_on > day or completed_by(review, day):
        return False
    if review_type is None:
        return True
    return stage_on(review, day) in review_type.open_stages
