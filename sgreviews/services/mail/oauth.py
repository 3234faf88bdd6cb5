"""Access tokens by OAuth2 client credentials, for SMTP XOAUTH2 and Microsoft Graph.

MSAL's ``ConfidentialClientApplication`` does the work: it reads the authority's OpenID
configuration (``{authority}/v2.0/.well-known/openid-configuration``), posts the client
credentials to the token endpoint named there, and keeps the token in its cache until it
is about to expire (MSAL renews five minutes early). Instance discovery is turned off, so
an authority other than ``login.microsoftonline.com`` (a sovereign cloud, or the tests'
local authority) is used as given instead of being checked with Microsoft.

One application per distinct set of credentials lives for the life of the process, so
the scheduler's outbox job asks the token endpoint once an hour, not once a run.
"""

from __future__ import annotations

import threading
from typing import Any

import msal
import requests

from sgreviews.services.mail.base import MailError
from sgreviews.services.mail.config import OAuthSettings
from sgreviews.services.mail.http import MailHttpSession

# Token endpoint errors that mean the credentials or the registration are wrong: retrying
# the same request cannot help. (RFC 6749 section 5.2.)
PERMANENT_TOKEN_ERRORS = (
    "invalid_client",
    "unauthorized_client",
    "invalid_scope",
    "invalid_request",
    "unsupported_grant_type",
)

_lock = threading.Lock()
_applications: dict[tuple[str, ...], TokenSource] = {}


class TokenSource:
    def __init__(self, oauth: OAuthSettings, ca_file: str | None, timeout: float) -> None:
        self.oauth = oauth
        self.ca_file = ca_file
        self.timeout = timeout
        self._application: Any = None
        self._lock = threading.Lock()

    def _app(self) -> Any:
        with self._lock:
            if self._application is None:
                # Building the application reads the OpenID configuration over the network.
                self._application = msal.ConfidentialClientApplication(
                    self.oauth.client_id,
                    client_credential=self.oauth.client_secret,
                    authority=self.oauth.authority,
                    instance_discovery=False,
                    http_client=MailHttpSession(self.ca_file, self.timeout),
                    token_cache=msal.TokenCache(),
                )
            return self._application

    def token(self) -> str:
        """A current access token, from the cache when it has one; else a
        :class:`MailError` for the whole transport."""
        try:
            result = self._app().acquire_token_for_client(scopes=[self.oauth.scope])
        except (requests.RequestException, ValueError, RuntimeError, OSError) as error:
            raise MailError(
                f"cannot get a mail token from {self.oauth.authority}: {error}",
                whole_transport=True,
            ) from error
        token = result.get("access_token") if isinstance(result, dict) else None
        if isinstance(token, str) and token:
            return token
        code = str(result.get("error", "no access token")) if isinstance(result, dict) else ""
        description = str(result.get("error_description", "")) if isinstance(result, dict) else ""
        raise MailError(
            f"the token endpoint of {self.oauth.authority} refused client "
            f"{self.oauth.client_id}: {code}: {description.splitlines()[0] if description else ''}",
            permanent=code in PERMANENT_TOKEN_ERRORS,
            whole_transport=True,
        )


def token_source(oauth: OAuthSettings, ca_file: str | None, timeout: float) -> TokenSource:
    """The process's token source for these credentials (its cache survives between
    deliveries)."""
    key = (
        oauth.authority,
        oauth.client_id,
        oauth.client_secret,
        oauth.scope,
        ca_file or "",
        str(timeout),
    )
    with _lock:
        source = _applications.get(key)
        if source is None:
            source = _applications[key] = TokenSource(oauth, ca_file, timeout)
        return source
