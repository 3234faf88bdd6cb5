"""Signing in with the organisation's account (OpenID Connect, authorisation code flow
with PKCE), and the provider's sign-out after ours.

Every route answers 404 while single sign-on is off (SGREVIEWS_SIGN_IN_METHODS)."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask import url_for as flask_url_for
from flask_login import logout_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from sgreviews.policy import home_endpoint
from sgreviews.services.accounts import sso as sso_accounts
from sgreviews.settings import Settings
from sgreviews.web.access import public
from sgreviews.web.auth import session_security
from sgreviews.web.sso import client as sso_client
from sgreviews.web.transactions import transaction

blueprint = Blueprint("sso", __name__)
log = logging.getLogger(__name__)

_NEXT = "sso_next"

UNREACHABLE = (
    "Your organisation's sign-in service could not be reached. Try again in a few minutes; "
    "if it keeps happening, tell this service's administrator."
)
NOT_COMPLETED = (
    "Signing in with your organisation's account could not be completed: the answer from "
    "the sign-in service did not match the request this browser made, or it had expired. "
    "This can happen if you used the browser's back button or waited a long time."
)

CANCELLED = (
    "Signing in was cancelled at your organisation's sign-in page, so you have not been signed in."
)


def _settings() -> Settings:
    settings: Settings = current_app.extensions["sgreviews.settings"]
    return settings


def _safe_next(target: str | None) -> str | None:
    """Only a same-site path (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _redirect_uri() -> str:
    """The callback address registered with the provider: the service's public address
    (SGREVIEWS_BASE_URL), so it is the same behind any proxy."""
    return _settings().base_url.rstrip("/") + flask_url_for("sso.callback")


def _problem(message: str, status: int) -> tuple[str, int]:
    return render_template("sso/problem.html", message=message), status


def _failed(reason: str, message: str = NOT_COMPLETED) -> tuple[str, int]:
    log.warning("single sign-on failed: %s", reason)
    with transaction():
        sso_accounts.record_failure(reason)
    return _problem(message, 400)


@blueprint.route("/sign-in/sso")
@public  # starts a sign-in: the provider decides who may continue
def start() -> Response | tuple[str, int]:
    """Send the browser to the provider. ``again=1`` asks the provider to make the person
    sign in afresh (``prompt=login``): confirming identity before a sensitive step."""
    oidc = sso_client.client()
    if oidc is None:
        abort(404)
    extra = {"prompt": "login"} if request.args.get("again") else {}
    try:
        response: Response = oidc.authorize_redirect(_redirect_uri(), **extra)
    except (requests.RequestException, AuthlibBaseError, RuntimeError, ValueError):
        log.exception("the OpenID Connect provider's discovery document could not be read")
        return _problem(UNREACHABLE, 503)
    session[_NEXT] = _safe_next(request.args.get("next"))
    return response


@blueprint.route("/sign-in/sso/callback")
@public  # the state, PKCE verifier and nonce kept in the session are checked below
def callback() -> Response | tuple[str, int]:
    oidc = sso_client.client()
    if oidc is None:
        abort(404)
    if request.args.get("error") == "access_denied":
        return _failed("access_denied: the person cancelled at the provider", CANCELLED)
    try:
        token = oidc.authorize_access_token()
    except requests.RequestException:
        log.exception("the OpenID Connect provider could not be reached for the token")
        return _problem(UNREACHABLE, 503)
    except (AuthlibBaseError, JoseError, KeyError, ValueError) as error:
        # A state that is not this browser's, an expired or tampered ID token (signature,
        # issuer, audience, expiry), a nonce that is not the one sent, an error from the
        # provider (the person cancelled, say).
        return _failed(f"{type(error).__name__}: {error}")
    claims = token.get("userinfo")
    if not claims:
        return _failed("the provider sent no ID token")
    mapping = sso_client.mapping()
    identity = sso_accounts.identity_from_claims(claims, mapping)
    destination = _safe_next(session.get(_NEXT))
    with transaction():
        outcome = sso_accounts.sign_in(identity, mapping)
    if isinstance(outcome, sso_accounts.SignInRefused):
        # Whoever was signed in in this browser before is not any more either: the page
        # says no one is.
        logout_user()
        session.clear()
        return render_template("sso/refused.html", message=outcome.message), 403
    session_security.start_single_sign_on_session(outcome)
    return redirect(destination or flask_url_for(home_endpoint(outcome)))


@blueprint.route("/sign-in/sso/signed-out")
@public  # reached from signing out; sends to the provider only after our sign-out
def end_session() -> Response:
    """After our session has ended: sign out at the provider too when it offers an
    end-session endpoint (RP-initiated logout), coming back to the sign-in page."""
    signed_out = flask_url_for("auth.sign_in", signed_out=1)
    oidc = sso_client.client()
    if oidc is None or not session.pop(session_security.END_PROVIDER_SESSION_KEY, False):
        return redirect(signed_out)
    try:
        metadata = oidc.load_server_metadata()
    except (requests.RequestException, AuthlibBaseError, ValueError):
        log.warning("the provider could not be reached to sign out there too", exc_info=True)
        return redirect(signed_out)
    if not metadata.get("end_session_endpoint"):
        return redirect(signed_out)
    back = _settings().base_url.rstrip("/") + signed_out
    logout = oidc.create_logout_url(
        post_logout_redirect_uri=back, client_id=_settings().oidc_client_id
    )
    return redirect(logout["url"])
