"""Builders for briefing tests (kept apart from the shared factories)."""

from __future__ import annotations

from datetime import date

from sgreviews.extensions import db
from sgreviews.models import Briefing, BriefingKind, Partnership, User
from sgreviews.services.briefings import workflow as briefing_workflow
from tests import factories

TYPICAL_SECTIONS = {
    "background": "A review of the care of Child Q found that agencies worked alone. "
    "Each agency held a piece of the picture, and no one put the pieces together.",
    "why_it_matters": "Children are safer when practitioners test what they are told "
    "against the history held by other agencies.",
    "key_point_1": "Practitioners accepted an account at face value and did not test it "
    "against the history.",
    "key_point_2": "The father was never seen or assessed though he lived in the home.",
    "key_point_3": "Health assessments left out involvement of mental health services.",
    "things_to_note": "The child was seen alone at school and spoke freely; the designated "
    "safeguarding lead recorded her words.",
    "what_to_do": "- Ask what else might be happening.\n- See every adult in the home.\n"
    "- Share what you know with the lead practitioner.",
    "reflective_questions": "How does your team test accounts against history?",
}


def published_briefing(
    actor: User | None = None,
    partnership: Partnership | None = None,
    *,
    title: str = "Testing accounts against history",
    sections: dict[str, str] | None = None,
    kind: BriefingKind = BriefingKind.SEVEN_MINUTE,
) -> Briefing:
    from sgreviews.models import Role

    actor = actor or factories.user(Role.SECRETARIAT)
    briefing = briefing_workflow.create_briefing(
        actor=actor,
        partnership=partnership or factories.partnership(),
        kind=kind,
        title=title,
        review_by=date(2030, 1, 1),
        sections=sections if sections is not None else TYPICAL_SECTIONS,
    )
    briefing_workflow.submit_for_review(briefing, actor=actor)
    briefing_workflow.publish(briefing, actor=actor)
    db.session.flush()
    return briefing


def draft_briefing(actor: User | None = None, **overrides: object) -> Briefing:
    from sgreviews.models import Role

    actor = actor or factories.user(Role.SECRETARIAT)
    return briefing_workflow.create_briefing(
        actor=actor,
        partnership=factories.partnership(),
        kind=BriefingKind.SEVEN_MINUTE,
        title=str(overrides.get("title", "A draft briefing")),
        review_by=date(2030, 1, 1),
        sections=TYPICAL_SECTIONS,
    )
