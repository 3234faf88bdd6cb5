"""Single-use, time-limited links to set a password (invitations and resets)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Role, User
from sgreviews.models.user import AccountToken
from sgreviews.services.accounts import tokens as account_tokens
from tests import factories
from tests.conftest import page_text, sign_in

NEW_PASSWORD = "walnut lighthouse ribbon"


def _new_user(app: Flask) -> tuple[int, str]:
    with app.app_context():
        user = factories.user(Role.PRACTITIONER)
        db.session.commit()
        return user.id, user.email


def _link_path(response_html: str) -> str:
    match = re.search(
        r'id="set-password-link">https?://[^/]+(/account/set-password/[^<]+)<', response_html
    )
    assert match is not None
    return match.group(1)


def test_administrator_creates_a_link_and_it_works_once(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    user_id, email = _new_user(app)
    admin = client_for(Role.ADMINISTRATOR)
    page = admin.post(f"/admin/users/{user_id}/set-password-link")
    assert page.status_code == 200
    assert "It works once and expires in 7 days" in page_text(page)
    path = _link_path(page.get_data(as_text=True))
    with app.app_context():
        stored = db.session.scalars(select(AccountToken.token_digest)).all()
    assert path.rsplit("/", 1)[1] not in stored  # only the digest is kept

    visitor = app.test_client()
    form = visitor.get(path)
    assert "Create your password" in page_text(form)
    mismatch = visitor.post(path, data={"password": NEW_PASSWORD, "confirm": "something else"})
    assert "The passwords do not match" in page_text(mismatch)
    weak = visitor.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert "Password is too easy to guess" in page_text(weak)
    done = visitor.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/sign-in"
    assert sign_in(app.test_client(), email, NEW_PASSWORD).status_code == 302

    again = visitor.get(path)
    assert again.status_code == 404
    assert "The link has expired or has already been used" in page_text(again)


def test_expired_and_replaced_links_do_not_work(app: Flask, ctx: None) -> None:
    user = factories.user(Role.PRACTITIONER)
    first = account_tokens.issue(user, account_tokens.PASSWORD_RESET, actor=None)
    second = account_tokens.issue(user, account_tokens.PASSWORD_RESET, actor=None)
    assert account_tokens.user_for(first) is None  # replaced by the second
    assert account_tokens.user_for(second) == user
    record = db.session.scalar(select(AccountToken).where(AccountToken.used_at.is_(None)))
    assert record is not None
    assert record.expires_at - record.created_at == timedelta(hours=1)
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert account_tokens.user_for(second) is None


def test_a_deactivated_user_cannot_use_a_link(app: Flask, ctx: None) -> None:
    user = factories.user(Role.PRACTITIONER)
    token = account_tokens.issue(user, account_tokens.INVITATION, actor=None)
    user.is_active = False
    db.session.flush()
    assert account_tokens.user_for(token) is None


def test_only_administrators_create_links(
    app: Flask, client_for: Callable[..., FlaskClient], user_of: Callable[..., User]
) -> None:
    target = user_of(Role.PRACTITIONER)
    for role in (Role.SECRETARIAT, Role.CHAIR, Role.AGENCY_LEAD, Role.PRACTITIONER):
        response = client_for(role).post(f"/admin/users/{target.id}/set-password-link")
        assert response.status_code == 403, role
    assert app.test_client().get("/account/set-password/not-a-token").status_code == 404
