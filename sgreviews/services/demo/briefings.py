"""Demo briefings: two published (one from a review, one One Minute Guide) and a draft,
with some reads and team uses so the reach pages have something to show. Fictional."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Agency, BriefingKind, Partnership, Review, Role, User
from sgreviews.services.briefings import reach as briefing_reach
from sgreviews.services.briefings import workflow as briefing_workflow


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def load_demo_briefings(today: date) -> None:
    author = _user("secretariat@sgreviews.example")
    reviews = {r.reference: r for r in db.session.scalars(select(Review))}
    nscp = db.session.scalar(select(Partnership).where(Partnership.short_name == "NSCP"))
    assert nscp is not None

    first = briefing_workflow.create_from_review(
        actor=author,
        review=reviews["LCSPR-2024-01"],
        kind=BriefingKind.SEVEN_MINUTE,
        review_by=today + timedelta(days=300),
    )
    version = first.latest
    version.title = "Child B: test what you are told against the history"
    version.sections = {
        **version.sections,
        "why_it_matters": "Accounts given at face value hid what was happening at home. "
        "Testing them against what other agencies knew would have shown the risk sooner.",
        "key_point_3": "The child was seen alone at school and spoke freely: when children "
        "are seen alone and listened to, they tell us what is happening.",
        "what_to_do": "- Ask *what else might be happening?* in every strategy discussion.\n"
        "- See and assess every adult living in a baby's home, fathers included.\n"
        "- Record the child's own words.",
        "reflective_questions": "- When did your team last test an account against the "
        "chronology?\n- Who lives in the homes of the babies you work with?",
    }
    briefing_workflow.submit_for_review(first, actor=author)
    briefing_workflow.publish(first, actor=author)
    version.published_at = utcnow() - timedelta(days=40)

    guide = briefing_workflow.create_briefing(
        actor=author,
        partnership=nscp,
        kind=BriefingKind.ONE_MINUTE_GUIDE,
        title="Was not brought: missed health appointments",
        review_by=today + timedelta(days=20),
        sections={
            "what_it_is": "A child who misses a health appointment *was not brought*: "
            "children depend on adults to take them.",
            "why_it_matters": "Repeated missed appointments can be a sign of neglect.",
            "what_to_do": "- Record 'was not brought', not 'did not attend'.\n"
            "- Follow up after two missed appointments.\n- Share the concern with the GP.",
            "find_out_more": "See the partnership's neglect procedures.",
        },
    )
    guide.reviews.append(reviews["SILP-2025-01"])
    guide.findings.extend(reviews["SILP-2025-01"].findings[:1])
    guide.themes.extend(reviews["SILP-2025-01"].findings[0].themes)
    briefing_workflow.submit_for_review(guide, actor=author)
    briefing_workflow.publish(guide, actor=author)

    briefing_workflow.create_from_review(
        actor=author,
        review=reviews["DHR-2025-01"],
        kind=BriefingKind.SEVEN_MINUTE,
        review_by=today + timedelta(days=365),
    )

    # Reach: a practitioner read the first briefing; two teams used it.
    practitioner = _user("practitioner@sgreviews.example")
    briefing_reach.record_read(
        first, reader=practitioner, reflection="I will ask who else lives in the home."
    )
    for email, team, staff in (
        ("csc.lead@sgreviews.example", "Northshire assessment team east", 14),
        ("police.lead@sgreviews.example", "Public protection unit", 9),
    ):
        lead = _user(email)
        agency = db.session.get(Agency, lead.agency_id)
        assert agency is not None and lead.role is Role.AGENCY_LEAD
        briefing_reach.record_team_use(
            first,
            actor=lead,
            used_on=today - timedelta(days=10),
            team=team,
            agency=agency,
            staff_count=staff,
            notes="Discussed at the team meeting; reflective questions used.",
        )
    db.session.flush()
