"""Request ids and JSON log lines (issue 21): every response carries an X-Request-Id (the
proxy's, or a new one); with SGREVIEWS_LOG_FORMAT=json every log line is one JSON object
with time, level, logger, message and the request id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from sgreviews.logs import JsonFormatter, configure_logging
from sgreviews.settings import Settings
from tests.conftest import make_test_app

pytestmark = pytest.mark.own_database


@pytest.fixture
def json_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(f"sqlite:///{tmp_path / 'logs.db'}", tmp_path, SGREVIEWS_LOG_FORMAT="json")

    def shout() -> dict[str, bool]:
        logging.getLogger("sgreviews.test").warning("something to see: %s", 42)
        return {"logged": True}

    app.add_url_rule("/test-log", view_func=shout)
    try:
        yield app
    finally:
        configure_logging("text")  # leave the process's logging as the other tests expect


def _capture_json_handler() -> io.StringIO:
    """Point the JSON handler the app installed on the root logger at a buffer."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    handler.setStream(output)
    return output


def _json_lines(stderr: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_every_response_carries_a_request_id(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/health/live").headers["X-Request-Id"]
    second = client.get("/health/live").headers["X-Request-Id"]
    assert len(first) == 32 and first != second
    sent = client.get("/health/live", headers={"X-Request-Id": "lb-4b1f.9c:7"})
    assert sent.headers["X-Request-Id"] == "lb-4b1f.9c:7"
    # Anything that could break a log line or a header is replaced by a new id.
    odd = client.get("/health/live", headers={"X-Request-Id": 'a b"}'})
    assert odd.headers["X-Request-Id"] != 'a b"}' and len(odd.headers["X-Request-Id"]) == 32
    # Error pages too.
    assert client.get("/no-such-page").headers["X-Request-Id"]


def test_json_log_lines_carry_the_request_id(json_app: Flask) -> None:
    output = _capture_json_handler()
    response = json_app.test_client().get("/test-log", headers={"X-Request-Id": "req-123"})
    assert response.status_code == 200
    lines = [line for line in _json_lines(output.getvalue()) if line["logger"] == "sgreviews.test"]
    assert len(lines) == 1
    (line,) = lines
    assert set(line) == {"time", "level", "logger", "message", "request_id"}
    assert line["level"] == "WARNING"
    assert line["message"] == "something to see: 42"
    assert line["request_id"] == "req-123"
    assert str(line["time"]).endswith("+00:00")


def test_json_log_lines_outside_a_request_have_no_id(json_app: Flask) -> None:
    output = _capture_json_handler()
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("sgreviews.test").exception("a job failed")
    (line,) = [
        line for line in _json_lines(output.getvalue()) if line["logger"] == "sgreviews.test"
    ]
    assert line["request_id"] is None
    assert "ValueError: broken" in str(line["exception"])


def test_the_log_format_defaults_to_json_in_production_only(tmp_path: Path) -> None:
    base = {"SECRET_KEY": "x" * 40, "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env({**base, "SGREVIEWS_ENV": "production"}).log_format == "json"
    assert Settings.from_env({**base, "SGREVIEWS_ENV": "development"}).log_format == "text"
    assert Settings.from_env({**base, "SGREVIEWS_ENV": "testing"}).log_format == "text"
    chosen = {**base, "SGREVIEWS_ENV": "production", "SGREVIEWS_LOG_FORMAT": "text"}
    assert Settings.from_env(chosen).log_format == "text"


def test_text_format_removes_the_json_handler(json_app: Flask) -> None:
    configure_logging("text")
    assert not [h for h in logging.getLogger().handlers if type(h).__name__ == "_JsonHandler"]
