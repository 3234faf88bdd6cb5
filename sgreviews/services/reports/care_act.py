"""The yearly report's findings not implemented for the review types whose law asks the
report to explain them (``ReviewType.reports_findings_not_implemented``: the Care Act 2014,
Schedule 2 paragraph 4, for Safeguarding Adults Reviews): the actions answering their
findings that were closed without being implemented in the year, with the reasons. Shown
for a partnership that runs such reviews (its kind is the type's owning body), for "all
partnerships", or wherever such an action was closed; the general "Findings not
implemented" section stays as it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Finding, Partnership, Review
from sgreviews.models.action import action_finding
from sgreviews.review_types import REGIMES, ReviewType
from sgreviews.services.history.actions_as_at import ActionAsAt
from sgreviews.services.reports.parts import Part, Words, first_upper


def _reviews_of(ids: list[int], keys: list[str]) -> dict[int, list[str]]:
    """The references of the reviews of types ``keys`` whose findings each action answers.
    One query."""
    found: dict[int, list[str]] = {}
    if not ids or not keys:
        return found
    for action_id, reference in db.session.execute(
        select(action_finding.c.action_id, Review.reference)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(action_finding.c.action_id.in_(ids), Review.review_type.in_(keys))
        .distinct()
        .order_by(Review.reference)
    ).all():
        found.setdefault(action_id, []).append(reference)
    return found


def statutory_not_implemented(
    states: Sequence[ActionAsAt],
    review_types: Mapping[str, ReviewType],
    partnership: Partnership | None,
    words: Words,
) -> Part | None:
    """None when no type has the duty, or the partnership runs no such reviews and closed
    none of their actions."""
    duty = [t for t in review_types.values() if t.reports_findings_not_implemented]
    if not duty:
        return None
    closed = [state for state in states if state.closed_in_period]
    reviews = _reviews_of([state.action.id for state in closed], [t.key for t in duty])
    closed = [state for state in closed if state.action.id in reviews]
    runs = partnership is None or partnership.kind.value in {t.owning_body for t in duty}
    if not closed and not runs:
        return None
    counts = words.counts
    names = words.join(sorted({t.name for t in duty}))
    regimes = "; ".join(sorted({REGIMES[t.regime] for t in duty}))
    title = f"{names} findings not implemented ({regimes})"
    plural = words.join(sorted({words.type_name(t.key)[1] for t in duty}))
    if not closed:
        return Part(
            title,
            [
                f"No action answering a finding of the {plural} was closed without being "
                "implemented in the year."
            ],
        )
    paragraphs = [
        f"{first_upper(counts.of(len(closed), 'action'))} answering findings of the {plural} "
        f"{counts.were(len(closed))} closed without being implemented in the year. The law "
        "asks the board to say why a finding is not implemented: the reasons recorded are "
        "below."
    ]
    if counts.public:
        return Part(
            title,
            paragraphs,
            ["Action", "Reason"],
            [
                (state.action.action_text, state.closing_note or "No reason recorded")
                for state in closed
            ],
        )
    return Part(
        title,
        paragraphs,
        ["Review", "Ref", "Action", "Reason"],
        [
            (
                ", ".join(reviews[state.action.id]),
                state.action.reference,
                state.action.action_text,
                state.closing_note or "No reason recorded",
            )
            for state in closed
        ],
    )
