"""The benchmark floor page: off unless SGREVIEWS_BENCHMARK_FLOOR_BYTES is set, refused in
production, signed-in only, and exactly the configured size."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import Role
from sgreviews.settings import ConfigurationError, Settings
from tests import factories
from tests.conftest import make_test_app, sign_in


def test_floor_is_not_served_by_default(app: Flask) -> None:
    assert app.test_client().get("/benchmark/floor").status_code == 404
    assert not any(rule.rule == "/benchmark/floor" for rule in app.url_map.iter_rules())


def test_floor_page_is_signed_in_only_and_of_the_configured_size(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    floored = make_test_app(
        database_url, tmp_path / uuid.uuid4().hex, SGREVIEWS_BENCHMARK_FLOOR_BYTES="8400"
    )
    anonymous = floored.test_client().get("/benchmark/floor")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    with app.app_context():
        email = factories.user(Role.PRACTITIONER).email
        db.session.commit()
    client = floored.test_client()
    assert sign_in(client, email).status_code == 302
    response = client.get("/benchmark/floor")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert len(response.get_data()) == 8400
    # The same stack as every page: the security headers are there.
    assert "Content-Security-Policy" in response.headers


def test_floor_setting_is_refused_in_production() -> None:
    production = {
        "SGREVIEWS_ENV": "production",
        "SECRET_KEY": "a-production-like-secret-key-for-this-test-only",
        "SGREVIEWS_BENCHMARK_FLOOR_BYTES": "8192",
    }
    with pytest.raises(ConfigurationError, match="refused in production"):
        Settings.from_env(production)
    assert (
        Settings.from_env(
            {**production, "SGREVIEWS_BENCHMARK_FLOOR_BYTES": ""}
        ).benchmark_floor_bytes
        == 0
    )
