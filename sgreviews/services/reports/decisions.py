"""The yearly report's "Decisions on reviews and their reasons" (Working Together 2023):
every decision whether to hold a review recorded in the year, by type and outcome,
including the decisions not to review (outcomes marked ``no_review`` in
config/review_types.toml) with the reasons recorded. The types are those whose outcome is
a decision (``outcome_is_decision``); an outcome that ends a review (an LCSPR's "Report
published") is not a decision on a review. The full version lists each decision with its
reasons and who signed it off; the public version gives the numbers only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.extensions import db
from sgreviews.models import Review
from sgreviews.models.review import DECISION_SIGN_OFF_ROLES, ReviewDecision
from sgreviews.review_types import ReviewType
from sgreviews.services.history.event_dates import decision_made_between_sql, decision_made_on
from sgreviews.services.reports.parts import Part, Words, first_upper

TITLE = "Decisions on reviews and their reasons"


def decision_types(review_types: Mapping[str, ReviewType]) -> list[str]:
    """The review types whose outcome is a decision whether to hold a review."""
    return [key for key, review_type in review_types.items() if review_type.outcome_is_decision]


def _signed_off(decision: ReviewDecision, review_type: ReviewType) -> str:
    if decision.signed_off_by_name:
        role = DECISION_SIGN_OFF_ROLES.get(decision.signed_off_by_role or "")
        return f"{decision.signed_off_by_name} ({role})" if role else decision.signed_off_by_name
    return "Not recorded" if review_type.decision_signed_off_by_partner else "Not required"


def decisions_on_reviews(
    start: date,
    as_at: date,
    scope: Sequence[ColumnElement[bool]],
    review_types: Mapping[str, ReviewType],
    words: Words,
    between: str,
) -> Part:
    """The decisions made from ``start`` to ``as_at`` (a decision dated later is not yet
    known then), oldest first. One query."""
    counts = words.counts
    rows = db.session.execute(
        select(ReviewDecision, Review.reference, Review.review_type)
        .join(Review, Review.id == ReviewDecision.review_id)
        .where(
            decision_made_between_sql(start, as_at),
            Review.review_type.in_(decision_types(review_types)),
            *scope,
        )
        .order_by(ReviewDecision.decided_on, Review.reference, ReviewDecision.id)
    ).all()
    if not rows:
        return Part(TITLE, [f"{between} the partnership recorded no decisions on reviews."])
    by_type = Counter(review_type for _decision, _reference, review_type in rows)
    by_outcome = Counter((review_type, decision.outcome) for decision, _ref, review_type in rows)
    on_types = "; ".join(
        f"{words.type_name(key)[1]}: {counts.number(count)}"
        for key, count in sorted(by_type.items(), key=lambda item: (-item[1], item[0]))
    )
    declined = [
        (review_types[key], outcome)
        for decision, _reference, key in rows
        if (outcome := review_types[key].outcome(decision.outcome)) is not None
        and outcome.no_review
    ]
    total = len(rows)
    decisions = counts.of(total, "decision")
    paragraphs = [
        f"{between} the partnership recorded {decisions} on whether to hold a review ({on_types})."
    ]
    if declined:
        labels = sorted({outcome.label[:1].lower() + outcome.label[1:] for _t, outcome in declined})
        paragraphs.append(
            f"{first_upper(counts.number(len(declined)))} "
            f"{'was a decision' if counts.were(len(declined)) == 'was' else 'were decisions'} "
            f"not to review ({'; '.join(labels)})."
            + (
                " The reasons for each decision are recorded in the full version of this report."
                if counts.public
                else " The reasons recorded for each decision are below."
            )
        )
    else:
        paragraphs.append("None was a decision not to review.")
    if counts.public:
        return Part(
            TITLE,
            paragraphs,
            ["Review type", "Decision", "Decisions"],
            [
                (words.type_label(key), _outcome_label(review_types[key], outcome), counts.cell(n))
                for (key, outcome), n in sorted(by_outcome.items())
            ],
        )
    return Part(
        TITLE,
        paragraphs,
        ["Reference", "Type", "Decided on", "Decision", "Reasons", "Signed off by"],
        [
            (
                reference,
                words.type_label(key),
                words.long(decision_made_on(decision)),
                _outcome_label(review_types[key], decision.outcome),
                decision.rationale or "No reasons recorded",
                _signed_off(decision, review_types[key]),
            )
            for decision, reference, key in rows
        ],
    )


def _outcome_label(review_type: ReviewType, key: str) -> str:
    outcome = review_type.outcome(key)
    return outcome.label if outcome else key
