"""Correcting a review filed in error (issue 20): moving it to the partnership it belongs
to, and withdrawing one created in error. Undoing a stage move is in ``stages``.

Both are audited with the values before and after and the reason. A withdrawn review is
never deleted: it keeps its trail, and ``Review.counted`` takes it out of every list,
count, figure, report, reminder and search."""

from __future__ import annotations

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Partnership, Review, User
from sgreviews.policy import can_move_review
from sgreviews.services import audit
from sgreviews.services.reviews.creation import reference_taken
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import ReviewError, check_version, snapshot


def move_to_partnership(
    actor: User,
    review: Review,
    *,
    partnership_id: int | None,
    reason: str,
    expected_version: int | None = None,
) -> Review:
    """File the review under another partnership: only a secretariat user who serves both
    may; the reference must be free in the new partnership."""
    check_version(review, expected_version)
    target = db.session.get(Partnership, partnership_id) if partnership_id else None
    if target is None:
        raise ReviewError("Choose the partnership the review belongs to", "partnership_id")
    if target.id == review.partnership_id:
        raise ReviewError(
            f"The review is already filed under {target.name}: choose another partnership",
            "partnership_id",
        )
    if not can_move_review(actor, review.partnership_id, target.id):
        raise ReviewError(
            "Only the secretariat of both partnerships can move a review between them",
            "partnership_id",
        )
    reason = reason.strip()
    if not reason:
        raise ReviewError("Enter why the review is being moved", "reason")
    if reference_taken(target.id, review.reference, review.id):
        raise ReviewError(
            f"{review.reference} is already used in {target.name}: change the review's "
            "reference first",
            "partnership_id",
        )
    before = snapshot(review)
    review.partnership_id = target.id
    review.partnership = target
    db.session.flush()
    refresh_deadlines(review)
    audit.record(
        actor,
        "review",
        review.id,
        "moved_partnership",
        before,
        {**snapshot(review), "reason": reason},
    )
    return review


def withdraw(
    actor: User, review: Review, *, reason: str, expected_version: int | None = None
) -> Review:
    """Withdraw a review created in error. Refused once it has findings: a review with
    learning recorded was not created in error (its findings and actions would vanish
    from every figure with it)."""
    check_version(review, expected_version)
    if review.withdrawn_at is not None:
        raise ReviewError("The review has already been withdrawn", "reason")
    if review.findings:
        raise ReviewError(
            "The review has findings recorded, so it was not created in error: it cannot be "
            "withdrawn",
            "reason",
        )
    reason = reason.strip()
    if not reason:
        raise ReviewError("Enter why the review is being withdrawn", "reason")
    before = snapshot(review)
    review.withdrawn_at = utcnow()
    review.withdrawn_by_id = actor.id
    review.withdrawal_reason = reason
    db.session.flush()
    audit.record(
        actor,
        "review",
        review.id,
        "withdrawn",
        {**before, "withdrawn": False},
        {**snapshot(review), "withdrawn": True, "reason": reason},
    )
    return review
