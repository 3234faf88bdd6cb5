"""Log lines for a log collector, each with the request it belongs to.

Every request gets an id: the ``X-Request-Id`` a proxy sent (when it looks like an id), or
a new one; the response carries it back, so a person's report, the proxy's log and the
app's log meet on one value. With ``SGREVIEWS_LOG_FORMAT=json`` (production's default)
every log line is one JSON object: time (UTC, ISO 8601), level, logger, message, request
id (null outside a request) and the traceback when there is one. With ``text`` the
logging set-up is left as it was.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-Id"
# What a request id sent by a client may look like: it is copied into logs and a header,
# so nothing that could break a line or a header is accepted.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def current_request_id() -> str | None:
    if not has_request_context():
        return None
    request_id: str | None = g.get("request_id")
    return request_id


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            # When the line was logged (not formatted), in UTC.
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler this module installs; marked by its class so a second app (the tests
    make many) replaces it instead of adding another."""


def configure_logging(log_format: str) -> None:
    """Install (json) or remove (text) the JSON handler on the root logger."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(handler)
    if log_format != "json":
        return
    handler = _JsonHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def init_request_ids(app: Flask) -> None:
    """Give every request an id (the proxy's, or a new one) and return it in the response."""

    @app.before_request
    def assign_request_id() -> None:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if ACCEPTED_REQUEST_ID.fullmatch(sent) else secrets.token_hex(16)

    @app.after_request
    def return_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
