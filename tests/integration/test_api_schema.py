"""The API against its OpenAPI document: the served document is the checked-in one, and
schemathesis generates calls from the document for every operation, with a secretariat's
read-and-write token over a small world, and finds no failure (no server error, every
status, header, content type and body as documented)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig

from sgreviews.settings import PROJECT_ROOT
from sgreviews.web.api.openapi import document_text
from tests.api_world import build_world

CHECKED_IN = PROJECT_ROOT / "docs" / "openapi.json"


def test_the_served_document_is_the_checked_in_one(app: Flask) -> None:
    served = app.test_client().get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.get_json() == json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    assert Path(CHECKED_IN).read_text(encoding="utf-8") == document_text(), (
        "docs/openapi.json is out of date: run `make openapi`"
    )


def _operations() -> list[tuple[str, str]]:
    document = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    return [
        (method.upper(), path)
        for path, methods in sorted(document["paths"].items())
        for method in sorted(methods)
    ]


# A schema-valid request may still be refused for what it means: 412 (an old version in
# If-Match: the test cannot know the action's current one), 422 (a progress update the
# service refuses, such as "completed" without evidence). Every other default expectation
# stands, and every other check runs.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429"]
            }
        }
    }
)


# schemathesis's own pytest plugin (``schema.parametrize`` with ``from_fixture``) does not
# run under pytest 9, so each operation is one test that draws its cases from
# schemathesis's strategy with Hypothesis directly; ``call_and_validate`` runs every
# default check on each response.
@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda value: str(value))
def test_the_api_keeps_its_document(app: Flask, method: str, path: str) -> None:
    world = build_world(app)
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    operation = api[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=world.bearer("secretariat"))

    check()
