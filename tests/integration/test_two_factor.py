"""Two-factor sign-in with SGREVIEWS_TWO_FACTOR=required: enrolment, a code, a wrong
code, a replayed code, a recovery code used once, and lockout after repeated failures."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Role, User
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in


@pytest.fixture(scope="module")
def secure_app(
    app: Flask, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The same database as ``app`` (already migrated), with two-factor required and a
    low lockout threshold."""
    application = make_test_app(
        database_url,
        tmp_path_factory.mktemp("secure-instance"),
        SGREVIEWS_TWO_FACTOR="required",
        SGREVIEWS_LOCKOUT_THRESHOLD="3",
    )
    yield application


def _user(app: Flask, role: Role, *, enrolled: bool = False) -> tuple[str, str | None]:
    """A new user; with ``enrolled``, one who already set up an app (returns its secret)."""
    with app.app_context():
        user = factories.user(role)
        secret = None
        if enrolled:
            secret = pyotp.random_base32()
            user.totp_secret = secret
            user.totp_confirmed_at = user.created_at
        db.session.commit()
        return user.email, secret


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def test_required_roles_must_enrol_and_get_recovery_codes(secure_app: Flask) -> None:
    email, _ = _user(secure_app, Role.ADMINISTRATOR)
    client = secure_app.test_client()
    response = sign_in(client, email)
    assert response.headers["Location"] == "/sign-in/two-factor/set-up"
    # Not signed in yet: the password alone does not open anything.
    assert client.get("/admin/users").status_code == 302

    setup = client.get("/sign-in/two-factor/set-up")
    text = page_text(setup)
    assert "Set up two-factor authentication" in text
    secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', setup.get_data(as_text=True))
    assert secret is not None
    secret_value = secret.group(1).replace(" ", "")
    assert f"otpauth://totp/Safeguarding%20reviews:{email.replace('@', '%40')}" in text
    assert "<svg" in setup.get_data(as_text=True)  # the QR code, drawn on the server

    wrong = client.post("/sign-in/two-factor/set-up", data={"code": "000000"})
    assert "Enter the 6-digit code your authenticator app shows now" in page_text(wrong)
    assert client.get("/admin/users").status_code == 302

    done = client.post("/sign-in/two-factor/set-up", data={"code": _code(secret_value)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/users").status_code == 200
    with secure_app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.has_two_factor
        # Stored as digests only.
        assert all(code.code_digest not in codes for code in user.recovery_codes)
        assert not any(codes[0] in str(code.code_digest) for code in user.recovery_codes)


def test_roles_without_the_requirement_sign_in_with_a_password(secure_app: Flask) -> None:
    email, _ = _user(secure_app, Role.PRACTITIONER)
    response = sign_in(secure_app.test_client(), email)
    assert response.headers["Location"] == "/learning"


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.CHAIR])
def test_secretariat_and_chair_need_a_second_factor(secure_app: Flask, role: Role) -> None:
    email, _ = _user(secure_app, role)
    response = sign_in(secure_app.test_client(), email)
    assert response.headers["Location"] == "/sign-in/two-factor/set-up"


def test_sign_in_with_a_code_and_a_wrong_code(secure_app: Flask) -> None:
    email, secret = _user(secure_app, Role.CHAIR, enrolled=True)
    assert secret is not None
    client = secure_app.test_client()
    assert sign_in(client, email).headers["Location"] == "/sign-in/two-factor"

    wrong = client.post("/sign-in/two-factor", data={"code": "123456"})
    assert wrong.status_code == 200
    assert "Enter a correct code" in page_text(wrong)
    assert client.get("/overview").status_code == 302

    right = client.post("/sign-in/two-factor", data={"code": _code(secret)})
    assert right.headers["Location"] == "/work"
    assert client.get("/overview").status_code == 200


