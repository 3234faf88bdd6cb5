"""Opening a review: any review type by hand, a serious incident notification, and the
rapid review of a notification (linked to it, which moves the notification on)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Partnership, Review, SubjectKind, User
from sgreviews.models.review import LinkKind, StageTransition
from sgreviews.review_types import JURISDICTIONS, ReviewType
from sgreviews.services import audit
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    not_before,
    not_future,
    review_types,
    snapshot,
    type_of,
)
from sgreviews.services.reviews.links import link
from sgreviews.services.reviews.stages import advance_if_allowed

# The review types a notification and its rapid review are created as.
NOTIFICATION_TYPE = "serious_incident_notification"
RAPID_REVIEW_TYPE = "rapid_review"


def next_reference(partnership_id: int, rtype: ReviewType, year: int) -> str:
    """The next free reference such as ``LCSPR-2025-03`` within the partnership."""
    stem = f"{rtype.prefix}-{year}-"
    existing = db.session.scalars(
        select(Review.reference).where(
            Review.partnership_id == partnership_id, Review.reference.like(f"{stem}%")
        )
    ).all()
    numbers = [int(ref[len(stem) :]) for ref in existing if ref[len(stem) :].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:02d}"


def reference_taken(partnership_id: int, reference: str, except_id: int | None = None) -> bool:
    """Whether another review of the partnership already has this reference."""
    query = select(func.count()).where(
        Review.partnership_id == partnership_id, Review.reference == reference
    )
    if except_id is not None:
        query = query.where(Review.id != except_id)
    return bool(db.session.scalar(query))


def create_review(
    actor: User | None,
    *,
    review_type: str,
    partnership: Partnership,
    subject_label: str,
    subject_kind: SubjectKind,
    started_on: date,
    reference: str | None = None,
    aware_on: date | None = None,
    notified_on: date | None = None,
    decision_on: date | None = None,
    commissioned_on: date | None = None,
    looked_after_child: bool = False,
    variant: str | None = None,
    national_reference: str | None = None,
    jurisdiction: str | None = None,
    note: str = "",
) -> Review:
    rtype = review_types().get(review_type)
    if rtype is None:
        raise ReviewError("Choose a review type", "review_type")
    if not subject_label.strip():
        raise ReviewError("Enter the pseudonymised subject, such as Child Q", "subject_label")
    if variant and variant not in dict(rtype.variants):
        raise ReviewError(f"Choose a kind of {rtype.short_name}", "variant")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise ReviewError("Choose England, Wales, Scotland or Northern Ireland", "jurisdiction")
    reference = (reference or "").strip() or next_reference(partnership.id, rtype, started_on.year)
    if reference_taken(partnership.id, reference):
        raise ReviewError(
            f"{reference} is already used in {partnership.short_name}: choose another reference",
            "reference",
        )
    review = Review(
        reference=reference,
        review_type=review_type,
        partnership=partnership,
        subject_label=subject_label.strip(),
        subject_kind=subject_kind,
        stage=rtype.stages[0],
        started_on=started_on,
        aware_on=aware_on,
        notified_on=notified_on,
        decision_on=decision_on,
        commissioned_on=commissioned_on,
        looked_after_child=looked_after_child,
        variant=variant or None,
        national_reference=national_reference or None,
        jurisdiction=jurisdiction or None,
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(
        StageTransition(
            review=review,
            from_stage=None,
            to_stage=review.stage,
            moved_on=started_on,
            note=note or "Review created",
            actor_id=actor.id if actor else None,
        )
    )
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "create", None, snapshot(review))
    return review


def log_notification(
    actor: User | None,
    *,
    partnership: Partnership,
    subject_label: str,
    subject_kind: SubjectKind,
    aware_on: date,
    notified_on: date | None,
    looked_after_child: bool,
    national_reference: str | None = None,
    today: date | None = None,
) -> Review:
    """Log a serious incident notification; its 5-working-day clock starts from the date
    the local authority became aware."""
    today = today or london_today()
    not_future(aware_on, "aware_on", "The date the local authority became aware", today)
    not_future(notified_on, "notified_on", "The date notified", today)
    not_before(
        notified_on,
        aware_on,
        "notified_on",
        "The date notified must be on or after the date the local authority became aware",
    )
    return create_review(
        actor,
        review_type=NOTIFICATION_TYPE,
        partnership=partnership,
        subject_label=subject_label,
        subject_kind=subject_kind,
        started_on=aware_on,
        aware_on=aware_on,
        notified_on=notified_on,
        looked_after_child=looked_after_child,
        national_reference=national_reference,
        note="Serious incident notification logged",
    )


def start_rapid_review(
    actor: User | None, notification: Review, started_on: date, today: date | None = None
) -> Review:
    """Start the rapid review of a notification: its 15-working-day clock runs from the
    notification date, and the notification moves on."""
    today = today or london_today()
    if not type_of(notification).offers_rapid_review:
        raise ReviewError("Only a serious incident notification starts a rapid review")
    not_future(started_on, "started_on", "The start date", today)
    not_before(
        started_on,
        notification.aware_on,
        "started_on",
        "The rapid review cannot start before the local authority became aware",
    )
    rapid = create_review(
        actor,
        review_type=RAPID_REVIEW_TYPE,
        partnership=notification.partnership,
        subject_label=notification.subject_label,
        subject_kind=notification.subject_kind,
        started_on=started_on,
        aware_on=notification.aware_on,
        notified_on=notification.notified_on or notification.aware_on,
        looked_after_child=notification.looked_after_child,
        national_reference=notification.national_reference,
        note=f"Rapid review of {notification.reference}",
    )
    link(actor, notification, rapid, LinkKind.LED_TO)
    advance_if_allowed(actor, notification, "rapid_review_started", started_on)
    return rapid
