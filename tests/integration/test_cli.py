"""The sgreviews command: users and demo data."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, Review, Role, User
from sgreviews.services.demo import core as demo
from tests import factories


def test_users_create_makes_a_user_that_can_sign_in(app: Flask) -> None:
    with app.app_context():
        factories.agency(name="Testshire Police Service")
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=[
            "users", "create", "--email", "New.Lead@Test.Example", "--role", "agency_lead",
            "--agency", "testshire police service", "--name", "New Lead",
            "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created agency lead new.lead@test.example" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.lead@test.example"))
        assert user is not None and user.role is Role.AGENCY_LEAD
        assert user.agency is not None and user.agency.name == "Testshire Police Service"


def test_users_create_explains_bad_arguments(app: Flask) -> None:
    runner = app.test_cli_runner()
    unknown_role = runner.invoke(
        args=["users", "create", "--email", "x@test.example", "--role", "king", "--password", "p"]
    )
    assert unknown_role.exit_code == 2
    assert "'king' is not one of" in unknown_role.output

    unknown_agency = runner.invoke(
        args=[
            "users", "create", "--email", "x@test.example", "--role", "agency_lead",
            "--agency", "Nowhere Agency", "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert unknown_agency.exit_code == 2
    assert "no agency is called 'Nowhere Agency'" in unknown_agency.output

    no_agency = runner.invoke(
        args=[
            "users", "create", "--email", "x@test.example", "--role", "practitioner",
            "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert no_agency.exit_code == 1
    assert "must belong to an agency" in no_agency.output

    short = runner.invoke(
        args=["users", "create", "--email", "y@test.example", "--role", "chair", "--password", "x"]
    )
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output


def test_demo_load_fills_an_empty_database_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already has data" in second.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) >= 12
        statuses = set(db.session.scalars(select(Action.status).distinct()))
        assert statuses == set(ActionStatus)
        actions = db.session.scalar(select(func.count()).select_from(Action)) or 0
        assert 70 <= actions <= 100
        emails = set(db.session.scalars(select(User.email)))
        assert {sign_in.email for sign_in in demo.SIGN_INS} <= emails
        roles = set(db.session.scalars(select(User.role).distinct()))
        assert roles == set(Role)


def test_demo_sign_ins_are_printed(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "sign-ins"])
    assert demo.DEMO_PASSWORD in result.output
    for sign_in in demo.SIGN_INS:
        assert sign_in.email in result.output
