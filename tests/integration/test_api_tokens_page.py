"""The "API tokens" page: a token is shown once, stored as a digest, listed with its scope,
expiry and last use, and revoked by its owner alone; bad input is shown beside its field."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import ApiScope, ApiToken, AuditEvent, Role
from sgreviews.services.accounts.api_tokens import digest
from tests.conftest import page_text

TOKEN = re.compile(r'<code id="new-api-token" class="app-token">(sgr_[A-Za-z0-9_-]+)</code>')


def create(client: FlaskClient, name: str = "Power BI actions report", **extra: str) -> str:
    response = client.post(
        "/account/api-tokens", data={"name": name, "scope": "read", "days": "90", **extra}
    )
    assert response.status_code == 200
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, page_text(response)
    return match.group(1)


def test_a_new_token_is_shown_once_and_works(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    client = client_for(Role.SECRETARIAT)
    raw = create(client)
    with app.app_context():
        stored = db.session.scalar(
            select(ApiToken).where(ApiToken.name == "Power BI actions report")
        )
        assert stored is not None
        assert stored.token_digest == digest(raw)
        assert stored.scope is ApiScope.READ
        created = AuditEvent.event == "api_token_created"
        audited = db.session.scalars(select(AuditEvent.after).where(created)).all()
        assert audited and raw not in str(audited)
    page = client.get("/account/api-tokens")
    text = page_text(page)
    assert raw not in page.get_data(as_text=True)
    assert "Power BI actions report" in text and raw[:8] in text and "Never" in text
    api = app.test_client().get("/api/v1/reviews", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_revoking_stops_the_token(app: Flask, client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(Role.AGENCY_LEAD)
    raw = create(client, "Case system")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Case system"))
    response = client.post(f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert "Revoked" in page_text(client.get("/account/api-tokens"))
    api = app.test_client().get("/api/v1/actions", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "api_token_revoked"))


def test_another_users_token_cannot_be_revoked(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    owner = client_for(Role.SECRETARIAT)
    raw = create(owner, "Owner's token")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Owner's token"))
    other = client_for(Role.SECRETARIAT)
    assert other.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    api = app.test_client().get("/api/v1/reviews", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_bad_input_is_shown_beside_the_field(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(Role.CHAIR)
    response = client.post("/account/api-tokens", data={"name": "", "scope": "read", "days": "90"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert "Enter a name for the token" in html
    assert 'id="new-api-token"' not in html
    too_long = client.post(
        "/account/api-tokens", data={"name": "Report", "scope": "read", "days": "3650"}
    )
    assert "govuk-error-summary" in too_long.get_data(as_text=True)


def test_only_roles_that_update_actions_are_offered_writing(
    client_for: Callable[..., FlaskClient],
) -> None:
    practitioner = client_for(Role.PRACTITIONER)
    assert 'value="read_write"' not in practitioner.get("/account/api-tokens").get_data(
        as_text=True
    )
    refused = practitioner.post(
        "/account/api-tokens", data={"name": "Sneaky", "scope": "read_write", "days": "30"}
    )
    assert "govuk-error-summary" in refused.get_data(as_text=True)
    lead = client_for(Role.AGENCY_LEAD)
    assert 'value="read_write"' in lead.get("/account/api-tokens").get_data(as_text=True)
