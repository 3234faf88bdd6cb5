"""The CLI applies the password policy and can recover an account when no administrator
can sign in."""

from __future__ import annotations

import pyotp
from flask import Flask
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Role, User
from sgreviews.services.accounts import users
from tests import factories


def test_cli_user_creation_applies_the_password_policy(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "cli@test.example", "--role", "chair"],
        input="password12345\npassword12345\n",
    )
    assert result.exit_code != 0
    assert "Password is too easy to guess" in result.output
    with app.app_context():
        assert users.find_by_email("cli@test.example") is None


def test_cli_resets_two_factor_and_unlocks(app: Flask) -> None:
    with app.app_context():
        user = factories.user(Role.ADMINISTRATOR)
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = user.created_at
        for _attempt in range(3):
            users.record_failure(user.email, threshold=3, minutes=15)
        email = user.email
        db.session.commit()
        assert users.lockout_expiry(email) is not None
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "reset-two-factor", "--email", email]).exit_code == 0
    assert runner.invoke(args=["users", "unlock", "--email", email]).exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and not user.has_two_factor
        assert users.lockout_expiry(email) is None
    missing = runner.invoke(args=["users", "reset-two-factor", "--email", "no@test.example"])
    assert missing.exit_code != 0 and "No user has the email address" in missing.output
