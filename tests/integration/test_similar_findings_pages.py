"""The similar earlier findings pages (issue 23): who may reach them, the check button on
the finding form, the redirect after saving, and confirming or dismissing a link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import FindingLink, LinkDecision, Role
from tests import factories
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]

EARLIER = (
    "Practitioners accepted the teenager's account at face value and did not test it "
    "against her history of going missing."
)
REWORDED = (
    "Professionals took the young person's account at face value; nobody tested what she "
    "said against her history of missing episodes."
)


@dataclass(frozen=True)
class World:
    review_id: int
    finding_id: int
    earlier_id: int


@pytest.fixture
def world(app: Flask, transaction: object) -> World:
    with app.app_context():
        partnership = factories.partnership()
        old = factories.review(partnership, reference="SCR-2019-07", started_on=date(2019, 6, 1))
        earlier = factories.finding(old, text=EARLIER)
        factories.finding(old, text="Budget papers were circulated late.", position=2)
        current = factories.review(partnership, reference="LCSPR-2025-07")
        finding = factories.finding(current, text=REWORDED)
        db.session.commit()
        return World(current.id, finding.id, earlier.id)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SECRETARIAT, 200),
        (Role.CHAIR, 200),
        (Role.AGENCY_LEAD, 403),
        (Role.PRACTITIONER, 403),
        (Role.ADMINISTRATOR, 403),
    ],
)
def test_who_reaches_the_similar_findings_page(
    role: Role, status: int, client_for: Clients, world: World
) -> None:
    path = f"/reviews/{world.review_id}/findings/{world.finding_id}/similar"
    client = client_for(role)
    assert client.get(path).status_code == status
    posted = client.post(path, data={"earlier": world.earlier_id, "decision": "dismissed"})
    assert posted.status_code == (302 if status == 200 else status)


def test_a_visitor_is_sent_to_sign_in(app: Flask, world: World) -> None:
    path = f"/reviews/{world.review_id}/findings/{world.finding_id}/similar"
    response = app.test_client().get(path)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_page_lists_the_twin_with_review_year_and_fates(
    client_for: Clients, world: World
) -> None:
    text = page_text(
        client_for(Role.SECRETARIAT).get(
            f"/reviews/{world.review_id}/findings/{world.finding_id}/similar"
        )
    )
    assert "SCR-2019-07 finding 1" in text
    assert "business year 2019/20" in text
    assert "Budget papers" not in text
    assert "No actions" in text


def test_check_shows_similar_findings_without_saving(client_for: Clients, world: World) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    response = secretariat.post(
        f"/reviews/{world.review_id}/findings/new",
        data={"kind": "learning_point", "text": REWORDED, "check": "1"},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Similar earlier findings" in text and "SCR-2019-07 finding 1" in text
    listing = page_text(secretariat.get(f"/reviews/{world.review_id}/findings"))
    assert listing.count("nobody tested what she said") == 1  # nothing new saved


def test_saving_a_finding_with_a_twin_leads_to_its_similar_findings(
    client_for: Clients, world: World
) -> None:
    response = client_for(Role.SECRETARIAT).post(
        f"/reviews/{world.review_id}/findings/new",
        data={"kind": "learning_point", "text": REWORDED + " Again."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/similar")


def test_saving_an_unrelated_finding_returns_to_the_list(client_for: Clients, world: World) -> None:
    response = client_for(Role.SECRETARIAT).post(
        f"/reviews/{world.review_id}/findings/new",
        data={"kind": "learning_point", "text": "The chronology template lacked page numbers."},
    )
    assert response.status_code == 302
    assert "/similar" not in response.headers["Location"]


def test_confirming_keeps_the_link_and_shows_it_decided(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    path = f"/reviews/{world.review_id}/findings/{world.finding_id}/similar"
    response = secretariat.post(
        path,
        data={"earlier": str(world.earlier_id), "decision": "confirmed", "score": "0.41"},
        follow_redirects=True,
    )
    text = page_text(response)
    assert "repeats learning from SCR-2019-07 finding 1" in text
    assert "Confirmed" in text and "No earlier finding is similar enough" in text
    with app.app_context():
        link = db.session.scalars(select(FindingLink)).one()
        assert (link.finding_id, link.earlier_finding_id) == (world.finding_id, world.earlier_id)
        assert link.decision is LinkDecision.CONFIRMED and link.score == pytest.approx(0.41)


def test_a_bad_decision_changes_nothing(app: Flask, client_for: Clients, world: World) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    path = f"/reviews/{world.review_id}/findings/{world.finding_id}/similar"
    secretariat.post(path, data={"earlier": str(world.earlier_id), "decision": "maybe"})
    secretariat.post(path, data={"earlier": str(world.finding_id), "decision": "confirmed"})
    secretariat.post(path, data={"earlier": "x", "decision": "confirmed"})
    with app.app_context():
        assert db.session.scalars(select(FindingLink)).all() == []


def test_the_action_form_checks_quality_without_saving(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    response = secretariat.post(
        f"/reviews/{world.review_id}/actions/new",
        data={
            "outcome_sought": "Add a prompt to strategy discussion records",
            "action_text": "Add a prompt to strategy-discussion records",
            "measure_of_success": "Practice improves",
            "check": "1",
        },
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing is saved yet" in text
    for hint in ("nothing measurable", "no due date", "No lead is named", "restates the action"):
        assert hint in text
    with app.app_context():
        from sgreviews.models import Action

        assert db.session.scalars(select(Action)).all() == []


def test_the_action_page_shows_hints_to_the_secretariat(
    app: Flask, client_for: Clients, world: World
) -> None:
    with app.app_context():
        from sgreviews.models import Finding

        finding = db.session.get(Finding, world.finding_id)
        action = factories.action(finding_=finding, measure_of_success="Practice improves")
        action_id = action.id
        db.session.commit()
    text = page_text(client_for(Role.SECRETARIAT).get(f"/actions/{action_id}"))
    assert "nothing measurable" in text
    assert "nothing measurable" not in page_text(
        client_for(Role.CHAIR).get(f"/actions/{action_id}")
    )


def test_the_dashboard_shows_recurrence_national_themes_and_hints(
    client_for: Clients, world: World
) -> None:
    chair = client_for(Role.CHAIR)
    secretariat = client_for(Role.SECRETARIAT)
    secretariat.post(
        f"/reviews/{world.review_id}/findings/{world.finding_id}/similar",
        data={"earlier": str(world.earlier_id), "decision": "confirmed"},
    )
    text = page_text(chair.get("/dashboard?year=2025"))
    assert "Learning that recurs" in text
    assert "LCSPR-2025-07 finding 1" in text and "SCR-2019-07 finding 1" in text
    assert "Findings of reviews started in 2025/26, by the national analyses' themes" in text
    assert "Open actions with a quality hint" in text
    csv = chair.get("/dashboard/export/national-themes.csv?year=2025")
    assert csv.status_code == 200
    assert csv.get_data(as_text=True).startswith("\ufeffNational list,National theme,Findings")
    links = chair.get("/dashboard/export/recurring-links.csv?year=2025").get_data(as_text=True)
    assert "SCR-2019-07 finding 1" in links
    report = page_text(chair.get("/dashboard/yearly-report?year=2025"))
    assert "Learning that recurred" in report
    assert "LCSPR-2025-07 finding 1 repeats SCR-2019-07 finding 1 (2019/20)" in report
