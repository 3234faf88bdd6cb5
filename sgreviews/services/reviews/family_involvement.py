"""The family involvement log: who in the family was invited to contribute, their consent,
how they prefer to be contacted and how their views were used."""

from __future__ import annotations

from datetime import date

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.models.review import Consent, FamilyInvolvement
from sgreviews.services import audit
from sgreviews.services.reviews.lifecycle import ReviewError, not_future


def add_family_involvement(
    actor: User | None,
    review: Review,
    *,
    person: str,
    invited_on: date | None,
    consent: Consent,
    contact_preferences: str,
    views_used: str,
    today: date | None = None,
) -> FamilyInvolvement:
    today = today or london_today()
    if not person.strip():
        raise ReviewError(
            "Enter who was invited, pseudonymised, such as Mother of Child Q", "person"
        )
    not_future(invited_on, "invited_on", "The date invited", today)
    entry = FamilyInvolvement(
        review=review,
        person=person.strip(),
        invited_on=invited_on,
        consent=consent,
        contact_preferences=contact_preferences.strip(),
        views_used=views_used.strip(),
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(entry)
    db.session.flush()
    # The audit trail keeps that an entry was made, not its sensitive content.
    audit.record(
        actor,
        "review",
        review.id,
        "family_involvement",
        None,
        {"entry_id": entry.id, "consent": consent, "invited_on": invited_on},
    )
    return entry
