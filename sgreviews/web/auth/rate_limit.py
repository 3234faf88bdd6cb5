"""Sign-in rate limiting per client address, with Flask-Limiter.

Storage is set by SGREVIEWS_RATELIMIT_STORAGE_URI: ``memory://`` (the default) counts per
process, so with several gunicorn workers or servers use a shared store such as
``redis://127.0.0.1:6379/0``. Each application gets its own ``Limiter`` (kept in
``app.extensions``) so two apps in one process, as in the tests, never share settings.

Behind a reverse proxy the client address is the proxy's unless the proxy's
``X-Forwarded-For`` is trusted (see docs/security.md).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from sgreviews.settings import Settings

EXTENSION_KEY = "sgreviews.limiter"
SCOPE = "sign-in"


def init_app(app: Flask) -> None:
    settings: Settings = app.extensions["sgreviews.settings"]
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.ratelimit_storage_uri,
        strategy="moving-window",
        enabled=bool(settings.sign_in_rate_limit or settings.public_pdf_rate_limit),
    )
    app.extensions[EXTENSION_KEY] = limiter


def allow_sign_in_attempt(scope: str = SCOPE) -> bool:
    """Count one sign-in attempt from this client; False once it is over the limit.
    ``scope`` keeps separate counts (the "Forgot your password?" page has its own).

    If the shared store cannot be reached the attempt is allowed (and logged): the
    database lockout still stops guessing at one account, and people can still sign in.
    """
    settings: Settings = current_app.extensions["sgreviews.settings"]
    if not settings.sign_in_rate_limit:
        return True
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    address = get_remote_address() or request.remote_addr or "unknown"
    try:
        return all(
            limiter.limiter.hit(item, scope, address)
            for item in parse_many(settings.sign_in_rate_limit)
        )
    except Exception:  # the storage backend is down; see the docstring
        current_app.logger.exception("Rate-limit storage unavailable; sign-in allowed")
        return True


PUBLIC_PDF_SCOPE = "public-briefing-pdf"


def allow_public_pdf() -> bool:
    """Count one download of a public briefing's PDF from this client; False once it is
    over SGREVIEWS_PUBLIC_PDF_RATE_LIMIT. Like sign-in, an unreachable store allows it."""
    settings: Settings = current_app.extensions["sgreviews.settings"]
    if not settings.public_pdf_rate_limit:
        return True
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    address = get_remote_address() or request.remote_addr or "unknown"
    try:
        return all(
            limiter.limiter.hit(item, PUBLIC_PDF_SCOPE, address)
            for item in parse_many(settings.public_pdf_rate_limit)
        )
    except Exception:  # the storage backend is down
        current_app.logger.exception("Rate-limit storage unavailable; public PDF allowed")
        return True
