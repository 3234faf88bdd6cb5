"""A small fictional world for the API tests: two agencies, two reviews and their clocks,
three actions, and a token for a user of every role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import ApiScope, Role
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.accounts import api_tokens
from tests import factories


@dataclass
class ApiWorld:
    ids: dict[str, int] = field(default_factory=dict)
    # role name (and "lead_a", "lead_b", "lead_a_read") -> raw token
    tokens: dict[str, str] = field(default_factory=dict)

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_world(app: Flask) -> ApiWorld:
    """Agency A owns action A1 (review R1); agency B owns A2 (R1) and A3 (R2), so A's lead
    sees R1 and A1 only, and B's lead both reviews and A2, A3."""
    world = ApiWorld()
    with app.app_context():
        partnership = factories.partnership()
        agency_a = factories.agency(name="API test police")
        agency_b = factories.agency(name="API test health")
        review_1 = factories.review(partnership, reference="API-R1")
        review_2 = factories.review(partnership, reference="API-R2", review_type="sar")
        finding_1 = factories.finding(review_1)
        finding_2 = factories.finding(review_2)
        today = london_today()
        action_1 = factories.action(agency_a, finding_1, due_date=today - timedelta(days=3))
        action_2 = factories.action(agency_b, finding_1, due_date=today + timedelta(days=40))
        action_3 = factories.action(agency_b, finding_2, due_date=today + timedelta(days=90))
        clocks = []
        for review in (review_1, review_2):
            clock = ReviewDeadline(
                review=review,
                clock_key="completion",
                name="Complete the review",
                start_on=date(2025, 5, 1),
                due_on=date(2025, 11, 1),
                rule="6 months",
                calendar="ENG",
            )
            db.session.add(clock)
            clocks.append(clock)
        db.session.flush()
        people = {
            "secretariat": factories.user(Role.SECRETARIAT),
            "chair": factories.user(Role.CHAIR),
            "administrator": factories.user(Role.ADMINISTRATOR),
            "practitioner": factories.user(Role.PRACTITIONER, agency_a),
            "lead_a": factories.user(Role.AGENCY_LEAD, agency_a),
            "lead_b": factories.user(Role.AGENCY_LEAD, agency_b),
        }
        for who, user in people.items():
            _token, raw = api_tokens.create(
                user=user, name=f"{who} token", scope=ApiScope.READ_WRITE, days=30, max_days=365
            )
            world.tokens[who] = raw
        _token, raw = api_tokens.create(
            user=people["lead_a"], name="read", scope=ApiScope.READ, days=30, max_days=365
        )
        world.tokens["lead_a_read"] = raw
        world.ids.update(
            partnership=partnership.id,
            agency_a=agency_a.id,
            agency_b=agency_b.id,
            review_1=review_1.id,
            review_2=review_2.id,
            finding_1=finding_1.id,
            finding_2=finding_2.id,
            action_1=action_1.id,
            action_2=action_2.id,
            action_3=action_3.id,
            clock_1=clocks[0].id,
            clock_2=clocks[1].id,
            lead_a=people["lead_a"].id,
        )
        db.session.commit()
    return world
