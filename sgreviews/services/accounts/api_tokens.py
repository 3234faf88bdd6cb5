"""Personal access tokens for the JSON API (``/api/v1``).

A signed-in user makes a token on the "API tokens" page: a name, a scope (read, or read and
write) and a lifetime. The token is shown once; only its SHA-256 digest is stored (it is a
long random string, so a slow password hash would add nothing). The API reads it from
``Authorization: Bearer``; ``authenticate`` returns the token's record when it is known,
unexpired, unrevoked and its user still active, and notes when it was last used.

A token acts as its user: the policy decides what the user's role and agency may see and
do, and the token's scope can only narrow that (a read token never writes). Making and
revoking tokens is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import ApiScope, ApiToken, User
from sgreviews.services import audit
from sgreviews.services.editing import FieldError

# Recognisable in logs and by secret scanners; never part of what is stored.
TOKEN_PREFIX = "sgr_"
# The lifetimes offered on the page, in days (the longest is capped by the setting).
LIFETIME_CHOICES = (30, 90, 365)
# Last use is written at most this often, so a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX = 100


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(
    *, user: User, name: str, scope: ApiScope, days: int, max_days: int
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns its record and the raw token (shown once)."""
    name = name.strip()
    if not name:
        raise FieldError("name", "Enter a name for the token, such as the report it feeds")
    if len(name) > NAME_MAX:
        raise FieldError("name", f"The name must be {NAME_MAX} characters or fewer")
    if not 1 <= days <= max_days:
        raise FieldError("days", f"Choose a lifetime of at most {max_days} days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_digest=digest(raw),
        hint=raw[: len(TOKEN_PREFIX) + 4],
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        user,
        "user",
        user.id,
        "api_token_created",
        after={
            "token_id": token.id,
            "name": name,
            "scope": scope,
            "expires_at": token.expires_at,
        },
    )
    return token, raw


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (the page says so)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(*, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; None when it is not theirs (or not there)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(user, "user", user.id, "api_token_revoked", after={"token_id": token.id})
        db.session.flush()
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The usable token with this value (its user loaded), or None; notes its last use
    (flushed, for the caller to commit)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == digest(raw)))
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token
