"""Publishing a review: the publication (anonymised, after the final report reached the
Panel) and, for a DHR, the Home Office Quality Assurance Panel's dates and letter."""

from __future__ import annotations

from datetime import date

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.services import audit
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    check_version,
    not_before,
    not_future,
    snapshot,
    type_of,
)
from sgreviews.services.reviews.stages import advance_if_allowed


def record_publication(
    actor: User | None,
    review: Review,
    *,
    published_on: date | None,
    publication_url: str,
    anonymised_confirmed: bool,
    final_report_sent_on: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    today = today or london_today()
    check_version(review, expected_version)
    if published_on is None:
        raise ReviewError("Enter the date the report was published", "published_on")
    not_future(published_on, "published_on", "The publication date", today)
    not_before(
        published_on,
        review.started_on,
        "published_on",
        "The publication date must be on or after the review started",
    )
    url = publication_url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ReviewError("Enter the link as a web address starting https://", "publication_url")
    if not anonymised_confirmed:
        raise ReviewError("Confirm that the published report is anonymised", "anonymised_confirmed")
    not_before(
        published_on,
        final_report_sent_on,
        "published_on",
        "The publication date must be after the final report was sent to the Panel",
    )
    before = snapshot(review)
    review.published_on = published_on
    review.publication_url = url or None
    review.anonymised_confirmed = True
    review.final_report_sent_on = final_report_sent_on
    if review.completed_on is None:
        review.completed_on = published_on
    advance_if_allowed(actor, review, "published", published_on, audit_it=False)
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "publication", before, snapshot(review))
    return review


def record_home_office_qa(
    actor: User | None,
    review: Review,
    *,
    submitted_on: date | None,
    letter_on: date | None,
    outcome: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    """Home Office Quality Assurance Panel dates, for a type that offers them (a DHR)."""
    today = today or london_today()
    if not type_of(review).offers_home_office_qa:
        raise ReviewError(
            f"A {type_of(review).short_name} does not go to the Home Office Quality Assurance Panel"
        )
    check_version(review, expected_version)
    if submitted_on is None:
        raise ReviewError("Enter the date the report went to the Home Office", "submitted_on")
    not_future(submitted_on, "submitted_on", "The submission date", today)
    not_future(letter_on, "letter_on", "The date of the letter", today)
    not_before(
        letter_on, submitted_on, "letter_on", "The letter must be on or after the submission"
    )
    before = snapshot(review)
    review.home_office_submitted_on = submitted_on
    review.home_office_letter_on = letter_on
    review.home_office_outcome = outcome.strip() or None
    if review.completed_on is None:
        review.completed_on = submitted_on
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "home_office_qa", before, snapshot(review))
    return review
