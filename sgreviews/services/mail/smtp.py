"""Sending email over SMTP: STARTTLS (587), implicit TLS (465, ``SMTP_SSL``) or a plain
relay; no sign-in, a username and password, or OAuth2 (``AUTH XOAUTH2`` with a token from
the client-credentials flow, as Exchange Online asks since basic authentication retired).

Configured only from the environment (``sgreviews.services.mail.config``).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid

from sgreviews.services.mail.base import Mail, MailError
from sgreviews.services.mail.config import DEFAULT_FROM, MailSettings, SmtpSettings
from sgreviews.services.mail.oauth import token_source

__all__ = [
    "DEFAULT_FROM",
    "Mail",
    "MailError",
    "MailSettings",
    "build_message",
    "send",
    "smtp_connection",
    "xoauth2_string",
]


def build_message(settings: MailSettings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="sgreviews")
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


def xoauth2_string(username: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64, which smtplib adds)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


def tls_context(settings: MailSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file)


def _smtp(settings: MailSettings) -> SmtpSettings:
    if not settings.usable:
        raise MailError("; ".join(settings.problems), permanent=True, whole_transport=True)
    if settings.smtp is None:
        raise MailError("the mail transport is not SMTP", permanent=True, whole_transport=True)
    return settings.smtp


def _session_error(smtp: SmtpSettings, error: Exception) -> MailError:
    where = f"{smtp.host}:{smtp.port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return MailError(
            f"{where} refused the credentials of {smtp.username} ({smtp.auth}): {error}",
            permanent=True,
            whole_transport=True,
        )
    if isinstance(error, ssl.SSLCertVerificationError | smtplib.SMTPNotSupportedError):
        return MailError(
            f"{where} refused the session: {error}", permanent=True, whole_transport=True
        )
    return MailError(f"{where} refused the session: {error}", whole_transport=True)


def _authenticate(connection: smtplib.SMTP, settings: MailSettings, smtp: SmtpSettings) -> None:
    if smtp.auth == "password":
        connection.login(smtp.username, smtp.password)
    elif smtp.auth == "xoauth2":
        assert settings.oauth is not None  # the configuration asks for it with xoauth2
        token = token_source(settings.oauth, settings.ca_file, settings.timeout_seconds).token()
        answer = xoauth2_string(smtp.username, token)

        def respond(challenge: bytes | None = None) -> str:
            # On failure the server sends a JSON challenge; the reply is empty, then 535.
            return answer if challenge is None else ""

        connection.auth("XOAUTH2", respond)


@contextmanager
def smtp_connection(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """An open, authenticated SMTP connection; any failure becomes a :class:`MailError`."""
    smtp = _smtp(settings)
    try:
        if smtp.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host,
                smtp.port,
                timeout=settings.timeout_seconds,
                context=tls_context(settings),
            )
        else:
            connection = smtplib.SMTP(smtp.host, smtp.port, timeout=settings.timeout_seconds)
    except ssl.SSLCertVerificationError as error:
        raise _session_error(smtp, error) from error
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"cannot connect to {smtp.host}:{smtp.port}: {error or type(error).__name__}",
            whole_transport=True,
        ) from error
    try:
        connection.ehlo()
        if smtp.security == "starttls":
            connection.starttls(context=tls_context(settings))
            connection.ehlo()
        _authenticate(connection, settings, smtp)
    except (OSError, smtplib.SMTPException) as error:
        connection.close()
        raise _session_error(smtp, error) from error
    except MailError:
        connection.close()
        raise
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
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        raise MailError(
            f"the mail server refused the recipient: {error.recipients}",
            permanent=bool(codes) and all(code >= 500 for code in codes),
        ) from error
    except smtplib.SMTPSenderRefused as error:
        raise MailError(
            f"the mail server refused the sender {error.sender!r}: {error.smtp_code} "
            f"{error.smtp_error!r}",
            permanent=error.smtp_code >= 500,
            whole_transport=True,
        ) from error
    except smtplib.SMTPResponseException as error:
        raise MailError(
            f"the mail server refused the message: {error.smtp_code} {error.smtp_error!r}",
            permanent=error.smtp_code >= 500,
        ) from error
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"the mail server refused the message: {error}", whole_transport=True
        ) from error
