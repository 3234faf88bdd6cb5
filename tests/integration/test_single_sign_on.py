"""Single sign-on against a real OpenID Connect provider served over HTTP in a thread
(``tests/oidc.py``): the app's test client plays the browser on our side, real HTTP
requests play it at the provider, and the app itself talks to the provider over HTTP
(discovery, token, JWKS). Groups become roles, agencies and partnerships; accounts are
made just in time and brought up to date at each sign-in; a bad state or nonce is
refused; passwords (with two-factor) still work beside it."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Role, User
from sgreviews.settings import PROJECT_ROOT
from sgreviews.web.sso.client import MAPPING_EXTENSION
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in
from tests.oidc import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    path_and_query,
    query_of,
    running_provider,
)

BASE_URL = "http://sgreviews.test"
CALLBACK = f"{BASE_URL}/sign-in/sso/callback"
AGENCY = "Testshire Constabulary (single sign-on)"
PARTNERSHIP = "TSSO"

SSO_TOML = f"""
groups_claim = "groups"
[[roles]]
group = "grp-admin"
role = "administrator"
[[roles]]
group = "grp-secretariat"
role = "secretariat"
[[roles]]
group = "grp-leads"
role = "agency_lead"
[[roles]]
group = "grp-practitioners"
role = "practitioner"
[[agencies]]
group = "grp-police"
agency = "{AGENCY}"
[[partnerships]]
group = "grp-tscp"
partnership = "{PARTNERSHIP}"
"""


def sso_config(tmp_path_factory: pytest.TempPathFactory, text: str = SSO_TOML) -> Path:
    config = tmp_path_factory.mktemp("sso-config") / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    (config / "sso.toml").write_text(text, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def sso_app(
    app: Flask, database_url: str, provider: Provider, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    """The tests' database (already migrated by ``app``) with both ways in, two-factor
    required for password accounts of the roles that need it."""
    return make_test_app(
        database_url,
        tmp_path_factory.mktemp("sso-instance"),
        SGREVIEWS_SIGN_IN_METHODS="both",
        SGREVIEWS_OIDC_ISSUER=provider.url,
        SGREVIEWS_OIDC_CLIENT_ID=CLIENT_ID,
        SGREVIEWS_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        SGREVIEWS_CONFIG_DIR=str(sso_config(tmp_path_factory)),
        SGREVIEWS_BASE_URL=BASE_URL,
        SGREVIEWS_TWO_FACTOR="required",
    )


@pytest.fixture
def organisations(sso_app: Flask) -> Iterator[None]:
    with sso_app.app_context():
        factories.agency(name=AGENCY)
        factories.partnership(short_name=PARTNERSHIP)
        db.session.commit()
    yield


def claims(subject: str, *groups: str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "email": f"{subject}@testshire.example",
        "name": f"Person {subject.upper()}",
        "groups": list(groups),
    }
    values.update(extra)
    return values


def start(client: FlaskClient, path: str = "/sign-in/sso") -> str:
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    return str(response.headers["Location"])


def sso_sign_in(
    client: FlaskClient, provider: Provider, subject: str, *groups: str, **extra: Any
) -> TestResponse:
    """The whole round trip: our sign-in button, the provider's page, back to us."""
    provider.set_user(subject, claims(subject, *groups, **extra))
    back = provider.approve(start(client), subject)
    assert back.startswith(CALLBACK + "?"), back
    return client.get(path_and_query(back))


def account(app: Flask, subject: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.oidc_subject == subject))
        if user is not None:
            _ = user.agency, user.partnerships
            db.session.expunge(user)
        return user


def audit_events(app: Flask, event: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)
            )
        )
        for item in found:
            db.session.expunge(item)
        return found


