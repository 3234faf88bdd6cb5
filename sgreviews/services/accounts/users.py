"""Accounts: creation, passwords (argon2id) and signing in."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Agency, Partnership, Role, User
from sgreviews.models.user import SignInThrottle
from sgreviews.services import audit
from sgreviews.services.accounts import hashing, two_factor
from sgreviews.services.accounts.passwords import MIN_PASSWORD_LENGTH, password_problem
from sgreviews.services.paging import PageNumbers, page_window

__all__ = ["MIN_PASSWORD_LENGTH"]  # re-exported: the policy lives in services.passwords


class UserError(ValueError):
    """A user could not be created; the message says why, for a person to read."""


def hash_password(password: str) -> str:
    return hashing.hash_password(password)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def partnerships_problem(role: Role, partnerships: Sequence[Partnership]) -> str | None:
    """Why these partnership links do not fit the role (None: they do)."""
    if partnerships and not role.serves_partnerships:
        return (
            "Only secretariat and chair users serve partnerships: untick the partnerships "
            f"for a user with the role {role.label.lower()}"
        )
    return None


def create_user(
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    agency: Agency | None = None,
    actor: User | None = None,
    partnerships: Sequence[Partnership] = (),
) -> User:
    """Create an account. ``partnerships``: for a secretariat or chair user, the
    partnerships they serve (none: a national user)."""
    problem = password_problem(password, email=email, display_name=display_name)
    if problem is not None:
        raise UserError(f"{problem}.")
    if role.needs_agency and agency is None:
        raise UserError(f"A user with the role {role.label.lower()} must belong to an agency.")
    problem = partnerships_problem(role, partnerships)
    if problem is not None:
        raise UserError(f"{problem}.")
    if find_by_email(email) is not None:
        raise UserError(f"A user with the email address {email.strip().lower()} already exists.")
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        agency=agency,
        password_hash=hash_password(password),
        partnerships=list(partnerships),
    )
    db.session.add(user)
    db.session.flush()
    after: dict[str, object] = {"email": user.email, "role": role, "agency_id": user.agency_id}
    if partnerships:
        after["partnership_ids"] = _partnership_ids(user)
    audit.record(actor, "user", user.id, "create", after=after)
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    # Set when the email address is locked out after repeated failures (for every
    # address alike, whether or not it has an account).
    locked_until: datetime | None = None
    # The password was right but a second factor is still to come.
    needs_second_factor: bool = False

    @property
    def succeeded(self) -> bool:
        return self.user is not None


def authenticate(
    email: str,
    password: str,
    *,
    lockout_threshold: int = 10,
    lockout_minutes: int = 15,
    two_factor_required: bool = False,
) -> SignInResult:
    """Check an email and password. Unknown email, wrong password and inactive account all
    fail the same way, so the answer never reveals whether an account exists. After
    ``lockout_threshold`` failures in a row the address is locked for ``lockout_minutes``;
    while locked even the right password is refused. When the user needs a second factor
    the sign-in is not complete: the caller asks for the code, then calls
    ``complete_sign_in``."""
    locked_until = lockout_expiry(email)
    if locked_until is not None:
        hashing.waste_a_verification()  # same time as a real check
        audit.record(None, "session", None, "sign_in_locked", after={"email": email.lower()})
        return SignInResult(None, locked_until)
    user = find_by_email(email)
    if user is None or user.uses_single_sign_on:
        # An account of single sign-on signs in only through the organisation's provider
        # (its groups decide the role): no password is ever accepted for it.
        hashing.waste_a_verification()  # same time as a real check
        password_ok = False
    else:
        password_ok = hashing.verify(user.password_hash, password)
    if user is None or not password_ok or not user.is_active:
        audit.record(user, "session", None, "sign_in_failed", after={"email": email.lower()})
        return SignInResult(
            None, record_failure(email, threshold=lockout_threshold, minutes=lockout_minutes)
        )
    if hashing.needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if two_factor.needs_two_factor(user, two_factor_required):
        audit.record(user, "session", None, "password_accepted")
        return SignInResult(user, needs_second_factor=True)
    complete_sign_in(user)
    return SignInResult(user)


def complete_sign_in(user: User, *, method: str = "password") -> None:
    """Record a finished sign-in (after the second factor, where one is needed)."""
    clear_failures(user.email)
    user.last_signed_in_at = utcnow()
    audit.record(user, "session", None, "sign_in", after={"method": method})


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _throttle(email: str) -> SignInThrottle | None:
    return db.session.scalar(
        select(SignInThrottle).where(SignInThrottle.email_digest == _email_digest(email))
    )


def lockout_expiry(email: str) -> datetime | None:
    """When the lock on this address ends, or None when it is not locked."""
    throttle = _throttle(email)
    if throttle is None or throttle.locked_until is None or throttle.locked_until <= utcnow():
        return None
    return throttle.locked_until


def record_failure(email: str, *, threshold: int, minutes: int) -> datetime | None:
    """Count a failed password or code for this address; lock it when the count reaches
    the threshold. Returns the end of the lock when this failure started one."""
    throttle = _throttle(email)
    if throttle is None:
        try:
            with db.session.begin_nested():
                throttle = SignInThrottle(email_digest=_email_digest(email), failed_count=0)
                db.session.add(throttle)
        except IntegrityError:  # another request counted the first failure at the same time
            throttle = _throttle(email)
            assert throttle is not None
    now = utcnow()
    if throttle.locked_until is not None and throttle.locked_until <= now:
        throttle.failed_count = 0  # a lock that has run out starts the count again
        throttle.locked_until = None
    throttle.failed_count += 1
    throttle.last_failed_at = now
    if throttle.failed_count >= threshold:
        throttle.locked_until = now + timedelta(minutes=minutes)
        audit.record(None, "session", None, "locked_out", after={"email": email.lower()})
    db.session.flush()
    return throttle.locked_until


def clear_failures(email: str) -> None:
    throttle = _throttle(email)
    if throttle is not None:
        db.session.delete(throttle)
        db.session.flush()


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def set_password(user: User, password: str, *, actor: User | None) -> None:
    problem = password_problem(password, email=user.email, display_name=user.display_name)
    if problem is not None:
        raise UserError(f"{problem}.")
    user.password_hash = hash_password(password)
    db.session.flush()
    audit.record(actor, "user", user.id, "password_set")


def _partnership_ids(user: User) -> list[int]:
    return sorted(partnership.id for partnership in user.partnerships)


def _snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "agency_id": user.agency_id,
        "is_active": user.is_active,
        "partnership_ids": _partnership_ids(user),
    }


def update_user(
    user: User,
    *,
    display_name: str,
    role: Role,
    agency: Agency | None,
    actor: User,
    partnerships: Sequence[Partnership] | None = None,
) -> None:
    """Change a user's name, role, agency or the partnerships they serve, recording before
    and after. ``partnerships`` None keeps the links (dropped when the new role serves
    none)."""
    if role.needs_agency and agency is None:
        raise UserError(f"A user with the role {role.label.lower()} must belong to an agency.")
    if user.id == actor.id and role != user.role:
        raise UserError("You cannot change your own role: ask another administrator.")
    problem = partnerships_problem(role, partnerships or [])
    if problem is not None:
        raise UserError(f"{problem}.")
    before = _snapshot(user)
    user.display_name = display_name
    user.role = role
    user.agency = agency
    if partnerships is not None:
        user.partnerships = list(partnerships)
    elif not role.serves_partnerships:
        user.partnerships = []
    db.session.flush()
    after = _snapshot(user)
    if after != before:
        audit.record(actor, "user", user.id, "update", before=before, after=after)


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (the user can no longer sign in; history keeps their name) or
    reactivate an account."""
    if user.id == actor.id and not active:
        raise UserError("You cannot deactivate your own account.")
    if user.is_active == active:
        return
    before = _snapshot(user)
    user.is_active = active
    if active:
        clear_failures(user.email)
    db.session.flush()
    event = "reactivate" if active else "deactivate"
    audit.record(actor, "user", user.id, event, before=before, after=_snapshot(user))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


USERS_PER_PAGE = 50


@dataclass
class UserPage(PageNumbers):
    users: list[User]
    total: int
    page: int
    pages: int
    per_page: int


def _like_pattern(words: str) -> str:
    """``%words%`` for LIKE with ESCAPE '\\': wildcards typed in a search are literal."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(search: str = "", page: int = 1, per_page: int = USERS_PER_PAGE) -> UserPage:
    """One page of users by role and name, optionally those whose name or email address
    contains ``search`` (any case): two queries whatever the number of users."""
    query = select(User)
    words = search.strip().lower()
    if words:
        pattern = _like_pattern(words)
        query = query.where(
            or_(
                func.lower(User.display_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page, pages = page_window(page, total, per_page)
    found = db.session.scalars(
        query.options(joinedload(User.agency), selectinload(User.partnerships))
        .order_by(User.role, User.display_name, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return UserPage(list(found), total, page, pages, per_page)


def check_password(user: User, password: str) -> bool:
    """Check a signed-in user's password again (re-authentication)."""
    return hashing.verify(user.password_hash, password)
