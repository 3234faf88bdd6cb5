"""Shared by the mail transport tests: outbox messages to deliver, and the mail settings
for each transport pointed at the local servers."""

from __future__ import annotations

from pathlib import Path

from sgreviews.extensions import db
from sgreviews.models import OutboxMessage, OutboxState
from sgreviews.services.mail.config import MailSettings
from tests.http_services import (
    CLIENT_ID,
    CLIENT_SECRET,
    MAILBOX,
    NOTIFY_API_KEY,
    NOTIFY_TEMPLATE_ID,
    Services,
)

SENDER = f"Safeguarding reviews <{MAILBOX}>"


def queue(*addresses: str, subject: str = "Actions due this week") -> list[int]:
    """Outbox messages waiting to be sent, one per address; their ids."""
    messages = [
        OutboxMessage(
            to_address=address,
            subject=subject,
            body_text=f"Hello {address.split('@')[0]},\n\nLCSPR-2025-07/1.1 is due on 1 June.",
            body_html=f"<p>Hello {address.split('@')[0]},</p><p>LCSPR-2025-07/1.1 is due.</p>",
            kind="digest",
        )
        for address in addresses
    ]
    db.session.add_all(messages)
    db.session.commit()
    return [message.id for message in messages]


def states(ids: list[int]) -> list[tuple[OutboxState, int, str | None]]:
    db.session.expire_all()
    rows = [db.session.get(OutboxMessage, message_id) for message_id in ids]
    return [(row.state, row.attempts, row.last_error) for row in rows if row is not None]


def message(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message_id)
    assert row is not None
    return row


def oauth_env(services: Services, **extra: str) -> dict[str, str]:
    return {
        "SGREVIEWS_MAIL_OAUTH_AUTHORITY": services.authority,
        "SGREVIEWS_MAIL_OAUTH_CLIENT_ID": CLIENT_ID,
        "SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "SGREVIEWS_MAIL_CA_FILE": str(services.certificate.cert_file),
        **extra,
    }


def smtp_settings(port: int, cert_file: Path | None, **extra: str) -> MailSettings:
    env = {
        "SGREVIEWS_MAIL_TRANSPORT": "smtp",
        "SGREVIEWS_SMTP_HOST": "127.0.0.1",
        "SGREVIEWS_SMTP_PORT": str(port),
        "SGREVIEWS_SMTP_SECURITY": "",
        "SGREVIEWS_SMTP_STARTTLS": "",
        "SGREVIEWS_SMTP_AUTH": "",
        "SGREVIEWS_SMTP_USERNAME": "",
        "SGREVIEWS_SMTP_PASSWORD": "",
        "SGREVIEWS_MAIL_FROM": SENDER,
        "SGREVIEWS_MAIL_CA_FILE": str(cert_file) if cert_file else "",
        **extra,
    }
    settings = MailSettings.from_env(env)
    assert settings.usable, settings.problems
    return settings


def graph_settings(services: Services, **extra: str) -> MailSettings:
    settings = MailSettings.from_env(
        {
            "SGREVIEWS_MAIL_TRANSPORT": "graph",
            "SGREVIEWS_GRAPH_BASE_URL": services.base_url,
            "SGREVIEWS_GRAPH_MAILBOX": MAILBOX,
            "SGREVIEWS_MAIL_OAUTH_SCOPE": "",
            **oauth_env(services),
            **extra,
        }
    )
    assert settings.usable, settings.problems
    return settings


def notify_settings(services: Services, **extra: str) -> MailSettings:
    settings = MailSettings.from_env(
        {
            "SGREVIEWS_MAIL_TRANSPORT": "notify",
            "SGREVIEWS_NOTIFY_API_KEY": NOTIFY_API_KEY,
            "SGREVIEWS_NOTIFY_TEMPLATE_ID": NOTIFY_TEMPLATE_ID,
            "SGREVIEWS_NOTIFY_BASE_URL": services.base_url,
            "SGREVIEWS_NOTIFY_REPLY_TO_ID": "",
            "SGREVIEWS_MAIL_CA_FILE": str(services.certificate.cert_file),
            **extra,
        }
    )
    assert settings.usable, settings.problems
    return settings
