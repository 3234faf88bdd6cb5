"""The OpenAPI 3.1 document of the API, built from the same constants the views check
their parameters against. It is served at ``/api/v1/openapi.json`` and checked in as
``docs/openapi.json`` (``sgreviews api openapi -o docs/openapi.json`` writes it; a test
fails when the two differ)."""

from __future__ import annotations

import json
from typing import Any

from sgreviews.models import ActionStatus, FindingKind, ImpactStatus
from sgreviews.services.actions.rag import Rag
from sgreviews.services.api.cursors import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from sgreviews.services.api.records import ACTION_CSV_COLUMNS
from sgreviews.services.reviews.queries import DeadlineState
from sgreviews.web.api.params import KEY_PATTERN, MAX_ID, list_pattern
from sgreviews.web.api.write_views import NOTE_MAX, PROGRESS_STATUSES

PROBLEM = "application/problem+json"

DESCRIPTION = """\
Read reviews, findings, SMART actions, review clocks and the dashboard's figures, and
record progress on actions.

**Authentication.** Every call but this document needs a personal access token, made by
a signed-in user on the *API tokens* page (it is shown once), sent as
`Authorization: Bearer <token>`. A token acts as its user: it sees exactly what the user's
role and agency see in the browser (an agency lead's token sees their agency's actions
and the reviews their agency is part of). A *read* token only reads; a *read and write*
token may also record progress where its user may.

**Paging.** Lists answer `{"items": [...], "next_cursor": "..."}` in id order; pass
`next_cursor` back as `cursor` for the next page (null on the last page).

**Caching.** Every JSON answer has an `ETag`; send it back as `If-None-Match` to get
`304 Not Modified` when nothing changed.

**Writing.** `POST /api/v1/actions/{action_id}/progress` needs the action's `version`
(from reading it) as `If-Match`; a stale version gets `412`. An update entered as history
gives the day it took effect as `effective_on`.

**Errors** are `application/problem+json` (RFC 9457), with `errors` naming each bad
parameter. Calls are rate limited per token (`429` with `Retry-After`).
"""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _schemas() -> dict[str, Any]:
    def enum(values: list[str]) -> dict[str, Any]:
        return {"type": "string", "enum": values}

    return {
        "Problem": {
            "type": "object",
            "properties": {
                "type": STRING,
                "title": STRING,
                "status": INTEGER,
                "detail": STRING,
                "errors": {
                    "type": "array",
                    "items": _object({"parameter": STRING, "detail": STRING}),
                },
            },
            "required": ["type", "title", "status"],
        },
        "Review": _object(
            {
                "id": INTEGER,
                "reference": STRING,
                "partnership_id": INTEGER,
                "partnership": STRING,
                "review_type": STRING,
                "subject_label": STRING,
                "subject_kind": enum(["child", "adult", "family"]),
                "stage": STRING,
                "on_hold": BOOLEAN,
                "notified_on": _nullable(DATE),
                "started_on": DATE,
                "completed_on": _nullable(DATE),
                "published_on": _nullable(DATE),
                "version": INTEGER,
                "updated_at": MOMENT,
            }
        ),
        "Finding": _object(
            {
                "id": INTEGER,
                "review_id": INTEGER,
                "review_reference": STRING,
                "position": INTEGER,
                "kind": enum([kind.value for kind in FindingKind]),
                "text": STRING,
                "themes": {"type": "array", "items": STRING},
                "action_ids": {"type": "array", "items": INTEGER},
                "addressed_at": _nullable(MOMENT),
                "version": INTEGER,
            }
        ),
        "Action": _object(
            {
                "id": INTEGER,
                "reference": STRING,
                "outcome_sought": STRING,
                "action_text": STRING,
                "measure_of_success": STRING,
                "owning_agency_id": INTEGER,
                "owning_agency": STRING,
                "lead": _nullable(STRING),
                "lead_subgroup": _nullable(STRING),
                "due_date": DATE,
                "original_due_date": DATE,
                "status": enum([status.value for status in ActionStatus]),
                "off_track": BOOLEAN,
                "rag": enum([rag.value for rag in Rag]),
                "impact_status": enum([status.value for status in ImpactStatus]),
                "finding_ids": {"type": "array", "items": INTEGER},
                "review_ids": {"type": "array", "items": INTEGER},
                "review_references": {"type": "array", "items": STRING},
                "version": {**INTEGER, "description": "Send as If-Match to update."},
                "updated_at": MOMENT,
            }
        ),
        "Clock": _object(
            {
                "id": INTEGER,
                "review_id": INTEGER,
                "review_reference": STRING,
                "clock_key": STRING,
                "name": STRING,
                "start_on": DATE,
                "due_on": DATE,
                "met_on": _nullable(DATE),
                "state": enum([state.value for state in DeadlineState]),
                "rule": STRING,
                "calendar": STRING,
            }
        ),
        "AgencyFigures": _object(
            {
                "agency_id": INTEGER,
                "agency": STRING,
                "by_status": {"type": "object", "additionalProperties": INTEGER},
                "open": INTEGER,
                "total": INTEGER,
                "overdue": INTEGER,
                "average_days_overdue": {"type": ["number", "null"]},
            }
        ),
        "Dashboard": _object(
            {
                "business_year": STRING,
                "quarter": _nullable(INTEGER),
                "partnership_id": _nullable(INTEGER),
                "agency_id": _nullable(INTEGER),
                "today": DATE,
                "actions_by_agency": {"type": "array", "items": _ref("AgencyFigures")},
                "overdue_ageing": {
                    "type": "array",
                    "items": _object({"band": STRING, "count": INTEGER}),
                },
                "reviews_by_type_and_stage": {
                    "type": "array",
                    "items": _object({"review_type": STRING, "stage": STRING, "count": INTEGER}),
                },
            }
        ),
        "ProgressUpdate": {
            "type": "object",
            "properties": {
                "status": enum(list(PROGRESS_STATUSES)),
                "note": {"type": "string", "minLength": 1, "maxLength": NOTE_MAX},
                "off_track": BOOLEAN,
                "effective_on": {
                    **DATE,
                    "description": (
                        "The day the update took effect, when entering history (issue 18): "
                        "not before the review began and not in the future. Today if left out."
                    ),
                },
            },
            "required": ["status", "note"],
            "additionalProperties": False,
        },
        **{
            f"{name}Page": _object(
                {"items": {"type": "array", "items": _ref(name)}, "next_cursor": _nullable(STRING)}
            )
            for name in ("Review", "Finding", "Action", "Clock")
        },
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


KEY = {"type": "string", "pattern": KEY_PATTERN}
PAGING = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "Items per page.",
    ),
    _query(
        "cursor", {"type": "string", "pattern": CURSOR_PATTERN}, "next_cursor of the last page."
    ),
]
COMMON = [
    _query("partnership", ID, "Only this partnership's reviews (id)."),
    _query("review_type", KEY, "Only reviews of this type (a key of config/review_types.toml)."),
]
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": STRING,
    "description": "The ETag of a copy you hold: 304 when it is still current.",
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _errors(*statuses: int) -> dict[str, Any]:
    meanings = {
        400: "A parameter or the body is not valid (each named in errors).",
        401: "No token, or not a valid one.",
        403: "The token's user (or its scope) may not do this.",
        404: "No such object.",
        412: "If-Match holds an old version: read the action again.",
        415: "The body is not JSON.",
        422: "The update was refused (for example completed without evidence).",
        428: "If-Match is missing.",
        429: "Too many requests; see Retry-After.",
    }
    return {str(status): _problem(meanings[status]) for status in statuses}


