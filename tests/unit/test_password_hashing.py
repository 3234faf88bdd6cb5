"""Strong argon2 parameters everywhere but in the test suite, which hashes thousands of
passwords; any stored hash verifies whichever parameters made it."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import Parameters, Type, extract_parameters

from sgreviews import create_app
from sgreviews.services.accounts import hashing

# argon2-cffi's recommended profile (RFC 9106, low memory): the floor for real accounts.
STRONG_TIME_COST, STRONG_MEMORY_KIB, STRONG_LANES = 3, 65536, 4


def _stored_parameters(environment: str, tmp_path: Path) -> Parameters:
    app = create_app(
        {
            "SGREVIEWS_ENV": environment,
            "SECRET_KEY": "a-secret-key-for-this-test-only",
            "SGREVIEWS_INSTANCE_PATH": str(tmp_path),
            "SGREVIEWS_BASE_URL": "https://sgreviews.example",
            # Production refuses these unless allowed (test_production_safety).
            "SGREVIEWS_ALLOW_SQLITE": "1",
            "SGREVIEWS_ALLOW_MEMORY_RATELIMIT": "1",
        }
    )
    with app.app_context():
        return extract_parameters(hashing.hash_password("a long enough passphrase"))


@pytest.mark.parametrize("environment", ["production", "development"])
def test_real_environments_hash_with_the_strong_parameters(
    environment: str, tmp_path: Path
) -> None:
    stored = _stored_parameters(environment, tmp_path)
    assert stored.time_cost >= STRONG_TIME_COST
    assert stored.memory_cost >= STRONG_MEMORY_KIB
    assert stored.parallelism >= STRONG_LANES
    assert stored.type is Type.ID


def test_the_test_suite_hashes_cheaply(tmp_path: Path) -> None:
    stored = _stored_parameters("testing", tmp_path)
    assert stored.memory_cost < STRONG_MEMORY_KIB


def test_without_an_application_hashing_is_strong() -> None:
    stored = extract_parameters(hashing.hash_password("a long enough passphrase"))
    assert stored.memory_cost >= STRONG_MEMORY_KIB


def test_a_strong_hash_verifies_under_the_test_hasher_and_is_rehashed(tmp_path: Path) -> None:
    strong_hash = hashing.STRONG.hash("a long enough passphrase")
    app = create_app(
        {
            "SGREVIEWS_ENV": "testing",
            "SECRET_KEY": "a-secret-key-for-this-test-only",
            "SGREVIEWS_INSTANCE_PATH": str(tmp_path),
        }
    )
    with app.app_context():
        assert hashing.verify(strong_hash, "a long enough passphrase")
        assert not hashing.verify(strong_hash, "the wrong passphrase")
        assert hashing.needs_rehash(strong_hash)
