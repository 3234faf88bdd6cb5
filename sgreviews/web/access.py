"""Access rules on views. Every view carries exactly one of these decorators; a test walks
the URL map and fails when a view has none."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from sgreviews.policy import Permission, api_scope_allows, has_permission
from sgreviews.web import api_auth
from sgreviews.web.api_problems import Problem

View = TypeVar("View", bound=Callable[..., Any])

ACCESS_RULE_ATTRIBUTE = "access_rule"


def public(view: View) -> View:
    """Anyone, signed in or not (sign-in page, health check)."""
    setattr(view, ACCESS_RULE_ATTRIBUTE, "public")
    return view


def signed_in(view: View) -> View:
    """Any signed-in, active user."""
    wrapped = login_required(view)
    setattr(wrapped, ACCESS_RULE_ATTRIBUTE, "signed_in")
    return wrapped  # type: ignore[no-any-return]


def requires(permission: Permission) -> Callable[[View], View]:
    """A signed-in user whose role holds ``permission``; others get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped = login_required(guarded)
        setattr(wrapped, ACCESS_RULE_ATTRIBUTE, permission.value)
        return wrapped  # type: ignore[no-any-return]

    return decorator


def api_token(permission: Permission, *, write: bool = False) -> Callable[[View], View]:
    """A JSON API call with a valid personal access token (``Authorization: Bearer``) whose
    user's role holds ``permission`` and, for a call that writes, a read-write token.
    Answers 401, 403 and 429 as problem details; the view then asks the policy about the
    object, as the web pages do."""

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            caller = api_auth.authenticate()
            if not has_permission(caller.user, permission):
                raise Problem(403, "Your role may not use this part of the API.")
            if not api_scope_allows(caller.scope, write=write):
                raise Problem(403, "This token is read only: make a read and write token.")
            return view(*args, **kwargs)

        rule = f"api:{permission.value}" + (":write" if write else "")
        setattr(guarded, ACCESS_RULE_ATTRIBUTE, rule)
        return guarded  # type: ignore[return-value]

    return decorator
