"""Access rules on views. Every view carries exactly one of these decorators; a test walks
the URL map and fails when a view has none."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from sgreviews.policy import Permission, has_permission

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
