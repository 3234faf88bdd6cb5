"""The error page cannot fail: it is rendered after a failed flush left the session
refusing every query (``PendingRollbackError`` before the fix), for a signed-in person
whose header shows the unread count, and with the header's query unable to run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError, OperationalError

from sgreviews.extensions import db
from sgreviews.models import Role, User
from sgreviews.services.notifications import inbox
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in
from tests.databases import fresh_database

pytestmark = pytest.mark.own_database

EMAIL = "chair.broken@test.example"


@pytest.fixture
def broken_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(fresh_database(tmp_path, suffix="_broken"), tmp_path)
    with app.app_context():
        upgrade()
        factories.user(Role.CHAIR, email=EMAIL)
        db.session.commit()

    def break_the_session() -> str:
        # A second account with the same email: the flush fails and, until a rollback,
        # the session refuses every query; then the view fails.
        db.session.add(User(email=EMAIL, display_name="Twin", role=Role.CHAIR))
        with contextlib.suppress(IntegrityError):
            db.session.flush()
        raise RuntimeError("the view failed after a failed flush")

    app.add_url_rule("/test-only/broken-session", view_func=break_the_session)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_error_page_renders_after_a_failed_flush(broken_app: Flask) -> None:
    client = broken_app.test_client()
    assert sign_in(client, EMAIL).status_code == 302
    response = client.get("/test-only/broken-session")
    assert response.status_code == 500
    text = page_text(response)
    assert "Sorry, there is a problem with the service" in text
    assert "PendingRollbackError" not in text
    # The next request on the same pooled connection works.
    assert client.get("/overview").status_code == 200


def test_error_page_does_not_query_for_the_header(
    broken_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the database unable to answer, the header's unread count is not asked for
    (an unreachable database as a whole is tests/integration/test_database_outage.py)."""
    client = broken_app.test_client()
    assert sign_in(client, EMAIL).status_code == 302

    def unavailable(_user_id: int) -> int:
        raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection"))

    monkeypatch.setattr(inbox, "unread_count", unavailable)
    response = client.get("/test-only/broken-session")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page_text(response)
