"""Who is calling the JSON API: the personal access token in ``Authorization: Bearer``,
and the API's rate limit.

The API never reads the session cookie: a call is authenticated by its token alone, which
is why the API needs no CSRF token (a cross-site page cannot make a browser send the
``Authorization`` header). ``authenticate`` is called by the access rule
``access.api_token`` before every API view; it commits the token's last use at once (the
view may be a read that writes nothing else).

Rate limit: SGREVIEWS_API_RATE_LIMIT requests per token, counted in the rate limiter's
store (SGREVIEWS_RATELIMIT_STORAGE_URI); requests without a valid token are counted per
client address, so guessing tokens is limited too. Over the limit: 429 with Retry-After.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from sgreviews.models import ApiScope, User
from sgreviews.services.accounts import api_tokens
from sgreviews.settings import Settings
from sgreviews.web.api_problems import Problem
from sgreviews.web.transactions import attempts

LIMITER_KEY = "sgreviews.api_limiter"
LIMIT_SCOPE = "api"
WWW_AUTHENTICATE = 'Bearer realm="sgreviews"'


@dataclass(frozen=True)
class ApiCaller:
    user: User
    scope: ApiScope
    token_id: int


def init_app(app: Flask) -> None:
    """The API's counter, in the same store as the sign-in limiter but apart from it."""
    settings: Settings = app.extensions["sgreviews.settings"]
    if settings.api_rate_limit:
        storage = storage_from_string(settings.ratelimit_storage_uri)
        app.extensions[LIMITER_KEY] = MovingWindowRateLimiter(storage)


def _retry_after(key: str) -> int | None:
    """Count one request under ``key``; None while under the limit, else the seconds to
    wait. A store that cannot be reached allows the request (and is logged), as for
    sign-in."""
    settings: Settings = current_app.extensions["sgreviews.settings"]
    counter: MovingWindowRateLimiter | None = current_app.extensions.get(LIMITER_KEY)
    if not settings.api_rate_limit or counter is None:
        return None
    try:
        for item in parse_many(settings.api_rate_limit):
            if not counter.hit(item, LIMIT_SCOPE, key):
                reset_at = counter.get_window_stats(item, LIMIT_SCOPE, key).reset_time
                return max(1, math.ceil(reset_at - time.time()))
    except Exception:  # the storage backend is down; see the docstring
        current_app.logger.exception("Rate-limit storage unavailable; API request allowed")
    return None


def _limit(key: str) -> None:
    wait = _retry_after(key)
    if wait is not None:
        raise Problem(
            429,
            f"Too many requests: try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def bearer_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> ApiCaller:
    """The caller of this request, from its token; raises 401 (or 429) problems."""
    raw = bearer_token()
    if raw is None:
        _limit(f"address:{request.remote_addr or 'unknown'}")
        raise Problem(
            401,
            "Send a personal access token as 'Authorization: Bearer <token>'. Make one on "
            "the API tokens page.",
            headers={"WWW-Authenticate": WWW_AUTHENTICATE},
        )
    caller: ApiCaller | None = None
    for attempt in attempts():
        with attempt:
            token = api_tokens.authenticate(raw)
            caller = (
                ApiCaller(user=token.user, scope=token.scope, token_id=token.id)
                if token is not None
                else None
            )
    if caller is None:
        _limit(f"address:{request.remote_addr or 'unknown'}")
        raise Problem(
            401,
            "The token is not known, has expired or was revoked.",
            headers={"WWW-Authenticate": WWW_AUTHENTICATE + ', error="invalid_token"'},
        )
    _limit(f"token:{caller.token_id}")
    g.api_caller = caller
    return caller


def api_caller() -> ApiCaller:
    """The authenticated caller of this API request (set by the access rule)."""
    caller = g.get("api_caller")
    assert isinstance(caller, ApiCaller)
    return caller
