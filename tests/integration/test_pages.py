from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import ActionStatus, Role
from sgreviews.web.access import public
from tests import factories
from tests.conftest import make_test_app, page_text


def test_unknown_url_gets_the_styled_404(app: Flask) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    text = page_text(response)
    assert "Page not found" in text
    assert "Safeguarding reviews" in text


def test_pages_carry_security_headers(app: Flask) -> None:
    response = app.test_client().get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_crown_or_govuk_branding(app: Flask) -> None:
    html = app.test_client().get("/sign-in").get_data(as_text=True)
    assert "govuk-header__logotype" not in html
    assert "GOV.UK" not in html
    assert "Safeguarding reviews" in html


def test_overview_counts_actions(app: Flask, client_for: Callable[..., FlaskClient]) -> None:
    with app.app_context():
        police = factories.agency(name="Testshire Police Force")
        factories.action(police, status=ActionStatus.IN_PROGRESS, due_date=date(2020, 1, 1))
        factories.action(police, status=ActionStatus.ASSURED, due_date=date(2020, 1, 1))
        db.session.commit()
    text = page_text(client_for(Role.CHAIR).get("/overview"))
    assert "2 actions across all reviews; 1 open actions are overdue" in text


def test_agency_lead_sees_only_own_agency_actions(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        own = factories.agency(name="Own Agency")
        other = factories.agency(name="Other Agency")
        factories.action(own, action_text="Own agency's action", due_date=london_today())
        factories.action(other, action_text="Other agency's action")
        factories.action(
            own,
            action_text="Overdue and extended",
            due_date=london_today() - timedelta(days=3),
            original_due_date=london_today() - timedelta(days=40),
        )
        db.session.commit()
    text = page_text(client_for(Role.AGENCY_LEAD, own).get("/agency/actions"))
    assert "Own agency's action" in text
    assert "Other agency's action" not in text
    assert "Overdue" in text
    assert "Extended from" in text


def test_unexpected_error_gets_the_styled_500(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path)

    @app.route("/explode")
    @public
    def explode() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/explode")
    assert response.status_code == 500
    text = page_text(response)
    assert "Sorry, there is a problem with the service" in text
    assert "boom" not in text


def test_wrong_method_gets_the_styled_405(app: Flask) -> None:
    response = app.test_client().get("/sign-out")
    assert response.status_code == 405
    assert "That is not allowed on this page" in page_text(response)


def test_demo_data_contains_overdue_and_extended_actions(ctx: None) -> None:
    from sqlalchemy import func, select

    from sgreviews.models import Action
    from sgreviews.services.demo import core as demo
    from sgreviews.settings import PROJECT_ROOT

    demo.load_demo(PROJECT_ROOT / "config")
    open_statuses = [status for status in ActionStatus if status.is_open]
    overdue = db.session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.status.in_(open_statuses), Action.due_date < london_today())
    )
    extended = db.session.scalar(
        select(func.count()).select_from(Action).where(Action.due_date != Action.original_due_date)
    )
    assert overdue and overdue > 0
    assert extended and extended > 0
