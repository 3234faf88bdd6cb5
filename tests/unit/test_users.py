from __future__ import annotations

import pytest
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Role
from sgreviews.services.accounts import users
from tests import factories


def test_password_is_stored_as_argon2id(ctx: None) -> None:
    user = factories.user(Role.SECRETARIAT)
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_email_is_unique_whatever_its_case(ctx: None) -> None:
    factories.user(Role.CHAIR, email="Chair.Person@Test.Example")
    with pytest.raises(users.UserError, match="already exists"):
        factories.user(Role.SECRETARIAT, email="chair.person@test.example")
    assert users.find_by_email("CHAIR.PERSON@test.example") is not None


def test_agency_leads_and_practitioners_need_an_agency(ctx: None) -> None:
    for role in (Role.AGENCY_LEAD, Role.PRACTITIONER):
        with pytest.raises(users.UserError, match="must belong to an agency"):
            users.create_user(
                email=f"{role.value}@test.example",
                display_name="No Agency",
                role=role,
                password=factories.PASSWORD,
            )


def test_short_password_is_refused(ctx: None) -> None:
    with pytest.raises(users.UserError, match="at least 12 characters"):
        users.create_user(
            email="short@test.example", display_name="S", role=Role.CHAIR, password="short"
        )


def test_authenticate_accepts_right_password_only(ctx: None) -> None:
    user = factories.user(Role.CHAIR)
    assert users.authenticate(user.email.upper(), factories.PASSWORD).user == user
    assert not users.authenticate(user.email, "wrong password entirely").succeeded
    assert not users.authenticate("nobody@test.example", factories.PASSWORD).succeeded


def test_inactive_user_cannot_authenticate(ctx: None) -> None:
    user = factories.user(Role.CHAIR, is_active=False)
    assert not users.authenticate(user.email, factories.PASSWORD).succeeded


def test_sign_ins_are_audited(ctx: None) -> None:
    user = factories.user(Role.CHAIR)
    users.authenticate(user.email, factories.PASSWORD)
    users.authenticate(user.email, "not the password")
    events = db.session.scalars(
        select(AuditEvent.event).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
    ).all()
    assert events == ["sign_in", "sign_in_failed"]
