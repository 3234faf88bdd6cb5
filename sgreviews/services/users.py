"""Accounts: creation, passwords (argon2id) and signing in."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sgreviews.extensions import db
from sgreviews.models import Agency, Role, User
from sgreviews.models.base import utcnow
from sgreviews.services import audit

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


MIN_PASSWORD_LENGTH = 12  # NCSC guidance favours length over complexity rules


class UserError(ValueError):
    """A user could not be created; the message says why, for a person to read."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    agency: Agency | None = None,
    actor: User | None = None,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if role.needs_agency and agency is None:
        raise UserError(f"A user with the role {role.label.lower()} must belong to an agency.")
    if find_by_email(email) is not None:
        raise UserError(f"A user with the email address {email.strip().lower()} already exists.")
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        agency=agency,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user",
        user.id,
        "create",
        after={"email": user.email, "role": role, "agency_id": user.agency_id},
    )
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None

    @property
    def succeeded(self) -> bool:
        return self.user is not None


def authenticate(email: str, password: str) -> SignInResult:
    """Check an email and password. Unknown email, wrong password and inactive account all
    fail the same way, so the answer never reveals whether an account exists."""
    user = find_by_email(email)
    hash_to_check = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(hash_to_check, password)
        password_ok = True
    except (VerificationError, InvalidHashError):
        password_ok = False
    if user is None or not password_ok or not user.is_active:
        audit.record(user, "session", None, "sign_in_failed", after={"email": email.lower()})
        return SignInResult(None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    audit.record(user, "session", None, "sign_in")
    return SignInResult(user)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def list_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User).options(joinedload(User.agency)).order_by(User.role, User.display_name)
        )
    )
