"""A real OpenID Connect provider for the tests: ``oidc-provider-mock`` (built on Authlib's
server pieces) served over HTTP on a loopback port in a thread, with every request it
receives recorded so tests can assert what the app sent, request by request.

The provider signs ID tokens with its own RSA key (published at its JWKS address), puts
the nonce it was sent into the ID token, and returns whatever claims a test gives a
subject (``set_user``), groups included."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import requests
from werkzeug.serving import make_server

CLIENT_ID = "sgreviews-test-client"
CLIENT_SECRET = "sgreviews-test-secret"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    authorization: str | None


@dataclass
class Provider:
    url: str
    received: list[Recorded] = field(default_factory=list)

    def set_user(self, subject: str, claims: dict[str, Any]) -> None:
        """What the provider says about ``subject`` from now on (ID token claims)."""
        response = requests.put(f"{self.url}/users/{subject}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def approve(self, authorize_url: str, subject: str) -> str:
        """Sign ``subject`` in at the provider's authorisation page (what the person does
        in a browser); returns where the provider sends the browser back to."""
        assert authorize_url.startswith(self.url), authorize_url
        response = requests.post(
            authorize_url, data={"sub": subject}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    def requests_to(self, path: str) -> list[Recorded]:
        return [item for item in self.received if item.path == path]


class _Recorder:
    """WSGI middleware keeping each request's method, path, query and form."""

    def __init__(self, app: Any, provider: Provider) -> None:
        self.app = app
        self.provider = provider

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = b""
        if environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO(body)
        form: dict[str, str] = {}
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        query = {key: values[0] for key, values in parse_qs(environ["QUERY_STRING"]).items()}
        self.provider.received.append(
            Recorded(
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                query,
                form,
                environ.get("HTTP_AUTHORIZATION"),
            )
        )
        return self.app(environ, start_response)


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider on ``http://localhost:<port>`` until the block ends. Nonces are
    required: an authorisation request without one is refused."""
    app = oidc_provider_mock.app(require_nonce=True)
    server = make_server("localhost", 0, app, threaded=True)
    provider = Provider(f"http://localhost:{server.server_port}")
    server.app = _Recorder(app, provider)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
