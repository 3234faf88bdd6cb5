"""What every action page shares: the blueprint, the signed-in user, loading an action,
the checks that record a refusal in the audit trail, and an action's rating."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from sgreviews.clock import london_today
from sgreviews.models import Action, User
from sgreviews.policy import can_update_action, can_view_action
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.rag import Rag, current_rules
from sgreviews.web.transactions import attempts

blueprint = Blueprint("actions", __name__)


def signed_in_user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def action_or_404(action_id: int, *, history: bool = False) -> Action:
    if history:
        action = action_reads.get_action_with_history(action_id)
    else:
        action = action_reads.get_action(action_id)
    if action is None:
        abort(404)
    return action


def record_denied(action: Action) -> None:
    """Keep the refusal in the audit trail. An append: while others write (SQLite lets one
    writer at a time) it is simply tried again, never answered with an error page."""
    for attempt in attempts():
        with attempt:
            action_service.record_denied(signed_in_user(), action, request.path)


def view_or_403(action: Action) -> None:
    if not can_view_action(current_user, action):
        record_denied(action)
        abort(403)


def update_or_403(action: Action) -> None:
    if not can_update_action(current_user, action):
        record_denied(action)
        abort(403)


def rag_for(action: Action) -> Rag:
    return action_lists.ratings([action], london_today(), current_rules())[action.id]
