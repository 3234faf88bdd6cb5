"""The OpenID Connect client, built with Authlib's Flask integration.

Authlib reads the provider's discovery document on first use (never at start-up, so a
provider that is down stops sign-in, not the service), sends the person to the
authorisation endpoint with a random ``state``, a ``nonce`` and a PKCE challenge (S256),
keeps those in the signed session cookie, and on the way back checks the state, swaps
the code (with the PKCE verifier) for tokens, and verifies the ID token: its signature
against the provider's published keys (JWKS, fetched again when a new key id appears),
and its issuer, audience, expiry and nonce."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, current_app

from sgreviews.services.accounts.sso_mapping import GroupMapping, load_mapping
from sgreviews.settings import Settings

CLIENT_NAME = "sso"
CLIENT_EXTENSION = "sgreviews.oidc_client"
MAPPING_EXTENSION = "sgreviews.sso_mapping"
# Seconds to wait for the provider on each request the server makes to it.
PROVIDER_TIMEOUT = 10


def init_app(app: Flask, settings: Settings) -> None:
    """Check ``config/sso.toml`` (always: an unknown key stops start-up) and, when single
    sign-on is on, register the provider."""
    app.extensions[MAPPING_EXTENSION] = load_mapping(
        settings.config_dir, required=settings.single_sign_on
    )
    if not settings.single_sign_on:
        return
    client_kwargs: dict[str, Any] = {
        "scope": settings.oidc_scopes,
        "code_challenge_method": "S256",
        "default_timeout": PROVIDER_TIMEOUT,
    }
    if not settings.oidc_client_secret:
        client_kwargs["token_endpoint_auth_method"] = "none"  # a public client: PKCE alone
    oauth = OAuth(app)
    app.extensions[CLIENT_EXTENSION] = oauth.register(
        CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=settings.oidc_metadata_url,
        client_kwargs=client_kwargs,
    )


def client() -> FlaskOAuth2App | None:
    """The provider's client, or None when single sign-on is off."""
    found: FlaskOAuth2App | None = current_app.extensions.get(CLIENT_EXTENSION)
    return found


def mapping() -> GroupMapping:
    found: GroupMapping = current_app.extensions[MAPPING_EXTENSION]
    return found


def provider_origin(settings: Settings) -> str | None:
    """The provider's origin (scheme, host and port of its discovery document), allowed
    as a form target by the Content Security Policy: signing out is a form, and the
    browser follows its redirect to the provider's end-session endpoint only if the
    policy allows it."""
    if not settings.single_sign_on:
        return None
    parts = urlsplit(settings.oidc_metadata_url)
    return f"{parts.scheme}://{parts.netloc}"
