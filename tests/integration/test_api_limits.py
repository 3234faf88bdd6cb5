"""The API's rate limit and its exemption from CSRF, each on an application of its own
(the shared test app has CSRF off and no API limit)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.api_world import build_world
from tests.conftest import make_test_app
from tests.factories import PASSWORD


def test_calls_past_the_limit_get_429_with_retry_after(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    limited = make_test_app(database_url, tmp_path, SGREVIEWS_API_RATE_LIMIT="3 per minute")
    world = build_world(limited)
    client = limited.test_client()
    statuses = [
        client.get("/api/v1/reviews", headers=world.bearer("chair")).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/reviews", headers=world.bearer("chair"))
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    # Counted per token: another token still gets through.
    assert client.get("/api/v1/reviews", headers=world.bearer("secretariat")).status_code == 200


def test_guessing_tokens_is_limited_by_address(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    limited = make_test_app(database_url, tmp_path, SGREVIEWS_API_RATE_LIMIT="2 per minute")
    client = limited.test_client()
    statuses = [
        client.get(
            "/api/v1/reviews", headers={"Authorization": f"Bearer sgr_guess{number}"}
        ).status_code
        for number in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_token_calls_need_no_csrf_token_but_pages_still_do(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    protected = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED="1")
    world = build_world(protected)
    client = protected.test_client()
    action_id = world.ids["action_1"]
    version = client.get(f"/api/v1/actions/{action_id}", headers=world.bearer("lead_a")).get_json()[
        "version"
    ]
    response = client.post(
        f"/api/v1/actions/{action_id}/progress",
        json={"status": "in_progress", "note": "Started with the team."},
        headers={**world.bearer("lead_a"), "If-Match": f'"{version}"'},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    # The tokens page is a form like any other: without its CSRF token it is refused.
    page_client = protected.test_client()
    with protected.app_context():
        from sgreviews.extensions import db
        from sgreviews.models import User

        email = db.session.get(User, world.ids["lead_a"]).email  # type: ignore[union-attr]
    sign_in_page = page_client.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', sign_in_page)
    assert csrf is not None
    signed_in = page_client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    assert signed_in.status_code == 302
    refused = page_client.post(
        "/account/api-tokens", data={"name": "No CSRF", "scope": "read", "days": "30"}
    )
    assert refused.status_code == 400
