"""A real SMTP server (aiosmtpd) on a loopback port, collecting what it receives."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from sgreviews.services.mail.config import MailSettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage

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

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(Received(list(envelope.rcpt_tos), parsed))
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
