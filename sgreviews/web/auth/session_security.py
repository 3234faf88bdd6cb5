"""Session rules: the idle timeout, and re-authentication before sensitive operations.

``recent_authentication_required`` goes on any view that does something sensitive (user
management now; "export everything" later), under the view's access decorator:

    @blueprint.route("/admin/users/new", methods=["GET", "POST"])
    @requires(Permission.MANAGE_USERS)
    @recent_authentication_required
    def create_user() -> ...

A user who has not given their password (and code, where enrolled) in the last
``RECENT_AUTHENTICATION_MINUTES`` is sent to confirm their identity, then brought back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from sgreviews.models import User
from sgreviews.settings import Settings

View = TypeVar("View", bound=Callable[..., Any])

RECENT_AUTHENTICATION_MINUTES = 15
LAST_SEEN_KEY = "last_seen"
AUTHENTICATED_AT_KEY = "authenticated_at"
# "sso" for a session begun by single sign-on (signing out then goes on to the provider).
SIGN_IN_METHOD_KEY = "sign_in_method"
# Left in the fresh session by signing out of a single sign-on session: the next page
# (``sso.end_session``) signs out at the provider too, and only then.
END_PROVIDER_SESSION_KEY = "sso_end_session"


def start_session(user: User) -> None:
    """Sign the user in with a fresh session (a new session on every sign-in, so nothing
    set before it, such as a half-finished two-factor step, carries over)."""
    session.clear()
    login_user(user)
    now = time.time()
    session[LAST_SEEN_KEY] = now
    session[AUTHENTICATED_AT_KEY] = now


def start_single_sign_on_session(user: User) -> None:
    start_session(user)
    session[SIGN_IN_METHOD_KEY] = "sso"


def end_session() -> bool:
    """Sign out and clear the session. True when it had begun by single sign-on: the
    provider's end-session step is then allowed (once) in the fresh session."""
    by_single_sign_on = session.get(SIGN_IN_METHOD_KEY) == "sso"
    logout_user()
    session.clear()
    if by_single_sign_on:
        session[END_PROVIDER_SESSION_KEY] = True
    return by_single_sign_on


def mark_reauthenticated() -> None:
    session[AUTHENTICATED_AT_KEY] = time.time()


def is_recently_authenticated() -> bool:
    at = session.get(AUTHENTICATED_AT_KEY)
    return isinstance(at, int | float) and time.time() - at < RECENT_AUTHENTICATION_MINUTES * 60


def recent_authentication_required(view: View) -> View:
    """Ask for the password (and code) again unless given in the last few minutes."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if isinstance(current_user, User) and not is_recently_authenticated():
            return redirect(url_for("auth.confirm_identity", next=_return_path()))
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def _return_path() -> str | None:
    """Where to come back to after confirming identity: this page for a GET; for a form
    post (whose URL may not answer a GET) the same-site page the form was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return "/" + referrer[len(request.host_url) :]
    return None


def enforce_idle_timeout() -> Any:
    """End a signed-in session left idle longer than SGREVIEWS_SESSION_IDLE_MINUTES. The
    JSON API (``api.*``) is left alone: it reads no session, only its bearer token, so a
    call from a browser tab neither ends nor extends the tab's session."""
    if request.endpoint == "static" or (request.endpoint or "").startswith("api."):
        return None
    if not isinstance(current_user, User):
        return None
    settings: Settings = current_app.extensions["sgreviews.settings"]
    now = time.time()
    last_seen = session.get(LAST_SEEN_KEY)
    idle_limit = settings.session_idle_minutes * 60
    if not isinstance(last_seen, int | float) or now - last_seen > idle_limit:
        logout_user()
        session.clear()
        flash(
            f"You were signed out because you had not used the service for "
            f"{settings.session_idle_minutes} minutes. Sign in again to continue.",
            "info",
        )
        next_path = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=next_path))
    session[LAST_SEEN_KEY] = now
    return None


def reject_nul_characters() -> None:
    """Refuse a request whose query or form values hold a NUL character: no person types
    one, PostgreSQL cannot store or compare one (the query would fail with a server
    error), and it is a common probe. Applies to every form of every area."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)


def init_app(app: Flask) -> None:
    app.before_request(reject_nul_characters)
    app.before_request(enforce_idle_timeout)
