"""The yearly report's "Feedback from children and families" (Working Together 2023), from
the family involvement log of the reviews active in the year: who was invited to
contribute in the year, their consent and whose views were used. Never who they are: the
full version gives numbers per review reference, the public version totals only.

As at the year's end: an entry counts from the day the person was invited (``invited_on``,
its one date). Consent and how the views were used have no date of their own: the log is
added to, never edited, so they are taken as recorded with the entry."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import Consent, FamilyInvolvement
from sgreviews.services.history.event_dates import family_invited_on_sql
from sgreviews.services.reports.parts import Part, Words

TITLE = "Feedback from children and families"


def family_feedback(
    start: date,
    as_at: date,
    reviews_of_year: ColumnElement[bool],
    words: Words,
    between: str,
) -> Part:
    """``reviews_of_year``: the report's reviews active in the year. One query."""
    counts = words.counts
    rows = db.session.execute(
        select(Review.reference, FamilyInvolvement.consent, FamilyInvolvement.views_used)
        .join(Review, Review.id == FamilyInvolvement.review_id)
        .where(reviews_of_year, family_invited_on_sql(start, as_at))
        .order_by(Review.reference, FamilyInvolvement.id)
    ).all()
    if not rows:
        return Part(
            TITLE,
            [
                f"{between} no child, adult or family member was recorded as invited to "
                "contribute to a review."
            ],
        )
    consent = Counter(row.consent for row in rows)
    used = sum(1 for row in rows if row.views_used.strip())
    reviews = len({row.reference for row in rows})
    states = words.join(
        [
            f"{counts.number(consent[state])} {phrase}"
            for state, phrase in (
                (Consent.GIVEN, "gave consent"),
                (Consent.WITHHELD, "withheld it"),
                (Consent.AWAITED, "had not yet replied"),
                (Consent.NOT_ASKED, "had not yet been asked"),
            )
            if consent[state]
        ]
    )
    invited = counts.of(
        len(rows), "child, adult or family member", "children, adults or family members"
    )
    paragraphs = [
        f"{between} {invited} "
        f"{counts.were(len(rows))} invited to contribute to "
        f"{counts.of(reviews, 'review')}: {states}.",
        f"The views of {counts.number(used) if used else 'none'} of them were used in the "
        f"{'review' if reviews == 1 and not counts.public else 'reviews'}.",
    ]
    order = (Consent.GIVEN, Consent.WITHHELD, Consent.AWAITED, Consent.NOT_ASKED)
    if counts.public:
        return Part(
            TITLE,
            paragraphs,
            ["Consent", "Children, adults and family members invited"],
            [(state.label, counts.cell(consent[state])) for state in order],
        )
    by_review: dict[str, Counter[Consent]] = {}
    used_in: Counter[str] = Counter()
    for row in rows:
        by_review.setdefault(row.reference, Counter())[row.consent] += 1
        used_in[row.reference] += bool(row.views_used.strip())
    return Part(
        TITLE,
        paragraphs,
        ["Review", "Invited", *(state.label for state in order), "Views used"],
        [
            (
                reference,
                str(sum(states.values())),
                *(str(states[state]) for state in order),
                str(used_in[reference]),
            )
            for reference, states in by_review.items()
        ],
    )
