from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from sgreviews.extensions import db
from sgreviews.models import Role, User
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in


def test_sign_in_page_has_labelled_fields(app: Flask) -> None:
    text = page_text(app.test_client().get("/sign-in"))
    assert "Email address" in text
    assert "Password" in text
    assert "Sign in" in text


def test_wrong_password_does_not_reveal_whether_the_email_exists(
    app: Flask, user_of: Callable[..., User]
) -> None:
    user = user_of(Role.CHAIR)
    client = app.test_client()
    known = sign_in(client, user.email, "a wrong password here")
    unknown = sign_in(client, "nobody-at-all@test.example", "a wrong password here")
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        text = page_text(response)
        assert "There is a problem" in text
        assert "Enter a correct email address and password" in text
    assert page_text(known).replace(user.email, "") == page_text(unknown).replace(
        "nobody-at-all@test.example", ""
    )


def test_empty_fields_get_messages_beside_them(app: Flask) -> None:
    response = app.test_client().post("/sign-in", data={"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert 'href="#email"' in html
    assert "<title>Error: Sign in" in html


def test_inactive_user_cannot_sign_in(app: Flask) -> None:
    with app.app_context():
        user = factories.user(Role.SECRETARIAT, is_active=False)
        email = user.email
        db.session.commit()
    response = sign_in(app.test_client(), email)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in page_text(response)


def test_sign_out(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(Role.CHAIR)
    assert client.get("/overview").status_code == 200
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get("/overview").status_code == 302


def test_sign_in_does_not_redirect_off_site(app: Flask, user_of: Callable[..., User]) -> None:
    user = user_of(Role.CHAIR)
    response = app.test_client().post(
        "/sign-in?next=//evil.example/",
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/work"


def test_forms_need_a_csrf_token(database_url: str, tmp_path: Path) -> None:
    protected = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED="1")
    response = protected.test_client().post(
        "/sign-in", data={"email": "a@test.example", "password": "whatever-it-is"}
    )
    assert response.status_code == 400
    assert "There is a problem with your request" in page_text(response)
