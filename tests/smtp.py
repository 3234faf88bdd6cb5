"""A real SMTP server (aiosmtpd) on a loopback port, collecting what it receives; with
:func:`secure_smtp_server`, one speaking STARTTLS or implicit TLS and asking for AUTH
(LOGIN/PLAIN with a password, or XOAUTH2 with a bearer token it checks)."""

from __future__ import annotations

import base64
import binascii
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sgreviews.services.mail.config import MailSettings
from tests.tls import Certificate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage
    # The TLS cipher of the session (None when in clear) and who signed in.
    cipher: Any = None
    login: str | None = None

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return str(body.get_content())


@dataclass
class Inbox:
    port: int
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Recipients the server refuses, with its reply ("550 5.1.1 ...", "451 4.3.0 ...").
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        with self.lock:
            refusal = self.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        cipher = server.transport.get_extra_info("cipher") if server.transport else None
        login = session.login_data
        if isinstance(login, bytes):
            login = login.decode()
        with self.lock:
            self.messages.append(Received(list(envelope.rcpt_tos), parsed, cipher, login))
        return "250 Message accepted for delivery"

    def settings(self) -> MailSettings:
        return mail_settings(self.port)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [received for received in self.messages if received.to == address]

    def take(self) -> list[Received]:
        """Everything received so far, emptying the inbox."""
        with self.lock:
            taken, self.messages[:] = list(self.messages), []
        return taken

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


def mail_settings(port: int) -> MailSettings:
    return MailSettings.from_env(
        {
            "SGREVIEWS_SMTP_HOST": "127.0.0.1",
            "SGREVIEWS_SMTP_PORT": str(port),
            "SGREVIEWS_SMTP_STARTTLS": "false",
            "SGREVIEWS_SMTP_USERNAME": "",
            "SGREVIEWS_SMTP_PASSWORD": "",
            "SGREVIEWS_MAIL_FROM": "Safeguarding reviews <reminders@sgreviews.example>",
        }
    )


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[Inbox]:
    inbox = Inbox(port or free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class SecureInbox(Inbox):
    """An inbox behind TLS that asks for AUTH: ``users`` for LOGIN/PLAIN, and
    ``valid_token`` deciding an XOAUTH2 bearer token. ``sign_ins`` records each attempt:
    (mechanism, user, accepted)."""

    users: dict[str, str] = field(default_factory=dict)
    valid_token: Callable[[str, str], bool] = lambda _user, _token: False
    sign_ins: list[tuple[str, str, bool]] = field(default_factory=list)

    def authenticator(
        self, _server: Any, _session: Any, _envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        accepted = self.users.get(user) == password
        with self.lock:
            self.sign_ins.append((mechanism, user, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 as Exchange Online and Gmail speak it: the initial response is
        base64 of ``user=...^Aauth=Bearer <token>^A^A``; a refusal is a 334 with a JSON
        status, answered by an empty line, then 535."""
        if len(args) > 1:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                return AuthResult(success=False, handled=False)
        else:
            response = await server.challenge_auth("")
            if not isinstance(response, bytes):
                return AuthResult(success=False, handled=True)
            blob = response
        fields = dict(part.split("=", 1) for part in blob.decode().split("\x01") if "=" in part)
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        accepted = blob.endswith(b"\x01\x01") and self.valid_token(user, token)
        with self.lock:
            self.sign_ins.append(("XOAUTH2", user, accepted))
        if not accepted:
            await server.challenge_auth(
                json.dumps({"status": "401", "schemes": "bearer", "scope": "SMTP.Send"})
            )
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))


@contextmanager
def secure_smtp_server(
    certificate: Certificate,
    mode: str,
    users: dict[str, str] | None = None,
    valid_token: Callable[[str, str], bool] | None = None,
) -> Iterator[SecureInbox]:
    """``mode`` "starttls": a plain port that offers STARTTLS and requires it before AUTH
    and mail, and AUTH before mail; "tls": implicit TLS from the first byte (port 465)."""
    inbox = SecureInbox(free_port(), users=users or {})
    if valid_token is not None:
        inbox.valid_token = valid_token
    context = certificate.server_context()
    common: dict[str, Any] = {
        "hostname": "127.0.0.1",
        "port": inbox.port,
        "authenticator": inbox.authenticator,
    }
    if mode == "starttls":
        controller = Controller(
            inbox,
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            auth_required=True,
            **common,
        )
    else:
        # The whole session is TLS, which aiosmtpd's STARTTLS-based checks cannot see (and
        # it warns about AUTH required without them): AUTH is offered, not required; the
        # tests check who signed in on each message received.
        controller = Controller(inbox, ssl_context=context, auth_require_tls=False, **common)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
