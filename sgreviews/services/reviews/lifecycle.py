"""What every step of the review lifecycle shares: the configured review types, the error
a step raises, the audited snapshot of a review and the checks on dates and versions.

The steps themselves, from notification to publication, each in the module named after it:

- ``creation``: a new review, a serious incident notification, a rapid review of one;
- ``decisions``: the decision (and the national Panel's reply), the review it commissions,
  and the commissioning details;
- ``stages``: moves between the stages the review type allows;
- ``holds``: pausing the clocks for proceedings, and releasing them;
- ``publishing``: publication and the Home Office Quality Assurance Panel;
- ``details``: the reference, key facts and the agencies involved;
- ``links``, ``monitoring``, ``family_involvement``: links between reviews, the log of
  monitoring checks, and the family involvement log;
- ``deadlines``: the statutory deadlines recomputed from the clocks after every change.

Every step validates its input (raising :class:`ReviewError` naming the field), writes,
recomputes the review's deadlines, records the change in the audit trail with the values
before and after, and flushes. The caller commits once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

from sgreviews.models import Review
from sgreviews.review_types import ReviewType

# The review's own fields written to the audit trail.
AUDITED_FIELDS = (
    "reference",
    "review_type",
    "subject_label",
    "subject_kind",
    "stage",
    "partnership_id",
    "aware_on",
    "notified_on",
    "started_on",
    "decision_on",
    "commissioned_on",
    "sent_to_panel_on",
    "completed_on",
    "published_on",
    "national_reference",
    "jurisdiction",
    "looked_after_child",
    "variant",
    "reviewer_name",
    "methodology",
    "cost_pence",
    "terms_of_reference_on",
    "publication_url",
    "anonymised_confirmed",
    "final_report_sent_on",
    "home_office_submitted_on",
    "home_office_letter_on",
    "home_office_outcome",
)


class ReviewError(ValueError):
    """Input the lifecycle refuses; ``field`` names the form field to show it beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleReviewError(ReviewError):
    """Someone else changed the review since the form was loaded."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this review while you were editing it. Your changes have "
            "not been saved: check the review as it is now and make them again."
        )


def review_types() -> dict[str, ReviewType]:
    """The review types of ``config/review_types.toml``, by key, as the app loaded them."""
    types: dict[str, ReviewType] = current_app.extensions["sgreviews.review_types"]
    return types


def type_of(review: Review) -> ReviewType:
    """The configured type of a review: its stages, clocks, outcomes and variants."""
    return review_types()[review.review_type]


def snapshot(review: Review) -> dict[str, Any]:
    """The review's audited fields, for the audit trail's values before and after."""
    return {name: getattr(review, name) for name in AUDITED_FIELDS}


def check_version(review: Review, expected_version: int | None) -> None:
    """Refuse a save from a form opened at an older version of the review."""
    if expected_version is not None and expected_version != review.version:
        raise StaleReviewError()


def long_date(day: date) -> str:
    """A date as messages write it: 1 April 2025."""
    return f"{day.day} {day:%B %Y}"


def not_future(day: date | None, field: str, what: str, today: date) -> None:
    """Refuse a date after today; ``what`` names the date in the message."""
    if day is not None and day > today:
        raise ReviewError(f"{what} must be today or in the past", field)


def not_before(day: date | None, earlier: date | None, field: str, message: str) -> None:
    """Refuse a date before ``earlier`` (when both are known)."""
    if day is not None and earlier is not None and day < earlier:
        raise ReviewError(message, field)
