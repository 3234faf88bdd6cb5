"""Recommendations with a level and an addressee (issue 22, item 7): recorded on the finding
form, checked beside each field, shown on the findings page, audited, and national ones
tracked to a response in the secretariat's and chair's work queues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Addressee, AuditEvent, Finding, RecommendationLevel, Role
from tests import factories
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]
BODY = "Department for Education"


@dataclass(frozen=True)
class World:
    review_id: int
    agency_id: int
    reference: str


@pytest.fixture
def world(app: Flask, transaction: object) -> World:
    with app.app_context():
        agency = factories.agency(name="Testshire Children's Services")
        review = factories.review(reference="LCSPR-2025-71", subject_label="Child Q")
        db.session.commit()
        return World(review.id, agency.id, review.reference)


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _form(**fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"kind": "recommendation", "text": "Every strategy meeting hears the child.", **fields}


def _findings(app: Flask, review_id: int) -> list[Finding]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Finding).where(Finding.review_id == review_id).order_by(Finding.position)
            )
        )


def test_a_national_recommendation_is_recorded_shown_and_audited(
    app: Flask, client_for: Clients, world: World
) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        f"/reviews/{world.review_id}/findings/new",
        data=_form(level="national", addressed_to="national_body", addressee_body=BODY),
    )
    assert response.status_code == 302
    (finding,) = _findings(app, world.review_id)
    assert finding.level is RecommendationLevel.NATIONAL
    assert finding.addressed_to is Addressee.NATIONAL_BODY
    assert finding.addressee_body == BODY
    assert finding.response_on is None

    text = page_text(client.get(f"/reviews/{world.review_id}/findings"))
    assert f"National recommendation, addressed to {BODY}." in text
    assert "Awaiting the national response" in text
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "finding", AuditEvent.entity_id == finding.id
            )
        ).one()
        assert event.after is not None
        assert event.after["level"] == "national"
        assert event.after["addressee_body"] == BODY


def test_an_agency_addressee_is_named_and_a_local_one_has_no_response(
    app: Flask, client_for: Clients, world: World
) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        f"/reviews/{world.review_id}/findings/new",
        data=_form(level="local", addressed_to="agency", addressee_agency=str(world.agency_id)),
    )
    assert response.status_code == 302
    text = page_text(client.get(f"/reviews/{world.review_id}/findings"))
    assert "Local recommendation, addressed to Testshire Children's Services." in text
    assert "Awaiting the national response" not in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose whether the recommendation is local, regional or national"),
        ({"level": "regional"}, "Choose whom the recommendation is addressed to"),
        ({"level": "local", "addressed_to": "agency"}, "Choose the agency it is addressed to"),
        (
            {"level": "national", "addressed_to": "national_body"},
            "Enter the national body it is addressed to",
        ),
        (
            {
                "level": "local",
                "addressed_to": "partnership",
                "response_on": ["1", "3", "2026"],
            },
            "Only a national recommendation is tracked to a response",
        ),
        (
            {"level": "national", "addressed_to": "national_body", "addressee_body": BODY}
            | {"response_on": _parts(london_today() + timedelta(days=1))},
            "The date of the response must be today or earlier",
        ),
        (
            {
                "level": "national",
                "addressed_to": "national_body",
                "addressee_body": BODY,
                "response": "Accepted in part.",
            },
            "Enter the date the response came",
        ),
    ],
)
def test_bad_recommendation_details_are_refused_beside_the_field(
    app: Flask, client_for: Clients, world: World, fields: dict[str, str | list[str]], message: str
) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(f"/reviews/{world.review_id}/findings/new", data=_form(**fields))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert message in page_text(response)
    # The text typed is kept in the form; nothing is saved.
    assert "Every strategy meeting hears the child." in html
    assert _findings(app, world.review_id) == []


def test_other_kinds_of_finding_keep_no_recommendation_details(
    app: Flask, client_for: Clients, world: World
) -> None:
    client = client_for(Role.SECRETARIAT)
    client.post(
        f"/reviews/{world.review_id}/findings/new",
        data=_form(level="national", addressed_to="national_body", addressee_body=BODY),
    )
    (finding,) = _findings(app, world.review_id)
    response = client.post(
        f"/reviews/{world.review_id}/findings/{finding.id}/edit",
        data={
            "kind": "learning_point",
            "text": "Every strategy meeting hears the child.",
            "level": "national",
            "addressed_to": "national_body",
            "addressee_body": BODY,
            "version": str(finding.version),
        },
    )
    assert response.status_code == 302
    (finding,) = _findings(app, world.review_id)
    assert (finding.level, finding.addressed_to, finding.addressee_body) == (None, None, None)


def test_national_recommendations_wait_in_the_queues_until_the_response(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    chair = client_for(Role.CHAIR)
    secretariat.post(
        f"/reviews/{world.review_id}/findings/new",
        data=_form(level="national", addressed_to="national_body", addressee_body=BODY),
    )
    (finding,) = _findings(app, world.review_id)
    edit = f"/reviews/{world.review_id}/findings/{finding.id}/edit"

    html = secretariat.get("/work").get_data(as_text=True)
    assert "National recommendations awaiting a response" in html
    assert f'href="{edit}"' in html
    assert f"{world.reference} finding 1" in html
    chair_html = chair.get("/work").get_data(as_text=True)
    assert "National recommendations awaiting a response" in chair_html
    assert f'href="/reviews/{world.review_id}/findings"' in chair_html
    assert f'href="{edit}"' not in chair_html  # the chair does not edit findings

    today = london_today()
    response = secretariat.post(
        edit,
        data=_form(
            level="national",
            addressed_to="national_body",
            addressee_body=BODY,
            response="Accepted; the guidance will be revised.",
            version=str(finding.version),
            response_on=_parts(today),
        ),
    )
    assert response.status_code == 302
    text = page_text(secretariat.get(f"/reviews/{world.review_id}/findings"))
    assert "National response received on" in text
    assert "Accepted; the guidance will be revised." in text
    assert f'href="{edit}"' not in secretariat.get("/work").get_data(as_text=True)
    with app.app_context():
        updates = db.session.scalar(
            select(func.count()).where(
                AuditEvent.entity_type == "finding",
                AuditEvent.entity_id == finding.id,
                AuditEvent.event == "update",
            )
        )
        assert updates == 1


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.PRACTITIONER, Role.CHAIR])
def test_only_those_who_manage_findings_record_recommendations(
    app: Flask, client_for: Clients, world: World, role: Role
) -> None:
    agency = None
    if role.needs_agency:
        with app.app_context():
            agency = factories.agency()
            db.session.commit()
    client = client_for(role, agency)
    response = client.post(
        f"/reviews/{world.review_id}/findings/new",
        data=_form(level="national", addressed_to="national_body", addressee_body=BODY),
    )
    assert response.status_code == 403
    assert _findings(app, world.review_id) == []