def test_first_sign_in_makes_the_account_with_pkce_state_and_nonce(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    provider.received.clear()
    response = sso_sign_in(client, provider, "lead-q1", "grp-leads", "grp-police")
    assert response.status_code == 302
    assert response.headers["Location"] == "/agency/actions"
    assert client.get("/agency/actions").status_code == 200

    user = account(sso_app, "lead-q1")
    assert user is not None
    assert user.role is Role.AGENCY_LEAD
    assert user.agency is not None and user.agency.name == AGENCY
    assert user.email == "lead-q1@testshire.example"
    assert user.display_name == "Person LEAD-Q1"
    assert user.oidc_issuer == provider.url
    assert not user.has_two_factor  # the provider is the second factor, not us

    created = [e for e in audit_events(sso_app, "create") if e.entity_id == user.id]
    assert created and created[-1].after is not None
    assert created[-1].after["source"] == "single sign-on"
    assert created[-1].after["role"] == "agency_lead"
    signed_in = [e for e in audit_events(sso_app, "sign_in") if e.actor_id == user.id]
    assert signed_in[-1].after == {"method": "sso"}

    # Request by request: discovery, the authorisation request with state, nonce and a
    # PKCE challenge, the token request proving the verifier, the provider's keys.
    paths = [item.path for item in provider.received if item.path != "/users/lead-q1"]
    assert paths[0] == "/.well-known/openid-configuration"
    assert "/oauth2/authorize" in paths and "/oauth2/token" in paths and "/jwks" in paths
    authorize = provider.requests_to("/oauth2/authorize")[-1]
    assert authorize.query["response_type"] == "code"
    assert authorize.query["client_id"] == CLIENT_ID
    assert authorize.query["redirect_uri"] == CALLBACK
    assert set(authorize.query["scope"].split()) == {"openid", "email", "profile"}
    assert authorize.query["code_challenge_method"] == "S256"
    assert len(authorize.query["state"]) >= 20 and len(authorize.query["nonce"]) >= 20
    token = provider.requests_to("/oauth2/token")[-1]
    assert token.form["grant_type"] == "authorization_code"
    verifier = token.form["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge.rstrip(b"=").decode() == authorize.query["code_challenge"]
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert token.authorization == f"Basic {expected}"


def test_groups_map_to_role_agency_and_partnerships(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    response = sso_sign_in(client, provider, "sec-r2", "grp-secretariat", "grp-tscp")
    assert response.headers["Location"] == "/work"  # the secretariat's home: "Your work"
    user = account(sso_app, "sec-r2")
    assert user is not None and user.role is Role.SECRETARIAT
    assert [p.short_name for p in user.partnerships] == [PARTNERSHIP]

    # In several role groups: the first in config/sso.toml wins (administrator).
    other = sso_app.test_client()
    response = sso_sign_in(other, provider, "admin-s3", "grp-practitioners", "grp-admin")
    assert response.headers["Location"] == "/admin/users"
    admin = account(sso_app, "admin-s3")
    assert admin is not None and admin.role is Role.ADMINISTRATOR
    # Two-factor is required for administrators, but not asked of a single sign-on.
    assert other.get("/admin/users").status_code == 200


def test_a_group_removed_at_the_provider_takes_the_role_away(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    first = sso_app.test_client()
    sso_sign_in(first, provider, "mover-t4", "grp-admin", "grp-practitioners", "grp-police")
    user = account(sso_app, "mover-t4")
    assert user is not None and user.role is Role.ADMINISTRATOR

    second = sso_app.test_client()
    response = sso_sign_in(second, provider, "mover-t4", "grp-practitioners", "grp-police")
    assert response.headers["Location"] == "/learning"
    assert second.get("/admin/users").status_code == 403
    again = account(sso_app, "mover-t4")
    assert again is not None and again.id == user.id and again.role is Role.PRACTITIONER
    update = [e for e in audit_events(sso_app, "update") if e.entity_id == user.id][-1]
    assert update.before is not None and update.after is not None
    assert update.before["role"] == "administrator"
    assert update.after["role"] == "practitioner" and update.after["source"] == "sso"


def test_no_mapped_group_is_refused_with_a_clear_page(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    response = sso_sign_in(client, provider, "stranger-u5", "grp-unrelated")
    assert response.status_code == 403
    text = page_text(response)
    assert "You do not have access to this service" in text
    assert "not in any group that gives access" in text
    assert account(sso_app, "stranger-u5") is None
    assert client.get("/learning").status_code == 302  # not signed in
    refusal = audit_events(sso_app, "sso_refused")[-1]
    assert refusal.after is not None and refusal.after["reason"] == "no_group"
    assert refusal.after["subject"] == "stranger-u5"


def test_all_groups_removed_refuses_and_leaves_the_account(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    sso_sign_in(sso_app.test_client(), provider, "leaver-v6", "grp-secretariat")
    client = sso_app.test_client()
    response = sso_sign_in(client, provider, "leaver-v6")
    assert response.status_code == 403
    assert client.get("/overview").status_code == 302


def test_agency_role_without_an_agency_group_is_refused(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    response = sso_sign_in(sso_app.test_client(), provider, "lead-w7", "grp-leads")
    assert response.status_code == 403
    assert "no group that says which agency" in page_text(response)


def test_a_state_that_is_not_this_browsers_is_refused(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    provider.set_user("state-x8", claims("state-x8", "grp-secretariat"))
    back = provider.approve(start(client), "state-x8")
    forged = path_and_query(back).replace(f"state={query_of(back)['state']}", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400
    failure = audit_events(sso_app, "sso_failed")[-1].after
    assert failure is not None and "MismatchingStateError" in failure["reason"]
    assert "could not be completed" in page_text(response)
    assert client.get("/overview").status_code == 302
    assert account(sso_app, "state-x8") is None

    # The answer meant for another browser's sign-in is refused in this one.
    other = sso_app.test_client()
    response = other.get(path_and_query(back))
    assert response.status_code == 400


def test_a_nonce_that_is_not_the_one_sent_is_refused(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    provider.set_user("nonce-y9", claims("nonce-y9", "grp-secretariat"))
    back = provider.approve(start(client), "nonce-y9")
    with client.session_transaction() as session:
        (key,) = [key for key in session if key.startswith("_state_sso_")]
        data = session[key]
        data["data"]["nonce"] = "not-the-nonce-the-provider-signed"
        session[key] = data
    response = client.get(path_and_query(back))
    assert response.status_code == 400
    # Refused for the nonce, not for anything else.
    failure = audit_events(sso_app, "sso_failed")[-1].after
    assert failure is not None and "nonce" in failure["reason"], failure
    assert client.get("/overview").status_code == 302
    assert account(sso_app, "nonce-y9") is None


def test_password_sign_in_still_works_with_two_factor(sso_app: Flask) -> None:
    with sso_app.app_context():
        user = factories.user(Role.SECRETARIAT)
        secret = pyotp.random_base32()
        user.totp_secret = secret
        user.totp_confirmed_at = user.created_at
        email = user.email
        db.session.commit()
    client = sso_app.test_client()
    page = client.get("/sign-in")
    text = page_text(page)
    assert "Sign in with your organisation's account" in text
    assert "Sign in with a password" in text
    response = sign_in(client, email)
    assert response.headers["Location"] == "/sign-in/two-factor"
    assert client.get("/overview").status_code == 302
    done = client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert client.get("/overview").status_code == 200


def test_an_account_of_single_sign_on_takes_no_password(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    sso_sign_in(sso_app.test_client(), provider, "nopass-z1", "grp-secretariat")
    response = sign_in(sso_app.test_client(), "nopass-z1@testshire.example", "!single-sign-on")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in page_text(response)


def test_an_existing_password_account_is_matched_only_when_configured(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    with sso_app.app_context():
        existing = factories.user(Role.SECRETARIAT, email="match-a2@testshire.example")
        existing_id = existing.id
        db.session.commit()
    refused = sso_sign_in(
        sso_app.test_client(), provider, "match-a2", "grp-secretariat", email_verified=True
    )
    assert refused.status_code == 403
    assert "already exists here" in page_text(refused)

    mapping = sso_app.extensions[MAPPING_EXTENSION]
    sso_app.extensions[MAPPING_EXTENSION] = dataclasses.replace(mapping, match_verified_email=True)
    try:
        unverified = sso_sign_in(sso_app.test_client(), provider, "match-a2", "grp-secretariat")
        assert unverified.status_code == 403
        linked = sso_sign_in(
            sso_app.test_client(), provider, "match-a2", "grp-secretariat", email_verified=True
        )
    finally:
        sso_app.extensions[MAPPING_EXTENSION] = mapping
    assert linked.status_code == 302
    user = account(sso_app, "match-a2")
    assert user is not None and user.id == existing_id


def test_a_deactivated_account_is_refused(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    sso_sign_in(sso_app.test_client(), provider, "gone-b3", "grp-secretariat")
    with sso_app.app_context():
        user = db.session.scalar(select(User).where(User.oidc_subject == "gone-b3"))
        assert user is not None
        user.is_active = False
        db.session.commit()
    response = sso_sign_in(sso_app.test_client(), provider, "gone-b3", "grp-secretariat")
    assert response.status_code == 403
    assert "deactivated" in page_text(response)


def test_signing_out_ends_the_session_here_and_at_the_provider(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    sso_sign_in(client, provider, "out-c4", "grp-secretariat")
    response = client.post("/sign-out")
    assert response.headers["Location"] == "/sign-in/sso/signed-out"
    assert client.get("/overview").status_code == 302  # our session is over already
    onward = client.get("/sign-in/sso/signed-out")
    location = onward.headers["Location"]
    assert location.startswith(f"{provider.url}/oauth2/end_session?")
    assert query_of(location)["client_id"] == CLIENT_ID
    assert query_of(location)["post_logout_redirect_uri"] == f"{BASE_URL}/sign-in?signed_out=1"
    # Only straight after signing out: the address alone does not send anyone there.
    assert client.get("/sign-in/sso/signed-out").headers["Location"] == "/sign-in?signed_out=1"


def test_a_password_sign_out_stays_here(sso_app: Flask) -> None:
    with sso_app.app_context():
        email = factories.user(Role.PRACTITIONER, factories.agency()).email
        db.session.commit()
    client = sso_app.test_client()
    sign_in(client, email)
    assert client.post("/sign-out").headers["Location"] == "/sign-in?signed_out=1"


def test_confirming_identity_signs_in_again_at_the_provider(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    sso_sign_in(client, provider, "admin-d5", "grp-admin")
    page = client.get("/confirm-identity?next=/admin/users/new")
    assert page.status_code == 200
    assert "Sign in again with your organisation's account" in page_text(page)
    assert 'href="/sign-in/sso?next=/admin/users/new&amp;again=1"' in page.get_data(as_text=True)
    authorize = start(client, "/sign-in/sso?next=/admin/users/new&again=1")
    assert query_of(authorize)["prompt"] == "login"
    back = client.get(path_and_query(provider.approve(authorize, "admin-d5")))
    assert back.headers["Location"] == "/admin/users/new"
    assert client.get("/admin/users/new").status_code == 200


def test_the_content_security_policy_lets_sign_out_reach_the_provider(
    sso_app: Flask, provider: Provider
) -> None:
    policy = sso_app.test_client().get("/sign-in").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.url};" in policy


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(
    app: Flask, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with running_provider() as gone:
        url = gone.url
    down = make_test_app(
        database_url,
        tmp_path_factory.mktemp("sso-down-instance"),
        SGREVIEWS_SIGN_IN_METHODS="sso",
        SGREVIEWS_OIDC_ISSUER=url,
        SGREVIEWS_OIDC_CLIENT_ID=CLIENT_ID,
        SGREVIEWS_CONFIG_DIR=str(sso_config(tmp_path_factory)),
    )
    client = down.test_client()
    page = client.get("/sign-in")
    assert "Sign in with your organisation's account" in page_text(page)
    assert "Password" not in page_text(page)  # single sign-on only
    refused = client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
    assert refused.status_code == 405
    assert client.get("/account/forgot-password").status_code == 404
    response = client.get("/sign-in/sso")
    assert response.status_code == 503
    assert "could not be reached" in page_text(response)


ROLES_AND_ANON = [None, *Role]


@pytest.mark.parametrize("role", ROLES_AND_ANON, ids=lambda r: r.value if r else "anon")
def test_the_routes_answer_every_role_alike(
    role: Role | None, sso_app: Flask, provider: Provider
) -> None:
    """Per-role access with single sign-on on: starting a sign-in is open to all; the
    callback without this browser's state is refused for all; the provider's sign-out
    only follows our own."""
    client = sso_app.test_client()
    if role is not None:
        with sso_app.app_context():
            user = factories.user(role, factories.agency() if role.needs_agency else None)
            secret = pyotp.random_base32()
            user.totp_secret, user.totp_confirmed_at = secret, user.created_at
            email = user.email
            db.session.commit()
        assert sign_in(client, email).status_code == 302
        client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(secret).now()})
        assert client.get("/notifications").status_code == 200  # signed in
    assert client.get("/sign-in/sso").headers["Location"].startswith(provider.url)
    assert client.get("/sign-in/sso/callback?code=x&state=y").status_code == 400
    assert client.get("/sign-in/sso/signed-out").status_code == 302


def test_the_administrator_sees_an_account_of_single_sign_on_as_such(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    sso_sign_in(sso_app.test_client(), provider, "shown-f6", "grp-secretariat")
    shown = account(sso_app, "shown-f6")
    assert shown is not None
    admin = sso_app.test_client()
    sso_sign_in(admin, provider, "admin-f7", "grp-admin")
    page = admin.get(f"/admin/users/{shown.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "Their organisation's account (single sign-on)" in text
    assert "Set a new password" not in text and "Two-factor authentication" not in text


def test_cancelling_at_the_provider_signs_no_one_in(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    sso_sign_in(client, provider, "earlier-g8", "grp-secretariat")
    authorize = start(client)
    denied = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=10)
    back = denied.headers["Location"]
    assert query_of(back)["error"] == "access_denied"
    response = client.get(path_and_query(back))
    assert response.status_code == 400
    assert "cancelled" in page_text(response)


def test_a_refusal_signs_out_whoever_was_signed_in(
    sso_app: Flask, provider: Provider, organisations: None
) -> None:
    client = sso_app.test_client()
    sso_sign_in(client, provider, "earlier-h9", "grp-secretariat")
    assert client.get("/overview").status_code == 200
    assert sso_sign_in(client, provider, "stranger-h9", "grp-unrelated").status_code == 403
    assert client.get("/overview").status_code == 302


def test_sso_check_names_what_the_database_lacks(sso_app: Flask) -> None:
    runner = sso_app.test_cli_runner()
    missing = runner.invoke(args=["sso", "check"])
    assert missing.exit_code == 1
    assert f"agency {AGENCY}  (NOT FOUND)" in missing.output
    assert f"partnership {PARTNERSHIP!r}" in missing.output
    assert "group grp-admin -> role administrator" in missing.output


def test_sso_check_passes_when_everything_exists(sso_app: Flask, organisations: None) -> None:
    result = sso_app.test_cli_runner().invoke(args=["sso", "check"])
    assert result.exit_code == 0, result.output
    assert "Sign-in methods: both (single sign-on on)" in result.output
    assert "Every agency and partnership named exists." in result.output
