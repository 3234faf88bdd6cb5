"""The outbox through Microsoft Graph sendMail, against a local HTTPS server implementing
the documented token endpoint (client credentials) and ``POST /v1.0/users/{id}/sendMail``,
asserted request by request; retries on 503 and 429, permanent 4xx refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from sgreviews.clock import utcnow
from sgreviews.models import OutboxState
from sgreviews.services.mail import outbox
from sgreviews.services.mail.transports import check_connection
from sgreviews.services.reminders.wiring import MAIL_KEY, current_rules
from tests.http_services import (
    CLIENT_ID,
    CLIENT_SECRET,
    MAILBOX,
    TENANT,
    Answer,
    https_services,
)
from tests.mail_helpers import graph_settings, message, queue, states
from tests.tls import Certificate, self_signed

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_send_mail_request_by_request(app: Flask, ctx: None, certificate: Certificate) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    with https_services(certificate) as services:
        result = outbox.deliver_due(graph_settings(services), current_rules())
        requests = services.take()
        issued = dict(services.issued)
    assert (result.sent, result.failed) == (2, 0)
    assert [state for state, _, _ in states(ids)] == [OutboxState.SENT] * 2
    assert [(r.method, r.path) for r in requests] == [
        ("GET", f"/{TENANT}/v2.0/.well-known/openid-configuration"),
        ("POST", f"/{TENANT}/oauth2/v2.0/token"),
        ("POST", f"/v1.0/users/{MAILBOX}/sendMail"),
        ("POST", f"/v1.0/users/{MAILBOX}/sendMail"),
    ]
    form = requests[1].form()
    assert form["grant_type"] == "client_credentials"
    assert (form["client_id"], form["client_secret"]) == (CLIENT_ID, CLIENT_SECRET)
    assert form["scope"] == GRAPH_SCOPE
    assert list(issued.values()) == [GRAPH_SCOPE]
    token = next(iter(issued))
    for request, address in zip(requests[2:], ["a.lead", "b.lead"], strict=True):
        assert request.headers["authorization"] == f"Bearer {token}"
        assert request.headers["content-type"] == "application/json"
        assert request.json() == {
            "message": {
                "subject": "Actions due this week",
                "body": {
                    "contentType": "HTML",
                    "content": f"<p>Hello {address},</p><p>LCSPR-2025-07/1.1 is due.</p>",
                },
                "toRecipients": [{"emailAddress": {"address": f"{address}@test.example"}}],
            },
            "saveToSentItems": False,
        }


def test_the_token_is_reused_until_it_nears_expiry(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    with https_services(certificate) as services:
        settings = graph_settings(services)
        for address in ("a.lead@test.example", "b.lead@test.example"):
            queue(address)
            assert outbox.deliver_due(settings, current_rules()).sent == 1
        assert [r.route for r in services.take()] == ["openid", "token", "sendmail", "sendmail"]
    # A token that expires within five minutes is not reused (MSAL renews early).
    with https_services(certificate) as services:
        services.token_lifetime_seconds = 120
        settings = graph_settings(services)
        for address in ("a.lead@test.example", "b.lead@test.example"):
            queue(address)
            assert outbox.deliver_due(settings, current_rules()).sent == 1
        requests = services.take()
        assert [r.route for r in requests] == ["openid", "token", "sendmail", "token", "sendmail"]
        used = [r.headers["authorization"] for r in requests if r.route == "sendmail"]
        assert used == [f"Bearer {token}" for token in services.issued]
        assert len(set(used)) == 2


def test_503_then_429_then_accepted_through_the_retry_policy(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    rules = current_rules()
    unavailable = {"error": {"code": "ServiceUnavailable", "message": "Try again later"}}
    throttled = {"error": {"code": "ApplicationThrottled", "message": "Too many requests"}}
    with https_services(certificate) as services:
        settings = graph_settings(services)
        services.script("sendmail", Answer(503, unavailable))
        down = outbox.deliver_due(settings, rules)
        # The service is down: the batch stops at the first answer; both wait, not permanent.
        assert (down.sent, down.failed, down.permanent) == (0, 2, 0)
        assert len(services.of("sendmail")) == 1
        for state, attempts, error in states(ids):
            assert state is OutboxState.RETRYING and attempts == 1
            assert error == (
                "Microsoft Graph refused the message (HTTP 503 ServiceUnavailable: Try again later)"
            )
        first_wait = message(ids[0]).next_attempt_at - utcnow()
        assert timedelta(seconds=rules.backoff_base_seconds - 10) < first_wait
        assert first_wait <= timedelta(seconds=rules.backoff_base_seconds)

        # Nothing is sent before the retry time.
        assert outbox.deliver_due(settings, rules).sent == 0
        assert len(services.of("sendmail")) == 1

        services.script("sendmail", Answer(429, throttled, {"Retry-After": "900"}))
        throttled_run = outbox.deliver_due(settings, rules, now=utcnow() + timedelta(hours=1))
        assert (throttled_run.sent, throttled_run.failed) == (0, 2)
        # Retry-After (15 minutes) is longer than the second backoff (2 minutes): it wins.
        wait = message(ids[0]).next_attempt_at - utcnow()
        assert timedelta(seconds=890) < wait <= timedelta(seconds=900)
        assert "HTTP 429 ApplicationThrottled" in (message(ids[0]).last_error or "")

        up = outbox.deliver_due(settings, rules, now=utcnow() + timedelta(hours=2))
        assert (up.sent, up.failed) == (2, 0)
        assert len(services.of("sendmail")) == 4
    for state, attempts, error in states(ids):
        assert (state, attempts, error) == (OutboxState.SENT, 3, None)


def test_a_bad_request_is_this_message_permanent_failure(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    bad, good = queue("a.lead@test.example", "b.lead@test.example")
    refused = {"error": {"code": "ErrorInvalidRecipients", "message": "Recipient unknown"}}
    with https_services(certificate) as services:
        services.script("sendmail", Answer(400, refused))
        result = outbox.deliver_due(graph_settings(services), current_rules())
        assert len(services.of("sendmail")) == 2
    assert (result.sent, result.failed, result.permanent) == (1, 1, 1)
    assert message(good).state is OutboxState.SENT
    refused_row = message(bad)
    assert refused_row.state is OutboxState.RETRYING
    assert refused_row.last_error == (
        "Permanent failure (retrying cannot succeed until this is fixed): Microsoft Graph "
        "refused the message (HTTP 400 ErrorInvalidRecipients: Recipient unknown)"
    )


def test_a_missing_permission_stops_the_batch_as_permanent(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    denied = {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}
    with https_services(certificate) as services:
        services.script("sendmail", Answer(403, denied))
        result = outbox.deliver_due(graph_settings(services), current_rules())
        assert len(services.of("sendmail")) == 1
    assert (result.sent, result.failed, result.permanent) == (0, 2, 2)
    for state, _attempts, error in states(ids):
        assert state is OutboxState.RETRYING
        assert error is not None and error.startswith("Permanent failure")
        assert "HTTP 403 ErrorAccessDenied" in error


def test_the_wrong_mailbox_is_refused_by_the_server(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example")
    with https_services(certificate) as services:
        settings = graph_settings(services, SGREVIEWS_GRAPH_MAILBOX="someone@else.example")
        result = outbox.deliver_due(settings, current_rules())
        assert [r.path for r in services.of("sendmail")] == [
            "/v1.0/users/someone@else.example/sendMail"
        ]
    assert result.permanent == 1
    assert "HTTP 404 ErrorInvalidUser" in (message(ids[0]).last_error or "")


def test_check_connection_gets_a_token_and_sends_nothing(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    with https_services(certificate) as services:
        assert check_connection(graph_settings(services)) == []
        assert [r.route for r in services.take()] == ["openid", "token"]
        wrong = graph_settings(services, SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET="wrong")
        problems = check_connection(wrong)
    assert len(problems) == 1 and "invalid_client" in problems[0]


def test_the_deliver_command_reports_permanent_refusals(
    app: Flask, ctx: None, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue("a.lead@test.example")
    denied = {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}
    with https_services(certificate) as services:
        monkeypatch.setitem(app.extensions, MAIL_KEY, graph_settings(services))
        services.script("sendmail", Answer(403, denied))
        result = app.test_cli_runner().invoke(args=["reminders", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Delivery: 0 sent, 1 waiting to retry (1 refused permanently).",
        "Last delivery error: Permanent failure (retrying cannot succeed until this is fixed): "
        "Microsoft Graph refused the message (HTTP 403 ErrorAccessDenied: Access is denied.)",
    ]
