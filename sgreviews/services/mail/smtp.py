"""Sending email over SMTP, configured only from the environment.

``SGREVIEWS_SMTP_HOST``, ``SGREVIEWS_SMTP_PORT``, ``SGREVIEWS_SMTP_STARTTLS``,
``SGREVIEWS_SMTP_USERNAME``, ``SGREVIEWS_SMTP_PASSWORD``, ``SGREVIEWS_MAIL_FROM``.
A misconfiguration never crashes anything: it is collected in ``MailSettings.problems``
and reported by ``sgreviews reminders run --dry-run`` and in the reminder log, and
messages wait in the outbox until it is fixed.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

DEFAULT_FROM = "Safeguarding reviews <no-reply@sgreviews.invalid>"


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    starttls: bool
    username: str
    password: str = field(repr=False)
    sender: str
    timeout_seconds: float = 20.0
    problems: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return not self.problems

    @classmethod
    def from_env(cls, overrides: dict[str, str] | None = None) -> MailSettings:
        env = dict(os.environ)
        if overrides:
            env.update(overrides)
        problems: list[str] = []
        host = env.get("SGREVIEWS_SMTP_HOST", "").strip()
        if not host:
            problems.append("SGREVIEWS_SMTP_HOST is not set: no mail server to send through")
        raw_port = env.get("SGREVIEWS_SMTP_PORT", "").strip() or "587"
        try:
            port = int(raw_port)
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            problems.append(f"SGREVIEWS_SMTP_PORT must be a port number, not {raw_port!r}")
            port = 0
        raw_tls = env.get("SGREVIEWS_SMTP_STARTTLS", "").strip().lower() or "true"
        if raw_tls not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            problems.append(f"SGREVIEWS_SMTP_STARTTLS must be true or false, not {raw_tls!r}")
        starttls = raw_tls in ("1", "true", "yes", "on")
        username = env.get("SGREVIEWS_SMTP_USERNAME", "")
        password = env.get("SGREVIEWS_SMTP_PASSWORD", "")
        if username and not password:
            problems.append("SGREVIEWS_SMTP_USERNAME is set but SGREVIEWS_SMTP_PASSWORD is not")
        if username and not starttls:
            problems.append(
                "SGREVIEWS_SMTP_USERNAME is set with SGREVIEWS_SMTP_STARTTLS off: "
                "refusing to send a password unencrypted"
            )
        sender = env.get("SGREVIEWS_MAIL_FROM", "").strip() or DEFAULT_FROM
        return cls(
            host=host,
            port=port,
            starttls=starttls,
            username=username,
            password=password,
            sender=sender,
            problems=tuple(problems),
        )


class MailError(RuntimeError):
    """The mail server could not be reached or refused a message; the text says why."""


@dataclass(frozen=True)
class Mail:
    to_address: str
    subject: str
    body_text: str
    body_html: str


def build_message(settings: MailSettings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="sgreviews")
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


@contextmanager
def smtp_connection(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """An open, authenticated SMTP connection; any failure becomes a :class:`MailError`."""
    if not settings.usable:
        raise MailError("; ".join(settings.problems))
    try:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"cannot connect to {settings.host}:{settings.port}: {error or type(error).__name__}"
        ) from error
    try:
        connection.ehlo()
        if settings.starttls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if settings.username:
            connection.login(settings.username, settings.password)
    except (OSError, smtplib.SMTPException) as error:
        connection.close()
        raise MailError(f"{settings.host}:{settings.port} refused the session: {error}") from error
    try:
        yield connection
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


def send(connection: smtplib.SMTP, settings: MailSettings, mail: Mail) -> None:
    try:
        connection.send_message(build_message(settings, mail))
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"the mail server refused the message: {error}") from error


def check_connection(settings: MailSettings) -> list[str]:
    """Problems with the mail configuration, including whether the server answers and
    accepts the credentials. Never raises."""
    if not settings.usable:
        return list(settings.problems)
    try:
        with smtp_connection(settings) as connection:
            connection.noop()
    except (MailError, OSError, smtplib.SMTPException) as error:
        return [str(error)]
    return []
