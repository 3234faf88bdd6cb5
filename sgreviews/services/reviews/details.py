"""A review's details: its reference and key facts, and the agencies involved in it (which
decide the agency leads who may read it)."""

from __future__ import annotations

from datetime import date

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Agency, Review, User
from sgreviews.review_types import JURISDICTIONS
from sgreviews.services import audit
from sgreviews.services.reviews.creation import reference_taken
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    check_version,
    not_before,
    not_future,
    snapshot,
    type_of,
)


def update_details(
    actor: User | None,
    review: Review,
    *,
    reference: str,
    subject_label: str,
    national_reference: str,
    jurisdiction: str,
    variant: str,
    aware_on: date | None,
    notified_on: date | None,
    completed_on: date | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    """Edit the reference and key facts of a review."""
    today = today or london_today()
    check_version(review, expected_version)
    reference = reference.strip()
    if not reference:
        raise ReviewError("Enter a reference", "reference")
    if reference_taken(review.partnership_id, reference, review.id):
        raise ReviewError(
            f"{reference} is already used in this partnership: choose another reference",
            "reference",
        )
    if not subject_label.strip():
        raise ReviewError("Enter the pseudonymised subject, such as Child Q", "subject_label")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise ReviewError("Choose England, Wales, Scotland or Northern Ireland", "jurisdiction")
    rtype = type_of(review)
    if variant and variant not in dict(rtype.variants):
        raise ReviewError(f"Choose a kind of {rtype.short_name}", "variant")
    not_future(aware_on, "aware_on", "The date the local authority became aware", today)
    not_future(notified_on, "notified_on", "The date notified", today)
    not_before(
        notified_on,
        aware_on,
        "notified_on",
        "The date notified must be on or after the date the local authority became aware",
    )
    not_future(completed_on, "completed_on", "The completion date", today)
    before = snapshot(review)
    review.reference = reference
    review.subject_label = subject_label.strip()
    review.national_reference = national_reference.strip() or None
    review.jurisdiction = jurisdiction or None
    review.variant = variant or None
    review.aware_on = aware_on
    review.notified_on = notified_on
    review.completed_on = completed_on
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "update", before, snapshot(review))
    return review


def set_agencies_involved(
    actor: User | None,
    review: Review,
    agencies: list[Agency],
    expected_version: int | None = None,
) -> Review:
    """The agencies involved decide which agency leads may read the review."""
    check_version(review, expected_version)
    before = {"agencies_involved": sorted(agency.name for agency in review.agencies_involved)}
    review.agencies_involved = sorted(agencies, key=lambda agency: agency.name)
    db.session.flush()
    after = {"agencies_involved": sorted(agency.name for agency in agencies)}
    audit.record(actor, "review", review.id, "agencies_involved", before, after)
    return review
