"""The password policy (NCSC): length at least 12, no common passwords."""

from __future__ import annotations

import pytest

from sgreviews.models import Role
from sgreviews.services.accounts import users
from sgreviews.services.accounts.passwords import common_passwords, password_problem
from tests import factories


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password2024!",
        "qwertyuiop123",
        "123456789012",
        "iloveyou1234",
        "Safeguarding2026",
        "aaaaaaaaaaaaaaa",
        "abababababababab",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    problem = password_problem(password)
    assert problem is not None and "too easy to guess" in problem


def test_short_passwords_are_refused() -> None:
    assert password_problem("eleven char") == "Password must be at least 12 characters long"


def test_a_password_based_on_the_email_or_name_is_refused() -> None:
    assert password_problem("robin.tester99", email="robin.tester@test.example") is not None
    assert password_problem("RobinTester2026", display_name="Robin Tester") is not None


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "lantern-meadow-pickle", "x7#Qm2!vLp9$"]
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    assert password_problem(password, email="someone@test.example") is None


def test_the_deny_list_ships_in_the_package() -> None:
    assert "password" in common_passwords()
    assert len(common_passwords()) > 100


def test_user_creation_applies_the_policy(ctx: None) -> None:
    with pytest.raises(users.UserError, match="too easy to guess"):
        users.create_user(
            email="policy@test.example",
            display_name="Policy Test",
            role=Role.CHAIR,
            password="Password12345",
        )


def test_setting_a_password_applies_the_policy(ctx: None) -> None:
    user = factories.user(Role.CHAIR)
    with pytest.raises(users.UserError, match="at least 12"):
        users.set_password(user, "short", actor=None)
