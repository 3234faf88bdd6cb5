"""Invitations and password resets by email, through the outbox and a real SMTP server
(aiosmtpd): the mail arrives with a working single-use link, a second use is refused, and
the "Forgot your password?" page answers the same for an unknown address and sends
nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import OutboxMessage, OutboxState, Role, User
from sgreviews.services.mail import outbox
from sgreviews.services.reminders.wiring import MAIL_KEY, current_mail_settings, current_rules
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in
from tests.smtp import Inbox, Received, smtp_server

NEW_PASSWORD = "walnut lighthouse ribbon"
LINK = re.compile(r"https?://[^/\s]+(/account/set-password/[A-Za-z0-9_\-]+)")
SAME_ANSWER = "If the address you entered belongs to an account, we have sent it a link"


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


def deliver(app: Flask) -> outbox.DeliveryResult:
    """What the scheduler's outbox job does every minute."""
    with app.app_context():
        return outbox.deliver_due(current_mail_settings(), current_rules(), now=utcnow())


def link_in(message: Received) -> str:
    text_match = LINK.search(message.part("plain"))
    html_match = LINK.search(message.part("html"))
    assert text_match is not None and html_match is not None
    assert text_match.group(1) == html_match.group(1)
    return text_match.group(1)


def use_link_once(app: Flask, path: str, email: str) -> None:
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    done = visitor.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/sign-in"
    assert sign_in(app.test_client(), email, NEW_PASSWORD).status_code == 302
    again = app.test_client().get(path)
    assert again.status_code == 404
    assert "The link has expired or has already been used" in page_text(again)
    refused = app.test_client().post(
        path, data={"password": "another long passphrase", "confirm": "another long passphrase"}
    )
    assert refused.status_code == 404


def test_creating_a_user_emails_an_invitation_that_works_once(
    app: Flask, client_for: Callable[..., FlaskClient], inbox: Inbox
) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    response = admin.post(
        "/admin/users/new",
        data={
            "display_name": "Robin Invited",
            "email": "robin.invited@test.example",
            "role": Role.SECRETARIAT.value,
            "agency": "",
            "password": "",
        },
    )
    assert response.status_code == 302, page_text(response)
    assert "invitation" in page_text(admin.get(response.headers["Location"]))
    # Queued in the outbox with the user; nothing goes out until delivery runs.
    assert inbox.take() == []
    assert deliver(app).sent == 1
    [message] = inbox.take()
    assert message.to == "robin.invited@test.example"
    assert "you have been given an account" in message.subject
    assert "expires in 7 days" in message.part("plain")
    path = link_in(message)
    # Sent: the stored copy no longer holds a usable link.
    with app.app_context():
        stored = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == "robin.invited@test.example")
        ).one()
        assert stored.state is OutboxState.SENT and stored.kind == "invitation"
        assert path not in stored.body_text and path not in stored.body_html
    use_link_once(app, path, "robin.invited@test.example")


def test_an_administrator_emails_a_password_reset(
    app: Flask, client_for: Callable[..., FlaskClient], inbox: Inbox
) -> None:
    with app.app_context():
        user = factories.user(Role.PRACTITIONER, email="pat.reset@test.example")
        user.last_signed_in_at = utcnow()
        db.session.commit()
        user_id = user.id
    admin = client_for(Role.ADMINISTRATOR)
    edit = page_text(admin.get(f"/admin/users/{user_id}"))
    assert "Email them a link to reset their password" in edit
    response = admin.post(f"/admin/users/{user_id}/email-password-link")
    assert response.headers["Location"] == f"/admin/users/{user_id}"
    assert "A password reset link is on its way to pat.reset@test.example" in page_text(
        admin.get(response.headers["Location"])
    )
    deliver(app)
    [message] = inbox.take()
    assert message.to == "pat.reset@test.example"
    assert "reset your password" in message.subject
    assert "expires in 1 hour" in message.part("plain")
    use_link_once(app, link_in(message), "pat.reset@test.example")


def test_only_administrators_email_links(
    app: Flask, client_for: Callable[..., FlaskClient], user_of: Callable[..., User], inbox: Inbox
) -> None:
    target = user_of(Role.PRACTITIONER)
    for role in (Role.SECRETARIAT, Role.CHAIR, Role.AGENCY_LEAD, Role.PRACTITIONER):
        response = client_for(role).post(f"/admin/users/{target.id}/email-password-link")
        assert response.status_code == 403, role
    anonymous = app.test_client().post(f"/admin/users/{target.id}/email-password-link")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    deliver(app)
    assert inbox.take() == []


def test_forgot_password_answers_the_same_and_mails_only_an_active_account(
    app: Flask, inbox: Inbox
) -> None:
    with app.app_context():
        factories.user(Role.AGENCY_LEAD, email="sam.forgot@test.example")
        factories.user(Role.AGENCY_LEAD, email="left.service@test.example", is_active=False)
        db.session.commit()
    sign_in_page = page_text(app.test_client().get("/sign-in"))
    assert "Forgot your password?" in sign_in_page
    visitor = app.test_client()
    assert "Forgot your password?" in page_text(visitor.get("/account/forgot-password"))
    empty = visitor.post("/account/forgot-password", data={"email": ""})
    assert "Enter your email address" in page_text(empty)

    answers = {}
    for email in ("nobody@test.example", "left.service@test.example", "Sam.Forgot@test.example"):
        response = app.test_client().post("/account/forgot-password", data={"email": email})
        assert response.status_code == 200
        answers[email] = page_text(response)
    assert len(set(answers.values())) == 1  # the same page, whoever asked
    assert SAME_ANSWER in answers["nobody@test.example"]
    deliver(app)
    [message] = inbox.take()  # one mail: the active account only
    assert message.to == "sam.forgot@test.example"
    use_link_once(app, link_in(message), "sam.forgot@test.example")


def test_a_second_request_replaces_the_first_link(app: Flask, inbox: Inbox) -> None:
    with app.app_context():
        factories.user(Role.CHAIR, email="twice@test.example")
        db.session.commit()
    for _ in range(2):
        app.test_client().post("/account/forgot-password", data={"email": "twice@test.example"})
    deliver(app)
    first, second = inbox.take()
    assert app.test_client().get(link_in(first)).status_code == 404
    use_link_once(app, link_in(second), "twice@test.example")


def test_forgot_password_is_rate_limited_per_address(database_url: str, tmp_path: Path) -> None:
    limited = make_test_app(
        database_url,
        tmp_path / uuid.uuid4().hex,
        SGREVIEWS_SIGN_IN_RATE_LIMIT="3 per minute",
        SGREVIEWS_RATELIMIT_STORAGE_URI="memory://",
    )
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    statuses = [
        client.post("/account/forgot-password", data={"email": "x@test.example"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    blocked = client.post("/account/forgot-password", data={"email": "x@test.example"})
    assert "too many requests from your network" in page_text(blocked)
    # Its own count: signing in from the same address is not blocked by it.
    assert sign_in(client, "x@test.example", "wrong password here").status_code == 200