def _json_ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "headers": {"ETag": {"schema": STRING}},
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"description": "Not modified since the ETag sent as If-None-Match."},
    }


def _read(
    operation_id: str,
    summary: str,
    schema: str,
    parameters: list[dict[str, Any]],
    *,
    found: bool = False,
) -> dict[str, Any]:
    statuses = (400, 401, 403, 404, 429) if found else (400, 401, 403, 429)
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [*parameters, IF_NONE_MATCH],
            "responses": {**_json_ok(schema, summary), **_errors(*statuses)},
        }
    }


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _action_filters() -> list[dict[str, Any]]:
    statuses = tuple(status.value for status in ActionStatus)
    return [
        *COMMON,
        _query("review", ID, "Only actions answering this review's findings (id)."),
        _query("agency", ID, "Only this agency's actions (id)."),
        _query(
            "status",
            {"type": "string", "pattern": list_pattern(statuses)},
            "One status or several, comma-separated: " + ", ".join(statuses) + ".",
        ),
        _query("due_before", DATE, "Due on or before this day."),
        _query("due_after", DATE, "Due on or after this day."),
        _query("overdue", BOOLEAN, "true: only open actions past their due date."),
    ]


def document() -> dict[str, Any]:
    """The OpenAPI document, as a JSON-ready dict."""
    paths: dict[str, Any] = {
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document (no token needed)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "304": {"description": "Not modified since the ETag sent as If-None-Match."},
                },
            }
        },
        "/api/v1/reviews": _read(
            "listReviews",
            "Reviews the token may read",
            "ReviewPage",
            [
                *PAGING,
                *COMMON,
                _query("stage", KEY, "Only reviews at this stage (a key of the type's stages)."),
                _query("completed", BOOLEAN, "true: completed reviews; false: open ones."),
                _query("agency", ID, "Only reviews this agency is in or holds actions of."),
                _query("started_after", DATE, "Started on or after this day."),
                _query("started_before", DATE, "Started on or before this day."),
            ],
        ),
        "/api/v1/reviews/{review_id}": _read(
            "getReview", "One review", "Review", [_path_id("review_id")], found=True
        ),
        "/api/v1/findings": _read(
            "listFindings",
            "Findings of the reviews the token may read",
            "FindingPage",
            [
                *PAGING,
                *COMMON,
                _query("review", ID, "Only this review's findings (id)."),
                _query(
                    "kind",
                    {"type": "string", "enum": [kind.value for kind in FindingKind]},
                    "Only findings of this kind.",
                ),
            ],
        ),
        "/api/v1/actions": _read(
            "listActions",
            "SMART actions the token may read, with their RAG rating today",
            "ActionPage",
            [*PAGING, *_action_filters()],
        ),
        "/api/v1/actions/{action_id}": _read(
            "getAction", "One action", "Action", [_path_id("action_id")], found=True
        ),
        "/api/v1/actions.csv": {
            "get": {
                "operationId": "actionsCsv",
                "summary": "Every action the token may read, as CSV (for Power BI or Excel)",
                "parameters": _action_filters(),
                "responses": {
                    "200": {
                        "description": "Columns: " + ", ".join(ACTION_CSV_COLUMNS) + ".",
                        "content": {"text/csv": {"schema": STRING}},
                    },
                    **_errors(400, 401, 403, 429),
                },
            }
        },
        "/api/v1/actions/{action_id}/progress": {
            "post": {
                "operationId": "recordProgress",
                "summary": "Record a progress update on an action",
                "parameters": [
                    _path_id("action_id"),
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "pattern": r'^"[0-9]{1,9}"$'},
                        "description": 'The action\'s version as read, such as "3".',
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ProgressUpdate")}},
                },
                "responses": {
                    "200": {
                        "description": "Saved: the action as it is now.",
                        "headers": {"ETag": {"schema": STRING}},
                        "content": {"application/json": {"schema": _ref("Action")}},
                    },
                    **_errors(400, 401, 403, 404, 412, 415, 422, 428, 429),
                },
            }
        },
        "/api/v1/clocks": _read(
            "listClocks",
            "Statutory clocks (deadlines) of the reviews the token may read",
            "ClockPage",
            [
                *PAGING,
                *COMMON,
                _query("review", ID, "Only this review's clocks (id)."),
                _query("due_before", DATE, "Due on or before this day."),
                _query("due_after", DATE, "Due on or after this day."),
                _query("met", BOOLEAN, "true: clocks met; false: clocks still running."),
            ],
        ),
        "/api/v1/dashboard": _read(
            "getDashboard",
            "The dashboard's figures (secretariat and chair)",
            "Dashboard",
            [
                _query(
                    "year",
                    {"type": "integer", "minimum": 2000, "maximum": 2100},
                    "The business year starting 1 April of this year (default: the current).",
                ),
                _query("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, "One quarter."),
                _query("partnership", ID, "One partnership (id)."),
                _query("agency", ID, "One agency (id)."),
            ],
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Safeguarding reviews API",
            "version": "1.0.0",
            "description": DESCRIPTION,
        },
        "security": [{"personalAccessToken": []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "personalAccessToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token from the API tokens page.",
                }
            },
        },
    }


def document_text() -> str:
    """The document as the checked-in file holds it."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
