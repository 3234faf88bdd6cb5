"""A real HTTPS server on a loopback port implementing the documented endpoints the mail
transports call, recording every request:

- an Entra ID-style OAuth2 authority: ``GET /{tenant}/v2.0/.well-known/openid-configuration``
  and ``POST /{tenant}/oauth2/v2.0/token`` (client credentials, RFC 6749 section 4.4);
- Microsoft Graph ``POST /v1.0/users/{mailbox}/sendMail`` (202, bearer token issued above);
- GOV.UK Notify ``POST /v2/notifications/email`` (201) and ``GET /v2/template/{id}``, with
  the API's JWT checked as Notify checks it: HS256 signed with the key's secret, ``iss``
  the service id, ``iat`` within 30 seconds.

A test can script the next answers of a route (``script``) to see retries and refusals.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt

from sgreviews.clock import utcnow
from tests.tls import Certificate

TENANT = "0b7c1e6a-5d2f-4c3e-9a41-7d5e2f1c8b90"
CLIENT_ID = "3f2a9c4e-8b71-4d06-a5e3-1c9d7b2e6f40"
CLIENT_SECRET = "test-client-secret~not-real"
MAILBOX = "reminders@partnership.example"
NOTIFY_SERVICE_ID = "6a1e2c4d-9b3f-4e8a-b2d7-5c0f1e9a3b64"
NOTIFY_SECRET = "2d9f4b7a-1c3e-4a5b-8e6f-0a9b8c7d6e5f"
NOTIFY_API_KEY = f"sgreviews_test-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}"
NOTIFY_TEMPLATE_ID = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
NOTIFY_JWT_BOUND_SECONDS = 30

ROUTES = {
    "openid": ("GET", re.compile(r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration$")),
    "token": ("POST", re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")),
    "sendmail": ("POST", re.compile(r"^/v1\.0/users/(?P<mailbox>[^/]+)/sendMail$")),
    "notify_email": ("POST", re.compile(r"^/v2/notifications/email$")),
    "notify_template": ("GET", re.compile(r"^/v2/template/(?P<template>[^/]+)$")),
}


@dataclass
class Recorded:
    route: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Services:
    certificate: Certificate
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    token_lifetime_seconds: int = 3600
    # Tokens issued: the token and the scope it was issued for.
    issued: dict[str, str] = field(default_factory=dict)
    template: dict[str, Any] = field(
        default_factory=lambda: {
            "id": NOTIFY_TEMPLATE_ID,
            "type": "email",
            "version": 3,
            "subject": "((subject))",
            "body": "((body))",
            "name": "sgreviews message",
        }
    )
    scripted: dict[str, list[Answer]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def authority(self) -> str:
        return f"{self.base_url}/{TENANT}"

    def script(self, route: str, *answers: Answer) -> None:
        """The next answers of ``route``, in order, instead of the documented behaviour."""
        assert route in ROUTES
        with self.lock:
            self.scripted.setdefault(route, []).extend(answers)

    def of(self, route: str) -> list[Recorded]:
        with self.lock:
            return [request for request in self.requests if request.route == route]

    def take(self) -> list[Recorded]:
        with self.lock:
            taken, self.requests[:] = list(self.requests), []
        return taken

    # The documented behaviour of each route.

    def answer(self, request: Recorded, match: re.Match[str]) -> Answer:
        with self.lock:
            self.requests.append(request)
            queue = self.scripted.get(request.route)
            if queue:
                return queue.pop(0)
        return getattr(self, f"_{request.route}")(request, match)

    def _openid(self, _request: Recorded, match: re.Match[str]) -> Answer:
        tenant = match["tenant"]
        if tenant != TENANT:
            return Answer(400, {"error": "invalid_tenant", "error_description": "AADSTS90002"})
        base = f"{self.base_url}/{tenant}"
        return Answer(
            200,
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "response_types_supported": ["code"],
            },
        )

    def _token(self, request: Recorded, match: re.Match[str]) -> Answer:
        form = request.form()
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return Answer(400, {"error": "invalid_request"})
        if form.get("grant_type") != "client_credentials":
            return Answer(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return Answer(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        scope = form.get("scope", "")
        if not scope.endswith("/.default") or " " in scope:
            return Answer(400, {"error": "invalid_scope"})
        token = f"test-token-{secrets.token_urlsafe(16)}"
        with self.lock:
            self.issued[token] = scope
        return Answer(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_seconds,
                "ext_expires_in": self.token_lifetime_seconds,
                "access_token": token,
            },
        )

    def token_scope(self, request: Recorded) -> str | None:
        """The scope of the bearer token the request carries, None if not one issued."""
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return None
        with self.lock:
            return self.issued.get(authorization.removeprefix("Bearer "))

    def _sendmail(self, request: Recorded, match: re.Match[str]) -> Answer:
        if self.token_scope(request) != "https://graph.microsoft.com/.default":
            error = {"code": "InvalidAuthenticationToken", "message": "Access token invalid"}
            return Answer(401, {"error": error})
        if unquote(match["mailbox"]) != MAILBOX:
            return Answer(
                404, {"error": {"code": "ErrorInvalidUser", "message": "The mailbox is unknown"}}
            )
        try:
            message = request.json()["message"]
            recipients = [item["emailAddress"]["address"] for item in message["toRecipients"]]
            assert message["subject"] and message["body"]["contentType"] in ("HTML", "Text")
            assert recipients and all("@" in address for address in recipients)
        except (ValueError, KeyError, TypeError, AssertionError):
            return Answer(
                400, {"error": {"code": "ErrorInvalidRecipients", "message": "Bad message"}}
            )
        return Answer(202)

    def notify_token_problem(self, request: Recorded) -> str | None:
        """Notify's check of the Authorization header; None when it passes."""
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = authorization.removeprefix("Bearer ")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return "Invalid token: signature, api token not found"
        if header.get("alg") != "HS256":
            return "Invalid token: algorithm used is not HS256"
        if unverified.get("iss") != NOTIFY_SERVICE_ID:
            return "Invalid token: service not found"
        try:
            claims = jwt.decode(
                token, NOTIFY_SECRET, algorithms=["HS256"], options={"verify_iat": False}
            )
        except jwt.PyJWTError:
            return "Invalid token: signature, api token not found"
        if "iat" not in claims:
            return "Invalid token: iat field not provided"
        if abs(int(utcnow().timestamp()) - int(claims["iat"])) > NOTIFY_JWT_BOUND_SECONDS:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    @staticmethod
    def _notify_error(status: int, error: str, message: str) -> Answer:
        return Answer(
            status, {"status_code": status, "errors": [{"error": error, "message": message}]}
        )

    def _notify_email(self, request: Recorded, _match: re.Match[str]) -> Answer:
        problem = self.notify_token_problem(request)
        if problem:
            return self._notify_error(403, "AuthError", problem)
        try:
            body = request.json()
        except ValueError:
            return self._notify_error(400, "BadRequestError", "Invalid JSON supplied")
        if body.get("template_id") != NOTIFY_TEMPLATE_ID:
            return self._notify_error(400, "BadRequestError", "Template not found")
        if "@" not in str(body.get("email_address", "")):
            return self._notify_error(
                400, "ValidationError", "email_address Not a valid email address"
            )
        personalisation = body.get("personalisation") or {}
        missing = [key for key in ("subject", "body") if key not in personalisation]
        if missing:
            return self._notify_error(
                400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
            )
        notification_id = str(uuid.uuid4())
        return Answer(
            201,
            {
                "id": notification_id,
                "reference": body.get("reference"),
                "content": {
                    "subject": personalisation["subject"],
                    "body": personalisation["body"],
                    "from_email": "partnership@notifications.service.gov.uk",
                },
                "uri": f"{self.base_url}/v2/notifications/{notification_id}",
                "template": {
                    "id": NOTIFY_TEMPLATE_ID,
                    "version": 3,
                    "uri": f"{self.base_url}/v2/template/{NOTIFY_TEMPLATE_ID}",
                },
            },
        )

    def _notify_template(self, request: Recorded, match: re.Match[str]) -> Answer:
        problem = self.notify_token_problem(request)
        if problem:
            return self._notify_error(403, "AuthError", problem)
        if match["template"] != self.template["id"]:
            return self._notify_error(404, "NoResultFound", "No result found")
        return Answer(200, self.template)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        for name, (route_method, pattern) in ROUTES.items():
            match = pattern.match(parts.path)
            if match and route_method == method:
                request = Recorded(
                    route=name,
                    method=method,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
                self._reply(self.server.services.answer(request, match))
                return
        self._reply(Answer(404, {"error": f"no route for {method} {parts.path}"}))

    def _reply(self, answer: Answer) -> None:
        payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        if answer.body is not None:
            self.send_header("Content-Type", "application/json")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    services: Services


@contextmanager
def https_services(certificate: Certificate) -> Iterator[Services]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.socket = certificate.server_context().wrap_socket(server.socket, server_side=True)
    services = Services(certificate, port=int(server.server_address[1]))
    server.services = services
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield services
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
