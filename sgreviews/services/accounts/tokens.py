"""Single-use, time-limited links to set a password: invitations for new users and
password resets.

``issue`` makes a token (only its digest is stored) and returns the link.
:mod:`sgreviews.services.accounts.mail` emails it through the outbox (on creating a user,
an administrator's "Email them a link", and the public "Forgot your password?" page); an
administrator can still create a link on the user's page to pass on by hand. ``redeem`` sets
the password (under the password policy), uses the token up and records it in the audit
trail. Issuing a new token cancels the user's earlier unused ones of the same purpose.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import User
from sgreviews.models.user import AccountToken
from sgreviews.services import audit
from sgreviews.services.accounts import users

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
LIFETIMES = {INVITATION: timedelta(days=7), PASSWORD_RESET: timedelta(hours=1)}


class TokenError(ValueError):
    """The link cannot be used; the message is for the person who followed it."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: str, *, actor: User | None) -> str:
    """A new token for ``user``; returns the raw token (to put in a link, never stored)."""
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_digest=_digest(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.session.flush()
    audit.record(actor, "user", user.id, f"{purpose}_issued")
    return token


def _valid(token: str) -> AccountToken | None:
    record = db.session.scalar(
        select(AccountToken).where(AccountToken.token_digest == _digest(token))
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    if not record.user.is_active:
        return None
    return record


def user_for(token: str) -> User | None:
    """Whose link this is, if it can still be used (does not use it up)."""
    record = _valid(token)
    return record.user if record is not None else None


def redeem(token: str, password: str) -> User:
    """Set the password through the link and use the link up."""
    record = _valid(token)
    if record is None:
        raise TokenError("This link has expired or has already been used")
    user = record.user
    users.set_password(user, password, actor=user)  # raises UserError under the policy
    record.used_at = utcnow()
    users.clear_failures(user.email)
    audit.record(user, "user", user.id, f"{record.purpose}_used")
    db.session.flush()
    return user
