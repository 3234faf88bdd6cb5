"""The API's writing call: a progress update on an action, by the same service as the
progress page (``writes.record_progress``), audited the same way, optionally dated when it
took effect (``effective_on``, for history).

Optimistic locking: the caller sends the action's ``version`` (from reading it) in
``If-Match``; a version that is no longer current is refused with 412 Precondition Failed,
and a call without it with 428 Precondition Required. Evidence files are attached in the
browser: "completed" needs evidence already attached."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, request

from sgreviews.clock import london_today
from sgreviews.models import ActionStatus
from sgreviews.policy import Permission, can_update_action
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.lists import ratings
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.api import records
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.web.access import api_token
from sgreviews.web.api.common import blueprint, tagged
from sgreviews.web.api.params import DAY_DETAIL, Params, iso_day
from sgreviews.web.api_auth import api_caller
from sgreviews.web.api_problems import Problem
from sgreviews.web.transactions import attempts

PROGRESS_STATUSES = tuple(status.value for status in action_service.PROGRESS_STATUSES)
NOTE_MAX = 10_000
VERSION_TAG = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')


def _expected_version() -> int:
    raw = request.headers.get("If-Match")
    if raw is None:
        raise Problem(428, 'Read the action and send its version as If-Match: "<version>".')
    match = VERSION_TAG.match(raw)
    if match is None:
        raise Problem(
            400,
            'If-Match must hold the action\'s version, such as "3".',
            errors=[{"parameter": "If-Match", "detail": "must be the action's version"}],
        )
    return int(match.group(1))


def _body() -> dict[str, Any]:
    if not request.is_json:
        raise Problem(415, "Send the update as a JSON object with Content-Type application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, "The body must be a JSON object.")
    problems = []
    unknown = sorted(set(body) - {"status", "note", "off_track", "effective_on"})
    problems += [{"parameter": name, "detail": "is not a field of an update"} for name in unknown]
    if body.get("status") not in PROGRESS_STATUSES:
        problems.append(
            {"parameter": "status", "detail": "must be one of " + ", ".join(PROGRESS_STATUSES)}
        )
    note = body.get("note")
    if not isinstance(note, str) or not note.strip() or len(note) > NOTE_MAX:
        problems.append(
            {"parameter": "note", "detail": f"must be text of 1 to {NOTE_MAX} characters"}
        )
    elif "\x00" in note:
        problems.append({"parameter": "note", "detail": "must not hold a NUL character"})
    if not isinstance(body.get("off_track", False), bool):
        problems.append({"parameter": "off_track", "detail": "must be true or false"})
    if "effective_on" in body and iso_day(body["effective_on"]) is None:
        problems.append({"parameter": "effective_on", "detail": DAY_DETAIL})
    if problems:
        raise Problem(400, "The update is not valid: see errors.", errors=problems)
    return body


def _stale(current_version: int) -> Problem:
    return Problem(
        412,
        f"The action has changed since you read it: it is now at version {current_version}. "
        "Read it again and send the new version.",
    )


@blueprint.route("/actions/<int:action_id>/progress", methods=["POST"])
@api_token(Permission.UPDATE_ACTIONS, write=True)
def record_progress(action_id: int) -> Response:
    Params(set()).check()
    user = api_caller().user
    action = action_reads.get_action(action_id)
    if action is None:
        raise Problem(404, "There is no action with that id.")
    if not can_update_action(user, action):
        for attempt in attempts():
            with attempt:
                action_service.record_denied(user, action, request.path)
        raise Problem(403, "Your agency may not update this action.")
    expected = _expected_version()
    body = _body()
    # Stricter than the progress page, where a bare note never conflicts: a caller that
    # says which version it read is held to it.
    if expected != action.version:
        raise _stale(action.version)
    try:
        # A note is an append: one that lost a race to another is simply added again.
        for attempt in attempts():
            with attempt:
                action_service.record_progress(
                    actor=user,
                    action=action,
                    status=ActionStatus(body["status"]),
                    note=body["note"],
                    off_track=bool(body.get("off_track", False)),
                    expected_version=expected,
                    effective_on=iso_day(body.get("effective_on")),
                )
    except StaleEdit as error:
        fresh = action_reads.get_action(action_id)
        raise _stale(fresh.version if fresh else expected) from error
    except FieldError as error:
        raise Problem(
            422,
            error.message,
            errors=[{"parameter": error.field_name, "detail": error.message}],
        ) from error
    saved = action_reads.get_action(action_id)
    assert saved is not None
    rag = ratings([saved], london_today(), current_rules())[saved.id]
    return tagged(records.action(saved, rag))
