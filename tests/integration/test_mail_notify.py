"""The outbox through GOV.UK Notify (notifications-python-client) against a local HTTPS
server implementing ``POST /v2/notifications/email`` and ``GET /v2/template/{id}``, which
checks the API JWT as Notify does (HS256 with the key's secret, iss the service id, iat
within 30 seconds); asserted request by request."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from flask import Flask

from sgreviews.clock import utcnow
from sgreviews.models import OutboxState
from sgreviews.services.mail import outbox
from sgreviews.services.mail.transports import check_connection
from sgreviews.services.reminders.wiring import MAIL_KEY, current_rules
from tests.http_services import (
    NOTIFY_SECRET,
    NOTIFY_SERVICE_ID,
    NOTIFY_TEMPLATE_ID,
    Answer,
    https_services,
)
from tests.mail_helpers import message, notify_settings, queue, states
from tests.tls import Certificate, self_signed

REPLY_TO_ID = "4c3b2a19-8d7e-4f6a-9b5c-3d2e1f0a9b8c"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_email_by_template_request_by_request(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    with https_services(certificate) as services:
        settings = notify_settings(services, SGREVIEWS_NOTIFY_REPLY_TO_ID=REPLY_TO_ID)
        result = outbox.deliver_due(settings, current_rules())
        requests = services.take()
    assert (result.sent, result.failed) == (2, 0)
    assert [state for state, _, _ in states(ids)] == [OutboxState.SENT] * 2
    assert [(r.method, r.path) for r in requests] == [("POST", "/v2/notifications/email")] * 2
    for request, message_id in zip(requests, ids, strict=True):
        assert request.headers["content-type"] == "application/json"
        assert request.headers["user-agent"].startswith("NOTIFY-API-PYTHON-CLIENT/")
        token = request.headers["authorization"].removeprefix("Bearer ")
        assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
        claims = jwt.decode(token, NOTIFY_SECRET, algorithms=["HS256"])
        assert claims["iss"] == NOTIFY_SERVICE_ID
        assert abs(claims["iat"] - utcnow().timestamp()) < 60
        name = "a.lead" if message_id == ids[0] else "b.lead"
        assert request.json() == {
            "email_address": f"{name}@test.example",
            "template_id": NOTIFY_TEMPLATE_ID,
            "personalisation": {
                "subject": "Actions due this week",
                "body": f"Hello {name},\n\nLCSPR-2025-07/1.1 is due on 1 June.",
            },
            "reference": f"sgreviews-outbox-{message_id}",
            "email_reply_to_id": REPLY_TO_ID,
        }


def test_a_key_with_the_wrong_secret_is_refused_for_the_batch(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example", "b.lead@test.example")
    wrong_key = f"sgreviews_test-{NOTIFY_SERVICE_ID}-00000000-1111-4222-8333-444444444444"
    with https_services(certificate) as services:
        result = outbox.deliver_due(
            notify_settings(services, SGREVIEWS_NOTIFY_API_KEY=wrong_key), current_rules()
        )
        assert len(services.of("notify_email")) == 1
    assert (result.sent, result.failed, result.permanent) == (0, 2, 2)
    for state, _attempts, error in states(ids):
        assert state is OutboxState.RETRYING
        assert error == (
            "Permanent failure (retrying cannot succeed until this is fixed): GOV.UK Notify "
            "refused the message (HTTP 403 AuthError: Invalid token: signature, api token "
            "not found)"
        )


def test_429_then_500_then_accepted_through_the_retry_policy(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    ids = queue("a.lead@test.example")
    rules = current_rules()
    limit = {
        "status_code": 429,
        "errors": [
            {
                "error": "RateLimitError",
                "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            }
        ],
    }
    failure = {
        "status_code": 500,
        "errors": [{"error": "Exception", "message": "Internal server error"}],
    }
    with https_services(certificate) as services:
        settings = notify_settings(services)
        services.script("notify_email", Answer(429, limit), Answer(500, failure))
        first = outbox.deliver_due(settings, rules)
        assert (first.sent, first.failed, first.permanent) == (0, 1, 0)
        assert message(ids[0]).last_error == (
            "GOV.UK Notify refused the message (HTTP 429 RateLimitError: Exceeded rate limit "
            "for key type LIVE of 3000 requests per 60 seconds)"
        )
        second = outbox.deliver_due(settings, rules, now=utcnow() + timedelta(hours=1))
        assert (second.sent, second.failed, second.permanent) == (0, 1, 0)
        assert "HTTP 500 Exception" in (message(ids[0]).last_error or "")
        third = outbox.deliver_due(settings, rules, now=utcnow() + timedelta(hours=2))
        assert (third.sent, third.failed) == (1, 0)
        assert len(services.of("notify_email")) == 3
    assert states(ids) == [(OutboxState.SENT, 3, None)]


def test_an_invalid_address_is_this_message_permanent_failure(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    bad, good = queue("not-an-address", "b.lead@test.example")
    with https_services(certificate) as services:
        result = outbox.deliver_due(notify_settings(services), current_rules())
        assert len(services.of("notify_email")) == 2
    assert (result.sent, result.failed, result.permanent) == (1, 1, 1)
    assert message(good).state is OutboxState.SENT
    error = message(bad).last_error
    assert error is not None and error.startswith("Permanent failure")
    assert "HTTP 400 ValidationError: email_address Not a valid email address" in error


def test_check_connection_reads_the_template(
    app: Flask, ctx: None, certificate: Certificate
) -> None:
    with https_services(certificate) as services:
        settings = notify_settings(services)
        assert check_connection(settings) == []
        assert [(r.method, r.path) for r in services.take()] == [
            ("GET", f"/v2/template/{NOTIFY_TEMPLATE_ID}")
        ]
        services.template = {**services.template, "body": "Dear colleague, ((message))"}
        assert check_connection(settings) == [
            f"GOV.UK Notify template {NOTIFY_TEMPLATE_ID} has no ((body)) in its body"
        ]
        missing = notify_settings(
            services, SGREVIEWS_NOTIFY_TEMPLATE_ID="11111111-2222-4333-8444-555555555555"
        )
        problems = check_connection(missing)
    assert len(problems) == 1 and "HTTP 404 NoResultFound" in problems[0]


def test_the_dry_run_checks_notify_and_sends_nothing(
    app: Flask, ctx: None, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    with https_services(certificate) as services:
        monkeypatch.setitem(app.extensions, MAIL_KEY, notify_settings(services))
        result = app.test_cli_runner().invoke(
            args=["reminders", "run", "--today", "2026-06-01", "--dry-run"]
        )
        requests = services.take()
    assert result.exit_code == 0, result.output
    assert f"GOV.UK Notify {services.base_url} answered." in result.output.splitlines()
    assert [(r.method, r.route) for r in requests] == [("GET", "notify_template")]
