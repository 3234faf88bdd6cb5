"""Password hashing: argon2id, with strong parameters everywhere but in the test suite.

Production and development use argon2-cffi's recommended parameters (RFC 9106's
low-memory profile: 3 passes over 64 MiB with 4 lanes), which cost a good fraction of a
second per hash by design. The test suite creates thousands of users, so an application
created with ``SGREVIEWS_ENV=testing`` hashes with the smallest parameters argon2 allows;
``tests/unit/test_password_hashing.py`` proves the other environments keep the strong
ones. A hash records its own parameters, so either hasher verifies any stored hash, and a
sign-in rehashes a password stored with other parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, has_app_context

STRONG = PasswordHasher()
FAST_FOR_TESTS = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
EXTENSION_KEY = "sgreviews.password_hashing"
_DUMMY_PASSWORD = "not a real password"


@dataclass(frozen=True)
class Hashing:
    hasher: PasswordHasher
    # Verified against when the email is unknown, so both paths take the same time.
    dummy_hash: str


_STRONG_HASHING: Hashing | None = None


def install(app: Flask, *, for_tests: bool) -> None:
    """Give the application its hasher: the fast one only for the test suite."""
    hasher = FAST_FOR_TESTS if for_tests else STRONG
    app.extensions[EXTENSION_KEY] = Hashing(hasher, hasher.hash(_DUMMY_PASSWORD))


def current() -> Hashing:
    """The application's hashing; strong when no application is active."""
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        hashing: Hashing = current_app.extensions[EXTENSION_KEY]
        return hashing
    global _STRONG_HASHING
    if _STRONG_HASHING is None:
        _STRONG_HASHING = Hashing(STRONG, STRONG.hash(_DUMMY_PASSWORD))
    return _STRONG_HASHING


def hash_password(password: str) -> str:
    return current().hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return bool(current().hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def waste_a_verification() -> None:
    """Spend the time of one real check (for an unknown or locked address)."""
    hashing = current()
    hashing.hasher.verify(hashing.dummy_hash, _DUMMY_PASSWORD)


def needs_rehash(password_hash: str) -> bool:
    return bool(current().hasher.check_needs_rehash(password_hash))
