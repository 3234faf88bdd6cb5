"""Errors of the JSON API as ``application/problem+json`` (RFC 9457): a type, a title, the
status, a detail for the caller and, for bad parameters, each one named with its problem.

``Problem`` is an HTTP exception, so anything under ``/api/`` raises it like ``abort``; the
app's error handlers (``register_error_pages``) answer every error under ``/api/`` in this
form, including Flask's own 404 and 405 and an unexpected failure."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

PROBLEM_MIMETYPE = "application/problem+json"
API_PATH_PREFIX = "/api/"

TITLES = {
    400: "The request is not valid",
    401: "A valid personal access token is needed",
    403: "This token may not do that",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Someone else saved at the same moment",
    412: "The action has changed since you read it",
    415: "Send the body as application/json",
    422: "The update was refused",
    428: "Send If-Match with the action's version",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


class Problem(HTTPException):
    """An API error with its problem details."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title or TITLES.get(status, TITLES[500])
        self.detail = detail
        self.errors = errors
        self.extra_headers = headers or {}

    def get_response(self, *_args: Any, **_kwargs: Any) -> Response:
        return problem_response(
            self.code or 500, self.title, self.detail, self.errors, self.extra_headers
        )


def problem_response(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, TITLES[500]),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def for_http_exception(error: HTTPException) -> Response:
    """Any HTTP error raised under ``/api/`` as problem details."""
    if isinstance(error, Problem):
        return error.get_response()
    status = error.code or 500
    headers = {}
    if status == 405 and error.response is None:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    detail = None if status == 500 else error.description
    if status == 400 and detail and "browser" in detail:
        detail = None  # werkzeug's default wording speaks of browsers
    return problem_response(status, None, detail, None, headers)
