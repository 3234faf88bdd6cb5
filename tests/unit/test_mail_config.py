"""Mail settings: the transport is chosen by SGREVIEWS_MAIL_TRANSPORT, each transport's
variables are checked, and once mail is configured a problem stops start-up in one line
naming the variable; with no mail configured at all the app starts and messages wait."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews import create_app
from sgreviews.services.mail.config import MailSettings
from sgreviews.settings import ConfigurationError, Settings

TENANT = "0b7c1e6a-5d2f-4c3e-9a41-7d5e2f1c8b90"
NOTIFY_KEY = (
    "sgreviews_live-6a1e2c4d-9b3f-4e8a-b2d7-5c0f1e9a3b64-2d9f4b7a-1c3e-4a5b-8e6f-0a9b8c7d6e5f"
)
TEMPLATE = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
# Every mail variable empty, so the machine's own environment cannot leak in.
BLANK = {
    name: ""
    for name in (
        "SGREVIEWS_MAIL_TRANSPORT",
        "SGREVIEWS_MAIL_FROM",
        "SGREVIEWS_MAIL_CA_FILE",
        "SGREVIEWS_MAIL_TIMEOUT_SECONDS",
        "SGREVIEWS_SMTP_HOST",
        "SGREVIEWS_SMTP_PORT",
        "SGREVIEWS_SMTP_SECURITY",
        "SGREVIEWS_SMTP_STARTTLS",
        "SGREVIEWS_SMTP_AUTH",
        "SGREVIEWS_SMTP_USERNAME",
        "SGREVIEWS_SMTP_PASSWORD",
        "SGREVIEWS_MAIL_OAUTH_TENANT_ID",
        "SGREVIEWS_MAIL_OAUTH_AUTHORITY",
        "SGREVIEWS_MAIL_OAUTH_CLIENT_ID",
        "SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET",
        "SGREVIEWS_MAIL_OAUTH_SCOPE",
        "SGREVIEWS_GRAPH_BASE_URL",
        "SGREVIEWS_GRAPH_MAILBOX",
        "SGREVIEWS_GRAPH_SAVE_TO_SENT_ITEMS",
        "SGREVIEWS_NOTIFY_API_KEY",
        "SGREVIEWS_NOTIFY_TEMPLATE_ID",
        "SGREVIEWS_NOTIFY_BASE_URL",
        "SGREVIEWS_NOTIFY_REPLY_TO_ID",
    )
}
OAUTH = {
    "SGREVIEWS_MAIL_OAUTH_TENANT_ID": TENANT,
    "SGREVIEWS_MAIL_OAUTH_CLIENT_ID": "3f2a9c4e-8b71-4d06-a5e3-1c9d7b2e6f40",
    "SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET": "secret",
}


def mail(**variables: str) -> MailSettings:
    return MailSettings.from_env({**BLANK, **variables})


def test_nothing_configured_starts_and_says_why_mail_waits() -> None:
    settings = mail()
    assert not settings.required and not settings.usable
    settings.refuse_if_misconfigured()  # does not raise
    assert settings.problems == ("SGREVIEWS_SMTP_HOST is not set: no mail server to send through",)


def test_an_smtp_host_alone_means_smtp_with_starttls_on_587() -> None:
    settings = mail(SGREVIEWS_SMTP_HOST="smtp.partnership.example")
    assert settings.required and settings.usable and settings.transport == "smtp"
    assert settings.smtp is not None
    assert (settings.smtp.port, settings.smtp.security, settings.smtp.auth) == (
        587,
        "starttls",
        "none",
    )
    assert settings.describe() == "Mail server smtp.partnership.example:587"


@pytest.mark.parametrize(
    ("variables", "port", "security"),
    [
        ({"SGREVIEWS_SMTP_PORT": "465"}, 465, "tls"),
        ({"SGREVIEWS_SMTP_SECURITY": "tls"}, 465, "tls"),
        ({"SGREVIEWS_SMTP_SECURITY": "tls", "SGREVIEWS_SMTP_PORT": "2465"}, 2465, "tls"),
        ({"SGREVIEWS_SMTP_STARTTLS": "false", "SGREVIEWS_SMTP_PORT": "25"}, 25, "none"),
        ({"SGREVIEWS_SMTP_SECURITY": "none", "SGREVIEWS_SMTP_PORT": "25"}, 25, "none"),
    ],
)
def test_smtp_security_and_port(variables: dict[str, str], port: int, security: str) -> None:
    settings = mail(SGREVIEWS_MAIL_TRANSPORT="smtp", SGREVIEWS_SMTP_HOST="relay", **variables)
    assert settings.usable, settings.problems
    assert settings.smtp is not None
    assert (settings.smtp.port, settings.smtp.security) == (port, security)


def test_xoauth2_reads_the_entra_registration() -> None:
    settings = mail(
        SGREVIEWS_SMTP_HOST="smtp.office365.com",
        SGREVIEWS_SMTP_AUTH="xoauth2",
        SGREVIEWS_SMTP_USERNAME="reminders@partnership.example",
        **OAUTH,
    )
    assert settings.usable, settings.problems
    assert settings.oauth is not None
    assert settings.oauth.authority == f"https://login.microsoftonline.com/{TENANT}"
    assert settings.oauth.scope == "https://outlook.office365.com/.default"
    assert "secret" not in repr(settings)


def test_graph_defaults() -> None:
    settings = mail(
        SGREVIEWS_MAIL_TRANSPORT="graph",
        SGREVIEWS_GRAPH_MAILBOX="reminders@partnership.example",
        **OAUTH,
    )
    assert settings.usable, settings.problems
    assert settings.graph is not None and settings.oauth is not None
    assert settings.graph.base_url == "https://graph.microsoft.com"
    assert settings.oauth.scope == "https://graph.microsoft.com/.default"
    assert not settings.graph.save_to_sent_items


def test_notify_defaults() -> None:
    settings = mail(
        SGREVIEWS_MAIL_TRANSPORT="notify",
        SGREVIEWS_NOTIFY_API_KEY=NOTIFY_KEY,
        SGREVIEWS_NOTIFY_TEMPLATE_ID=TEMPLATE,
    )
    assert settings.usable, settings.problems
    assert settings.notify is not None
    assert settings.notify.base_url == "https://api.notifications.service.gov.uk"
    assert NOTIFY_KEY not in repr(settings)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SGREVIEWS_MAIL_TRANSPORT": "pigeon"}, "SGREVIEWS_MAIL_TRANSPORT must be one of"),
        ({"SGREVIEWS_MAIL_TRANSPORT": "smtp"}, "SGREVIEWS_SMTP_HOST is not set"),
        (
            {"SGREVIEWS_SMTP_HOST": "relay", "SGREVIEWS_SMTP_SECURITY": "ssl"},
            "SGREVIEWS_SMTP_SECURITY must be one of starttls, tls, none, not 'ssl'",
        ),
        (
            {"SGREVIEWS_SMTP_HOST": "relay", "SGREVIEWS_SMTP_AUTH": "password"},
            "SGREVIEWS_SMTP_USERNAME is not set",
        ),
        (
            {"SGREVIEWS_SMTP_HOST": "relay", "SGREVIEWS_SMTP_USERNAME": "reminders"},
            "SGREVIEWS_SMTP_PASSWORD is not",
        ),
        (
            {
                "SGREVIEWS_SMTP_HOST": "relay",
                "SGREVIEWS_SMTP_SECURITY": "none",
                "SGREVIEWS_SMTP_USERNAME": "reminders",
                "SGREVIEWS_SMTP_PASSWORD": "pw",
            },
            "refusing to send credentials unencrypted",
        ),
        (
            {"SGREVIEWS_SMTP_HOST": "relay", "SGREVIEWS_SMTP_AUTH": "xoauth2"},
            "SGREVIEWS_SMTP_USERNAME is not set: SGREVIEWS_SMTP_AUTH=xoauth2",
        ),
        (
            {
                "SGREVIEWS_SMTP_HOST": "relay",
                "SGREVIEWS_SMTP_AUTH": "xoauth2",
                "SGREVIEWS_SMTP_USERNAME": "reminders@partnership.example",
            },
            "SGREVIEWS_MAIL_OAUTH_TENANT_ID is not set",
        ),
        ({"SGREVIEWS_MAIL_TRANSPORT": "graph", **OAUTH}, "SGREVIEWS_GRAPH_MAILBOX is not set"),
        (
            {
                "SGREVIEWS_MAIL_TRANSPORT": "graph",
                "SGREVIEWS_GRAPH_MAILBOX": "reminders@partnership.example",
            },
            "SGREVIEWS_MAIL_OAUTH_CLIENT_ID is not set",
        ),
        (
            {
                "SGREVIEWS_MAIL_TRANSPORT": "graph",
                "SGREVIEWS_GRAPH_MAILBOX": "reminders@partnership.example",
                "SGREVIEWS_MAIL_OAUTH_AUTHORITY": "http://login.example/tenant",
                **OAUTH,
            },
            "SGREVIEWS_MAIL_OAUTH_AUTHORITY must be an https:// address",
        ),
        (
            {
                "SGREVIEWS_MAIL_TRANSPORT": "graph",
                "SGREVIEWS_GRAPH_MAILBOX": "reminders@partnership.example",
                "SGREVIEWS_GRAPH_BASE_URL": "http://graph.example",
                **OAUTH,
            },
            "SGREVIEWS_GRAPH_BASE_URL must be an https:// address",
        ),
        ({"SGREVIEWS_MAIL_TRANSPORT": "notify"}, "SGREVIEWS_NOTIFY_API_KEY is not set"),
        (
            {
                "SGREVIEWS_MAIL_TRANSPORT": "notify",
                "SGREVIEWS_NOTIFY_API_KEY": "not-a-key",
                "SGREVIEWS_NOTIFY_TEMPLATE_ID": TEMPLATE,
            },
            "SGREVIEWS_NOTIFY_API_KEY is not a GOV.UK Notify API key",
        ),
        (
            {"SGREVIEWS_MAIL_TRANSPORT": "notify", "SGREVIEWS_NOTIFY_API_KEY": NOTIFY_KEY},
            "SGREVIEWS_NOTIFY_TEMPLATE_ID is not set",
        ),
        (
            {"SGREVIEWS_SMTP_HOST": "relay", "SGREVIEWS_MAIL_CA_FILE": "/nowhere/ca.pem"},
            "SGREVIEWS_MAIL_CA_FILE '/nowhere/ca.pem' is not a file",
        ),
        (
            {"SGREVIEWS_SMTP_HOST": "relay", "SGREVIEWS_MAIL_TIMEOUT_SECONDS": "0"},
            "SGREVIEWS_MAIL_TIMEOUT_SECONDS must be a number of seconds",
        ),
    ],
)
def test_configured_mail_with_a_problem_refuses_to_start(
    variables: dict[str, str], named: str
) -> None:
    settings = mail(**variables)
    assert settings.required
    with pytest.raises(ConfigurationError) as raised:
        settings.refuse_if_misconfigured()
    text = str(raised.value)
    assert named in text
    assert "\n" not in text and text.startswith("Mail is misconfigured: ")


def test_the_transport_is_a_validated_setting(tmp_path: Path) -> None:
    base = {**BLANK, "SGREVIEWS_ENV": "development", "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).mail_transport == ""
    assert Settings.from_env({**base, "SGREVIEWS_SMTP_HOST": "relay"}).mail_transport == "smtp"
    chosen = {**base, "SGREVIEWS_MAIL_TRANSPORT": " Graph "}
    assert Settings.from_env(chosen).mail_transport == "graph"
    with pytest.raises(ConfigurationError, match="SGREVIEWS_MAIL_TRANSPORT must be one of"):
        Settings.from_env({**base, "SGREVIEWS_MAIL_TRANSPORT": "sendgrid"})


def test_create_app_refuses_configured_mail_naming_the_variable(tmp_path: Path) -> None:
    overrides = {
        **BLANK,
        "SGREVIEWS_ENV": "testing",
        "SECRET_KEY": "test",
        "SGREVIEWS_INSTANCE_PATH": str(tmp_path),
        "SGREVIEWS_MAIL_TRANSPORT": "graph",
        "SGREVIEWS_GRAPH_MAILBOX": "reminders@partnership.example",
        **OAUTH,
        "SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET": "",
    }
    with pytest.raises(ConfigurationError) as raised:
        create_app(overrides)
    assert str(raised.value) == (
        "Mail is misconfigured: SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET is not set: the client secret."
    )
    overrides["SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET"] = "secret"
    assert create_app(overrides).extensions["sgreviews.mail"].transport == "graph"
