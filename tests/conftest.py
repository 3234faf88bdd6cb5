"""Shared fixtures: one application per test run on a database built by the migrations,
a transaction rolled back after each test, and a signed-in client per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.engine import Connection
from werkzeug.test import TestResponse

from sgreviews import create_app
from sgreviews.extensions import db
from sgreviews.models import Agency, Role, User
from tests import factories
from tests.databases import backend_name, fresh_database
from tests.htmlcheck import html_problems
from tests.s3 import S3Server, restore_environment, set_credentials, start_s3_server, stop_s3_server


def pytest_report_header() -> str:
    return f"sgreviews test database: {backend_name()}"


class CheckedClient(FlaskClient):
    """A test client that checks every HTML page it receives."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        # Buffered: the body is read and the response closed at once, so a file it sends
        # (a static asset, evidence, a PDF) is not left open for the garbage collector
        # (a ResourceWarning, an error under filterwarnings = error).
        kwargs.setdefault("buffered", True)
        response = super().open(*args, **kwargs)
        # Werkzeug's test client spools a large multipart body (an evidence upload) to a
        # temporary file it never closes; the request is over, so close it here.
        response.request.environ["wsgi.input"].close()
        if response.mimetype == "text/html" and response.status_code != 302:
            problems = html_problems(response.get_data(as_text=True))
            assert not problems, f"{response.request.path}: {problems}"
        return response


def make_test_app(database_url: str, instance: Path, **extra: str) -> Flask:
    overrides = {
        "SGREVIEWS_ENV": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "SGREVIEWS_INSTANCE_PATH": str(instance),
        "WTF_CSRF_ENABLED": "0",
        # In-process tests share one connection (the per-test transaction): no threads of
        # their own. Subprocess tests (test_reminder_processes) run the automatic setting.
        "SGREVIEWS_DIGEST_WORKERS": "1",
    }
    overrides.update(extra)
    app = create_app(overrides)
    app.test_client_class = CheckedClient
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's Session chooses an engine in get_bind() and would ignore the
    test's connection; this one always uses the connection it was given."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


@pytest.fixture(autouse=True)
def transaction(request: pytest.FixtureRequest) -> Iterator[Connection | None]:
    """Every non-browser test runs in a transaction that is rolled back afterwards. Each
    request gets its own session on the same connection; a commit only releases a
    savepoint."""
    if "e2e" in request.keywords or "own_database" in request.keywords:
        yield None
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original_session = db.session
    db.session = db._make_scoped_session(  # type: ignore[method-assign]
        {
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "class_": ConnectionBoundSession,
        }
    )
    try:
        yield connection
    finally:
        # Close the session of every app context the test opened.
        for session in list(db.session.registry.registry.values()):
            session.close()
        db.session = original_session  # type: ignore[method-assign]
        outer.rollback()
        connection.close()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call services directly."""
    with app.app_context():
        yield


def sign_in(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> TestResponse:
    return client.post("/sign-in", data={"email": email, "password": password})


@pytest.fixture
def client_for(app: Flask) -> Callable[..., FlaskClient]:
    """A client signed in as a new user of the role (and agency, if given)."""

    def make(role: Role, agency: Agency | None = None) -> FlaskClient:
        with app.app_context():
            user = factories.user(role, agency)
            email = user.email
            db.session.commit()
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, "sign-in failed"
        return client

    return make


@pytest.fixture
def user_of(app: Flask) -> Callable[..., User]:
    def make(role: Role, agency: Agency | None = None) -> User:
        with app.app_context():
            user = factories.user(role, agency)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)  # usable after the context closes
            return user

    return make


def page_text(response: TestResponse) -> str:
    """The visible text of a page, whitespace collapsed, for readable assertions."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server in a process of its own, over HTTP (tests/s3.py)."""
    previous = set_credentials()
    server = start_s3_server(tmp_path_factory.mktemp("moto") / "moto_server.log")
    yield server
    stop_s3_server(server)
    restore_environment(previous)