def test_a_code_cannot_be_used_twice(secure_app: Flask) -> None:
    email, secret = _user(secure_app, Role.CHAIR, enrolled=True)
    assert secret is not None
    code = _code(secret)
    first = secure_app.test_client()
    sign_in(first, email)
    assert first.post("/sign-in/two-factor", data={"code": code}).status_code == 302
    second = secure_app.test_client()
    sign_in(second, email)
    replay = second.post("/sign-in/two-factor", data={"code": code})
    assert "Enter a correct code" in page_text(replay)


def test_a_recovery_code_works_once(secure_app: Flask) -> None:
    email, _ = _user(secure_app, Role.SECRETARIAT)
    client = secure_app.test_client()
    sign_in(client, email)
    setup = client.get("/sign-in/two-factor/set-up").get_data(as_text=True)
    match = re.search(r'id="setup-key">([A-Z2-7 ]+)<', setup)
    assert match is not None
    done = client.post(
        "/sign-in/two-factor/set-up", data={"code": _code(match.group(1).replace(" ", ""))}
    )
    recovery = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))

    again = secure_app.test_client()
    sign_in(again, email)
    used = again.post("/sign-in/two-factor", data={"code": recovery[0].upper()})
    assert used.headers["Location"] == "/work"

    once_more = secure_app.test_client()
    sign_in(once_more, email)
    refused = once_more.post("/sign-in/two-factor", data={"code": recovery[0]})
    assert "Enter a correct code" in page_text(refused)
    with secure_app.app_context():
        events = db.session.scalars(
            select(AuditEvent.event)
            .join(User, AuditEvent.actor_id == User.id)
            .where(User.email == email)
        ).all()
    assert "recovery_code_used" in events and "two_factor_enrolled" in events


def test_the_code_step_needs_the_password_step(secure_app: Flask) -> None:
    response = secure_app.test_client().post("/sign-in/two-factor", data={"code": "123456"})
    assert response.headers["Location"] == "/sign-in"


def test_lockout_after_repeated_failures_looks_the_same_for_unknown_addresses(
    secure_app: Flask,
) -> None:
    email, _ = _user(secure_app, Role.PRACTITIONER)
    client = secure_app.test_client()
    unknown = "nobody-here@test.example"
    for address in (email, unknown):
        for _attempt in range(2):
            failed = sign_in(client, address, "wrong password, not it")
            assert "Enter a correct email address and password" in page_text(failed)
        third = sign_in(client, address, "wrong password, not it")
        assert "too many failed attempts to sign in with this email address" in page_text(third)
    # Locked: even the right password is refused, with the same words as for nobody.
    known = sign_in(client, email)
    nobody = sign_in(client, unknown)
    assert known.status_code == nobody.status_code == 200
    assert page_text(known).replace(email, "X") == page_text(nobody).replace(unknown, "X")
    assert "Try again in 15 minutes" in page_text(known)


def test_wrong_codes_count_towards_the_lockout(secure_app: Flask) -> None:
    email, secret = _user(secure_app, Role.CHAIR, enrolled=True)
    assert secret is not None
    client = secure_app.test_client()
    sign_in(client, email)
    for _attempt in range(2):
        client.post("/sign-in/two-factor", data={"code": "000000"})
    locked = client.post("/sign-in/two-factor", data={"code": "000000"})
    assert "too many failed attempts" in page_text(locked)
    assert "too many failed attempts" in page_text(sign_in(client, email))


def test_an_administrator_can_reset_a_lost_second_factor(secure_app: Flask, tmp_path: Path) -> None:
    email, _secret = _user(secure_app, Role.CHAIR, enrolled=True)
    admin_email, admin_secret = _user(secure_app, Role.ADMINISTRATOR, enrolled=True)
    assert admin_secret is not None
    admin = secure_app.test_client()
    sign_in(admin, admin_email)
    admin.post("/sign-in/two-factor", data={"code": _code(admin_secret)})
    with secure_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    response = admin.post(f"/admin/users/{user_id}/reset-two-factor")
    assert response.status_code == 302
    client: FlaskClient = secure_app.test_client()
    assert sign_in(client, email).headers["Location"] == "/sign-in/two-factor/set-up"
