"""The outbox over SMTP against a real aiosmtpd server: STARTTLS and implicit TLS (a
certificate made in the test), a password, and OAuth2 XOAUTH2 with a token obtained by
client credentials from a local token authority, checked by the server."""

from __future__ import annotations

import pytest
from flask import Flask

from sgreviews.models import OutboxState
from sgreviews.services.mail import outbox
from sgreviews.services.reminders.wiring import current_rules
from tests.http_services import CLIENT_ID, CLIENT_SECRET, MAILBOX, Services, https_services
from tests.mail_helpers import SENDER, message, oauth_env, queue, smtp_settings, states
from tests.smtp import secure_smtp_server
from tests.tls import Certificate, self_signed

PASSWORD = "correct horse battery staple"
OUTLOOK_SCOPE = "https://outlook.office365.com/.default"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_starttls_with_a_password(app: Flask, ctx: None, certificate: Certificate) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    with secure_smtp_server(certificate, "starttls", users={MAILBOX: PASSWORD}) as inbox:
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            SGREVIEWS_SMTP_PASSWORD=PASSWORD,
        )
        assert settings.smtp is not None and settings.smtp.security == "starttls"
        result = outbox.deliver_due(settings, current_rules())
        received = inbox.take()
        sign_ins = list(inbox.sign_ins)
    assert (result.sent, result.failed) == (2, 0)
    assert [state for state, _, _ in states(ids)] == [OutboxState.SENT] * 2
    assert sorted(item.to for item in received) == ["a.lead@test.example", "b.lead@test.example"]
    # One session for the batch: one sign-in, upgraded to TLS before it.
    assert len(sign_ins) == 1
    mechanism, user, accepted = sign_ins[0]
    assert mechanism in ("PLAIN", "LOGIN") and user == MAILBOX and accepted
    for item in received:
        assert item.cipher is not None, "the message travelled in clear"
        assert item.login == MAILBOX
        assert item.message["From"] == SENDER
        assert "LCSPR-2025-07/1.1 is due on 1 June." in item.part("plain")


def test_implicit_tls_as_on_port_465(app: Flask, ctx: None, certificate: Certificate) -> None:
    ids = queue("a.lead@test.example")
    with secure_smtp_server(certificate, "tls", users={MAILBOX: PASSWORD}) as inbox:
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_SECURITY="tls",
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            SGREVIEWS_SMTP_PASSWORD=PASSWORD,
        )
        result = outbox.deliver_due(settings, current_rules())
        received = inbox.take()
    assert (result.sent, result.failed) == (1, 0)
    assert states(ids)[0][0] is OutboxState.SENT
    assert received[0].cipher is not None and received[0].login == MAILBOX


def test_a_starttls_client_cannot_talk_to_an_implicit_tls_port(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example")
    with secure_smtp_server(certificate, "tls", users={MAILBOX: PASSWORD}) as inbox:
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_SECURITY="starttls",
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            SGREVIEWS_SMTP_PASSWORD=PASSWORD,
            SGREVIEWS_MAIL_TIMEOUT_SECONDS="2",
        )
        result = outbox.deliver_due(settings, current_rules())
        assert inbox.take() == []
    assert (result.sent, result.failed) == (0, 1)
    state, attempts, error = states(ids)[0]
    assert state is OutboxState.RETRYING and attempts == 1 and error


def test_a_wrong_password_is_recorded_as_permanent_and_the_batch_waits(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    with secure_smtp_server(certificate, "starttls", users={MAILBOX: PASSWORD}) as inbox:
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            SGREVIEWS_SMTP_PASSWORD="wrong",
        )
        result = outbox.deliver_due(settings, current_rules())
        assert inbox.take() == []
        # smtplib tries each mechanism the server offers (PLAIN, then LOGIN); all refused.
        assert {(user, accepted) for _, user, accepted in inbox.sign_ins} == {(MAILBOX, False)}
    assert (result.sent, result.failed, result.permanent) == (0, 2, 2)
    for state, attempts, error in states(ids):
        assert state is OutboxState.RETRYING and attempts == 1
        assert error is not None and error.startswith("Permanent failure")
        assert f"refused the credentials of {MAILBOX}" in error and "535" in error


