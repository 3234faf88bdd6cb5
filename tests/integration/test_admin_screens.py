"""Administrators' screens: users, agencies and the audit trail."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Agency, AuditEvent, Role, Sector, User
from sgreviews.services import audit
from tests import factories
from tests.conftest import page_text, sign_in

OTHER_ROLES = [Role.SECRETARIAT, Role.CHAIR, Role.AGENCY_LEAD, Role.PRACTITIONER]


@pytest.fixture
def admin(client_for: Callable[..., FlaskClient]) -> FlaskClient:
    return client_for(Role.ADMINISTRATOR)


def _agency(app: Flask, **values: object) -> int:
    with app.app_context():
        agency = factories.agency(**values)
        db.session.commit()
        return agency.id


def _user(app: Flask, role: Role) -> int:
    with app.app_context():
        user = factories.user(role)
        db.session.commit()
        return user.id


def _events(app: Flask, entity_type: str, entity_id: int) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id)
        ).all()
        for item in events:
            db.session.expunge(item)
        return list(events)


def test_create_user_with_role_and_agency(app: Flask, admin: FlaskClient) -> None:
    agency_id = _agency(app)
    page = admin.get("/admin/users/new")
    assert "Add a user" in page_text(page)
    response = admin.post(
        "/admin/users/new",
        data={
            "display_name": "Avery Testperson",
            "email": "Avery.Testperson@test.example",
            "role": "agency_lead",
            "agency": str(agency_id),
            "password": "lantern meadow pickle",
        },
    )
    assert response.headers["Location"] == "/admin/users"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "avery.testperson@test.example"))
        assert user is not None and user.role == Role.AGENCY_LEAD and user.agency_id == agency_id
        user_id = user.id
    created, *invitation = _events(app, "user", user_id)
    # The invitation email (its link issued, then queued) is recorded too.
    assert [event.event for event in invitation] == ["invitation_issued", "invitation_emailed"]
    assert created.event == "create" and created.after is not None
    assert created.after["role"] == "agency_lead"
    assert sign_in(app.test_client(), "avery.testperson@test.example", "lantern meadow pickle")


def test_bad_new_user_gets_messages_beside_the_fields(admin: FlaskClient) -> None:
    response = admin.post(
        "/admin/users/new",
        data={
            "display_name": "",
            "email": "not-an-email",
            "role": "practitioner",
            "agency": "",
            "password": "Password2025!",
        },
    )
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert response.status_code == 200
    assert "Enter the person's full name" in text
    assert "Enter an email address like name@agency.example" in text
    assert "Select the agency of this practitioner" in text
    assert "Password is too easy to guess" in text
    assert 'href="#password"' in html
    # What was typed is kept (except the password).
    assert 'value="not-an-email"' in html


def test_edit_user_records_before_and_after(app: Flask, admin: FlaskClient) -> None:
    user_id = _user(app, Role.SECRETARIAT)
    page = admin.get(f"/admin/users/{user_id}")
    assert "Change user" in page_text(page)
    response = admin.post(
        f"/admin/users/{user_id}",
        data={"display_name": "Renamed Person", "role": "chair", "agency": ""},
    )
    assert response.status_code == 302
    [*_, updated] = _events(app, "user", user_id)
    assert updated.event == "update"
    assert updated.before is not None and updated.after is not None
    assert updated.before["role"] == "secretariat" and updated.after["role"] == "chair"
    assert updated.after["display_name"] == "Renamed Person"


def test_deactivate_and_reactivate(app: Flask, admin: FlaskClient) -> None:
    user_id = _user(app, Role.CHAIR)
    with app.app_context():
        email = db.session.get(User, user_id).email  # type: ignore[union-attr]
    admin.post(f"/admin/users/{user_id}/active", data={"active": "0"})
    assert "Enter a correct email address and password" in page_text(
        sign_in(app.test_client(), email)
    )
    assert "Deactivated" in page_text(admin.get(f"/admin/users/{user_id}"))
    admin.post(f"/admin/users/{user_id}/active", data={"active": "1"})
    assert sign_in(app.test_client(), email).status_code == 302
    events = [item.event for item in _events(app, "user", user_id)]
    assert events[-2:] == ["deactivate", "reactivate"]


def test_an_administrator_cannot_deactivate_themselves(
    app: Flask, user_of: Callable[..., User]
) -> None:
    me = user_of(Role.ADMINISTRATOR)
    client = app.test_client()
    sign_in(client, me.email)
    client.post(f"/admin/users/{me.id}/active", data={"active": "0"})
    assert "You cannot deactivate your own account" in page_text(
        client.get(f"/admin/users/{me.id}")
    )


def test_set_password_applies_the_policy(app: Flask, admin: FlaskClient) -> None:
    user_id = _user(app, Role.PRACTITIONER)
    refused = admin.post(f"/admin/users/{user_id}/password", data={"password": "qwerty123456"})
    assert "Password is too easy to guess" in page_text(refused)
    accepted = admin.post(
        f"/admin/users/{user_id}/password", data={"password": "violet harbour teapot"}
    )
    assert accepted.status_code == 302


def test_create_and_rename_an_agency_keeping_its_former_name(
    app: Flask, admin: FlaskClient
) -> None:
    response = admin.post(
        "/admin/agencies/new",
        data={"name": "Testshire CCG", "sector": "health", "is_statutory_partner": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.name == "Testshire CCG"))
        assert agency is not None and agency.is_statutory_partner
        agency_id = agency.id
    renamed = admin.post(
        f"/admin/agencies/{agency_id}",
        data={
            "name": "Testshire ICB",
            "sector": "health",
            "is_statutory_partner": "y",
            "renamed_on": ["1", "7", "2022"],
        },
    )
    assert renamed.status_code == 302
    page = page_text(admin.get(f"/admin/agencies/{agency_id}"))
    assert "Testshire CCG until 1 July 2022" in page
    with app.app_context():
        agency = db.session.get(Agency, agency_id)
        assert agency is not None and agency.name == "Testshire ICB"
        assert [(f.name, f.used_until) for f in agency.former_names] == [
            ("Testshire CCG", date(2022, 7, 1))
        ]
    events = _events(app, "agency", agency_id)
    assert [item.event for item in events] == ["create", "update"]
    assert events[1].before == {
        "name": "Testshire CCG",
        "sector": "health",
        "is_statutory_partner": True,
        "is_active": True,
    }


def test_duplicate_agency_name_is_refused_beside_the_field(app: Flask, admin: FlaskClient) -> None:
    _agency(app, name="Testshire Police")
    response = admin.post(
        "/admin/agencies/new", data={"name": "testshire police", "sector": "police"}
    )
    assert "An agency called testshire police already exists" in page_text(response)


def test_deactivate_an_agency(app: Flask, admin: FlaskClient) -> None:
    agency_id = _agency(app, sector=Sector.FIRE)
    admin.post(f"/admin/agencies/{agency_id}/active", data={"active": "0"})
    assert "(deactivated)" in page_text(admin.get(f"/admin/agencies/{agency_id}"))
    assert _events(app, "agency", agency_id)[-1].event == "deactivate"


@pytest.mark.parametrize("role", OTHER_ROLES, ids=lambda role: role.value)
def test_pages_with_arguments_are_for_administrators_only(
    app: Flask, role: Role, client_for: Callable[..., FlaskClient]
) -> None:
    user_id = _user(app, Role.PRACTITIONER)
    agency_id = _agency(app)
    client = client_for(role)
    for path in (
        f"/admin/users/{user_id}",
        f"/admin/users/{user_id}/password",
        f"/admin/agencies/{agency_id}",
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        f"/admin/users/{user_id}/active",
        f"/admin/users/{user_id}/reset-two-factor",
        f"/admin/agencies/{agency_id}/active",
    ):
        assert client.post(path, data={"active": "0"}).status_code == 403, path
    anonymous = app.test_client()
    assert anonymous.get(f"/admin/users/{user_id}").status_code == 302


def test_unknown_user_or_agency_is_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get("/admin/agencies/999999").status_code == 404


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _add_events(app: Flask, count: int, entity_type: str = "review") -> None:
    with app.app_context():
        actor = factories.user(Role.SECRETARIAT)
        for number in range(count):
            audit.record(actor, entity_type, number, "update", {"n": number}, {"n": number + 1})
        db.session.commit()


def test_audit_viewer_filters_and_pages_with_fixed_queries(app: Flask, admin: FlaskClient) -> None:
    _add_events(app, 5, "querytest")
    with count_queries(app) as few:
        small = admin.get("/admin/audit?entity_type=querytest")
    assert "5 events, page 1 of 1" in page_text(small)
    _add_events(app, 120, "querytest")
    with count_queries(app) as many:
        big = admin.get("/admin/audit?entity_type=querytest&page=2")
    assert "125 events, page 2 of 3" in page_text(big)
    assert len(many) == len(few)
    assert 'rel="next"' in big.get_data(as_text=True)


def test_audit_viewer_filters_by_actor_event_and_date(
    app: Flask, admin: FlaskClient, user_of: Callable[..., User]
) -> None:
    actor = user_of(Role.CHAIR)
    with app.app_context():
        audit.record(db.session.get(User, actor.id), "finding", 7, "delete", {"text": "x"}, None)
        db.session.commit()
    today = london_today()
    response = admin.get(
        "/admin/audit",
        query_string={
            "actor": actor.email.upper(),
            "event": "delete",
            "date_from": [str(today.day), str(today.month), str(today.year)],
            "date_to": [str(today.day), str(today.month), str(today.year)],
        },
    )
    text = page_text(response)
    assert "1 event, page 1 of 1" in text
    assert "finding 7" in text
    bad = admin.get("/admin/audit", query_string={"date_from": ["40", "13", "2026"]})
    assert bad.status_code == 200
    assert "0 events" in page_text(bad)
    nul = admin.get("/admin/audit", query_string={"entity_type": "user\x00", "actor": "a\x00"})
    assert nul.status_code == 400


def test_audit_csv_export_is_complete_and_safe_in_spreadsheets(
    app: Flask, admin: FlaskClient
) -> None:
    with app.app_context():
        actor = factories.user(Role.SECRETARIAT)
        audit.record(actor, "csvtest", 1, "update", {"title": "=HYPERLINK(1)"}, {"title": "ok"})
        audit.record(actor, "csvtest", 2, "create", None, {"title": "second"})
        db.session.commit()
    response = admin.get("/admin/audit/export.csv?entity_type=csvtest")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:6] == ["id", "occurred_at", "actor_email", "entity_type", "entity_id", "event"]
    assert len(rows) == 3
    assert rows[1][3:6] == ["csvtest", "1", "update"]
    assert rows[1][6] == '{"title": "=HYPERLINK(1)"}'  # JSON text starts with "{": harmless
    assert rows[2][5] == "create"


def test_audit_rows_record_the_client_address_shown_on_the_page_and_in_the_csv(
    app: Flask, admin: FlaskClient
) -> None:
    with app.app_context():
        actor = factories.user(Role.SECRETARIAT)
        with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
            from_request = audit.record(actor, "addresstest", 1, "update", {"n": 1}, {"n": 2})
        from_job = audit.record(None, "addresstest", 2, "update", {"n": 1}, {"n": 2})
        db.session.commit()
        assert from_request.client_address == "203.0.113.9"
        assert from_job.client_address is None
    text = page_text(admin.get("/admin/audit?entity_type=addresstest"))
    assert "from 203.0.113.9" in text
    assert "from None" not in text
    response = admin.get("/admin/audit/export.csv?entity_type=addresstest")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-1] == "client_address"
    assert [(row[4], row[-1]) for row in rows[1:]] == [("1", "203.0.113.9"), ("2", "")]


def test_a_request_s_audit_row_has_the_address_it_came_from(app: Flask) -> None:
    with app.app_context():
        user = factories.user(Role.SECRETARIAT)
        db.session.commit()
        email = user.email
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    sign_in(client, email)
    with app.app_context():
        latest = db.session.scalars(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)
        ).one()
        assert latest.client_address == "198.51.100.23"


def _partnership(app: Flask, name: str) -> int:
    with app.app_context():
        partnership = factories.partnership(
            name=f"{name} Safeguarding Children Partnership", short_name=name
        )
        db.session.commit()
        return partnership.id


def _linked(app: Flask, user_id: int) -> list[int]:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return sorted(partnership.id for partnership in user.partnerships)


def test_a_chair_is_created_serving_chosen_partnerships(app: Flask, admin: FlaskClient) -> None:
    north, south = _partnership(app, "NTH"), _partnership(app, "STH")
    page = admin.get("/admin/users/new")
    assert "Partnerships served (secretariat and chair only)" in page_text(page)
    response = admin.post(
        "/admin/users/new",
        data={
            "display_name": "Casey Chairperson",
            "email": "casey.chair@test.example",
            "role": "chair",
            "agency": "",
            "partnerships": [str(north), str(south)],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "casey.chair@test.example"))
    assert user_id is not None and _linked(app, user_id) == sorted([north, south])
    created, *_ = _events(app, "user", user_id)
    assert created.after is not None
    assert created.after["partnership_ids"] == sorted([north, south])
    # The users list shows whom each secretariat and chair user serves.
    listing = page_text(admin.get("/admin/users"))
    assert "Partnerships served" in listing
    assert "NTH , STH" in listing


def test_partnerships_for_another_role_are_refused_beside_the_field(
    app: Flask, admin: FlaskClient
) -> None:
    north = _partnership(app, "NTH")
    agency_id = _agency(app)
    response = admin.post(
        "/admin/users/new",
        data={
            "display_name": "Robin Lead",
            "email": "robin.lead@test.example",
            "role": "agency_lead",
            "agency": str(agency_id),
            "partnerships": [str(north)],
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        "Only secretariat and chair users serve partnerships: untick the partnerships for a "
        "user with the role agency lead" in page_text(response)
    )
    assert 'href="#partnerships"' in html
    with app.app_context():
        assert (
            db.session.scalar(select(User).where(User.email == "robin.lead@test.example")) is None
        )


def test_edit_links_and_unlinks_partnerships_with_an_audit_record(
    app: Flask, admin: FlaskClient
) -> None:
    north, south = _partnership(app, "NTH"), _partnership(app, "STH")
    user_id = _user(app, Role.SECRETARIAT)
    assert "National (every partnership nobody serves)" in page_text(admin.get("/admin/users"))
    details = {"display_name": "Sol Secretariat", "role": "secretariat", "agency": ""}
    response = admin.post(f"/admin/users/{user_id}", data={**details, "partnerships": [north]})
    assert response.status_code == 302
    assert _linked(app, user_id) == [north]
    [*_, linked] = _events(app, "user", user_id)
    assert linked.before is not None and linked.after is not None
    assert linked.before["partnership_ids"] == [] and linked.after["partnership_ids"] == [north]
    # The edit page shows the box ticked.
    page = admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert f'value="{north}" checked' in page and f'value="{south}" checked' not in page
    # Unticking every box makes them a national user again.
    admin.post(f"/admin/users/{user_id}", data=details)
    assert _linked(app, user_id) == []
    [*_, unlinked] = _events(app, "user", user_id)
    assert unlinked.after is not None and unlinked.after["partnership_ids"] == []
    # A role that serves no partnership drops the links.
    admin.post(f"/admin/users/{user_id}", data={**details, "partnerships": [south]})
    assert _linked(app, user_id) == [south]
    admin.post(f"/admin/users/{user_id}", data={**details, "role": "administrator"})
    assert _linked(app, user_id) == []


def test_a_childcare_agency_is_a_sector_of_its_own(app: Flask, admin: FlaskClient) -> None:
    """The Children's Wellbeing and Schools Act 2026 makes childcare agencies relevant
    agencies: the administrator records one as such."""
    assert "Childcare agency" in page_text(admin.get("/admin/agencies/new"))
    response = admin.post(
        "/admin/agencies/new", data={"name": "Testshire Nurseries Group", "sector": "childcare"}
    )
    assert response.status_code == 302
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.name == "Testshire Nurseries Group"))
        assert agency is not None and agency.sector.label == "Childcare agency"
