"""Stage moves: the moves a review type allows from the current stage, a move made by
hand, and the moves another record implies (a decision sent to the Panel)."""

from __future__ import annotations

from datetime import date

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.models.review import StageTransition
from sgreviews.services import audit
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    check_version,
    long_date,
    not_before,
    not_future,
    snapshot,
    type_of,
)


def allowed_moves(review: Review) -> tuple[str, ...]:
    """The stages the review's type allows it to move to from where it is."""
    return type_of(review).allowed_next(review.stage)


def move_stage(
    actor: User | None,
    review: Review,
    *,
    to_stage: str,
    moved_on: date,
    note: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> StageTransition:
    """Move to another stage; only the moves the review type allows."""
    today = today or london_today()
    check_version(review, expected_version)
    rtype = type_of(review)
    allowed = rtype.allowed_next(review.stage)
    if to_stage not in allowed:
        current = rtype.stage_label(review.stage)
        if not allowed:
            raise ReviewError(
                f"{current} is the final stage: the review cannot move on", "to_stage"
            )
        names = ", ".join(rtype.stage_label(stage) for stage in allowed)
        raise ReviewError(f"From {current} the review can move only to: {names}", "to_stage")
    not_future(moved_on, "moved_on", "The date of the move", today)
    not_before(
        moved_on,
        review.started_on,
        "moved_on",
        f"The date of the move must be on or after the start on {long_date(review.started_on)}",
    )
    # Stage dates never go backwards (issue 20): a move is on or after the last one.
    last = last_move(review)
    if last is not None:
        not_before(
            moved_on,
            last.moved_on,
            "moved_on",
            f"The date of the move must be on or after the last move, to "
            f"{rtype.stage_label(last.to_stage)} on {long_date(last.moved_on)}",
        )
    before = snapshot(review)
    transition = _transition(actor, review, to_stage, moved_on, note)
    # Stages that mark a clock's event fill in its date when it is not known yet. Entering a
    # report stage does not complete a review (issue 18): only its completion date or its
    # publication does, so an unpublished LCSPR at final report is still open.
    if to_stage == "sent_to_panel" and review.sent_to_panel_on is None:
        review.sent_to_panel_on = moved_on
    if to_stage == "commissioned" and review.commissioned_on is None:
        review.commissioned_on = moved_on
    db.session.flush()
    refresh_deadlines(review)
    # The day the move took effect beside the moment recorded (the audit entry's own).
    audit.record(
        actor,
        "review",
        review.id,
        "transition",
        before,
        {**snapshot(review), "effective_on": moved_on},
    )
    return transition


def last_move(review: Review) -> StageTransition | None:
    """The review's latest stage move (by date, then by the order recorded)."""
    moves = [move for move in review.transitions if move.from_stage is not None]
    if not moves:
        return None
    return max(moves, key=lambda move: (move.moved_on, move.id or 0))


# The clock dates a move fills in when they are not known yet (see ``move_stage``).
_FILLED_BY_STAGE = {
    "sent_to_panel": "sent_to_panel_on",
    "commissioned": "commissioned_on",
}


def undo_last_move(
    actor: User | None, review: Review, *, reason: str, expected_version: int | None = None
) -> StageTransition:
    """Undo the latest stage move made in error: the review goes back to the stage it came
    from, the move's record is deleted (the audit trail keeps it, with the reason), and a
    clock date the move filled in with its own date is cleared again."""
    check_version(review, expected_version)
    reason = reason.strip()
    if not reason:
        raise ReviewError("Enter why the move is being undone", "reason")
    last = last_move(review)
    if last is None or last.from_stage is None:
        raise ReviewError("The review has no stage move to undo", "reason")
    if last.to_stage != review.stage:
        raise ReviewError("The review is no longer at the stage that move reached", "reason")
    before = snapshot(review)
    undone = {
        "from_stage": last.from_stage,
        "to_stage": last.to_stage,
        "moved_on": last.moved_on,
        "note": last.note,
    }
    review.stage = last.from_stage
    filled = _FILLED_BY_STAGE.get(last.to_stage)
    if filled is not None and getattr(review, filled) == last.moved_on:
        setattr(review, filled, None)
    review.transitions.remove(last)
    db.session.delete(last)
    db.session.flush()
    refresh_deadlines(review)
    audit.record(
        actor,
        "review",
        review.id,
        "transition_undone",
        {**before, "undone_move": undone},
        {**snapshot(review), "reason": reason},
    )
    return last


def _transition(
    actor: User | None, review: Review, to_stage: str, moved_on: date, note: str
) -> StageTransition:
    transition = StageTransition(
        review=review,
        from_stage=review.stage,
        to_stage=to_stage,
        moved_on=moved_on,
        note=note.strip(),
        actor_id=actor.id if actor else None,
    )
    db.session.add(transition)
    review.stage = to_stage
    return transition


def advance_if_allowed(
    actor: User | None, review: Review, to_stage: str, moved_on: date, *, audit_it: bool = True
) -> None:
    """Follow a step of the lifecycle that another record implies (a decision sent to the
    Panel moves the rapid review on) when the type allows that move from here."""
    if to_stage not in allowed_moves(review):
        return
    before = snapshot(review)
    _transition(actor, review, to_stage, moved_on, "Moved on automatically")
    db.session.flush()
    if audit_it:
        audit.record(actor, "review", review.id, "transition", before, snapshot(review))