def test_an_untrusted_certificate_is_refused(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example")
    with secure_smtp_server(certificate, "starttls", users={MAILBOX: PASSWORD}) as inbox:
        # No SGREVIEWS_MAIL_CA_FILE: the system's authorities do not know the test's.
        settings = smtp_settings(
            inbox.port, None, SGREVIEWS_SMTP_USERNAME=MAILBOX, SGREVIEWS_SMTP_PASSWORD=PASSWORD
        )
        result = outbox.deliver_due(settings, current_rules())
        assert inbox.take() == [] and inbox.sign_ins == []
    assert result.failed == 1 and result.permanent == 1
    error = states(ids)[0][2]
    assert error is not None and "certificate verify failed" in error


def _xoauth2_server(certificate: Certificate, services: Services):  # type: ignore[no-untyped-def]
    def valid(user: str, token: str) -> bool:
        return user == MAILBOX and services.issued.get(token) == OUTLOOK_SCOPE

    return secure_smtp_server(certificate, "starttls", valid_token=valid)


def test_xoauth2_with_a_client_credentials_token(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    with https_services(certificate) as services, _xoauth2_server(certificate, services) as inbox:
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_AUTH="xoauth2",
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            **oauth_env(services),
        )
        first = queue("a.lead@test.example")
        assert outbox.deliver_due(settings, current_rules()).sent == 1
        second = queue("b.lead@test.example")
        assert outbox.deliver_due(settings, current_rules()).sent == 1
        received = inbox.take()
        sign_ins = list(inbox.sign_ins)
        requests = services.take()
    assert [state for state, _, _ in states(first + second)] == [OutboxState.SENT] * 2
    assert [item.to for item in received] == ["a.lead@test.example", "b.lead@test.example"]
    assert all(item.login == MAILBOX and item.cipher for item in received)
    assert sign_ins == [("XOAUTH2", MAILBOX, True), ("XOAUTH2", MAILBOX, True)]
    # The authority's configuration, then one token: the second delivery used the cache.
    assert [(r.method, r.route) for r in requests] == [("GET", "openid"), ("POST", "token")]
    token_request = requests[1]
    assert token_request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = token_request.form()
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == CLIENT_ID and form["client_secret"] == CLIENT_SECRET
    assert form["scope"] == OUTLOOK_SCOPE
    assert len(services.issued) == 1


def test_a_token_the_mail_server_refuses_is_permanent(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example")
    with (
        https_services(certificate) as services,
        secure_smtp_server(certificate, "starttls", valid_token=lambda _u, _t: False) as inbox,
    ):
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_AUTH="xoauth2",
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            **oauth_env(services),
        )
        result = outbox.deliver_due(settings, current_rules())
        assert inbox.take() == []
        assert inbox.sign_ins == [("XOAUTH2", MAILBOX, False)]
    assert result.permanent == 1
    error = message(ids[0]).last_error
    assert error is not None and error.startswith("Permanent failure") and "535" in error


def test_a_refused_client_secret_never_reaches_the_mail_server(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    with https_services(certificate) as services, _xoauth2_server(certificate, services) as inbox:
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_AUTH="xoauth2",
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            **oauth_env(services, SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET="expired-secret"),
        )
        result = outbox.deliver_due(settings, current_rules())
        assert inbox.sign_ins == [] and inbox.take() == []
        assert [r.route for r in services.take()] == ["openid", "token"]
    assert (result.sent, result.failed, result.permanent) == (0, 2, 2)
    for state, _attempts, error in states(ids):
        assert state is OutboxState.RETRYING
        assert error is not None and error.startswith("Permanent failure")
        assert "invalid_client" in error and "AADSTS7000215" in error


def test_a_refused_recipient_fails_alone_permanent_only_on_a_5xx_reply(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    unknown, busy, good = queue("gone@test.example", "busy@test.example", "c.lead@test.example")
    with secure_smtp_server(certificate, "starttls", users={MAILBOX: PASSWORD}) as inbox:
        inbox.refuse = {
            "gone@test.example": "550 5.1.1 User unknown",
            "busy@test.example": "451 4.3.0 Mailbox temporarily unavailable",
        }
        settings = smtp_settings(
            inbox.port,
            certificate.cert_file,
            SGREVIEWS_SMTP_USERNAME=MAILBOX,
            SGREVIEWS_SMTP_PASSWORD=PASSWORD,
        )
        result = outbox.deliver_due(settings, current_rules())
        assert [item.to for item in inbox.take()] == ["c.lead@test.example"]
    assert (result.sent, result.failed, result.permanent) == (1, 2, 1)
    assert message(good).state is OutboxState.SENT
    gone = message(unknown).last_error or ""
    assert gone.startswith("Permanent failure") and "550" in gone and "User unknown" in gone
    waiting = message(busy)
    assert waiting.state is OutboxState.RETRYING
    assert waiting.last_error is not None and not waiting.last_error.startswith("Permanent")
    assert "451" in waiting.last_error
