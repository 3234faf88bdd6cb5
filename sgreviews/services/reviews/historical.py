"""A review marked as a historical record (issue 18): a record of what already happened,
entered after the fact, so no reminder or escalation fires for its statutory deadlines
(``services/reminders/sources.py`` leaves historical reviews' clocks out). The register
import marks the reviews it creates (``register_import``); the secretariat marks or
unmarks one on its page. Either way the change is audited."""

from __future__ import annotations

from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.services import audit
from sgreviews.services.reviews.lifecycle import check_version


def set_historical(
    actor: User | None, review: Review, *, historical: bool, expected_version: int | None = None
) -> Review:
    """Mark (or unmark) the review as a historical record; a no-op when it already is."""
    check_version(review, expected_version)
    if review.historical == historical:
        return review
    review.historical = historical
    db.session.flush()
    audit.record(
        actor,
        "review",
        review.id,
        "historical_marked" if historical else "historical_unmarked",
        {"historical": not historical},
        {"historical": historical},
    )
    return review
