"""When the database goes away, requests fail cleanly with the styled error page, and the
app recovers by itself when it comes back (no restart)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sgreviews.extensions import db
from sgreviews.models import Role
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in
from tests.databases import fresh_database, postgres_url

pytestmark = pytest.mark.own_database


def test_unreachable_database_gives_the_styled_error_page(tmp_path: Path) -> None:
    # Nothing listens on port 1: every connection attempt is refused at once.
    app = make_test_app("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    response = app.test_client().post(
        "/sign-in", data={"email": "someone@test.example", "password": "a password here"}
    )
    assert response.status_code == 500
    text_ = page_text(response)
    assert "Sorry, there is a problem with the service" in text_
    assert "OperationalError" not in text_ and "127.0.0.1:1" not in text_


@pytest.fixture
def postgres_app(tmp_path: Path) -> Iterator[Flask]:
    if postgres_url() is None:
        pytest.skip("needs PostgreSQL: the PostgreSQL leg of make test runs this")
    url = fresh_database(tmp_path, suffix="_outage")
    app = make_test_app(url, tmp_path)
    with app.app_context():
        upgrade()
        factories.user(Role.CHAIR, email="chair.outage@test.example")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_app_recovers_after_the_database_drops_every_connection(postgres_app: Flask) -> None:
    client = postgres_app.test_client()
    assert sign_in(client, "chair.outage@test.example").status_code == 302
    assert client.get("/overview").status_code == 200
    # What a server restart does to the app: every one of its connections is cut.
    url = make_url(postgres_app.config["SQLALCHEMY_DATABASE_URI"])
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        cut = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": url.database},
        ).scalar()
    admin.dispose()
    assert cut and cut >= 1
    # The pool notices the dead connections and opens new ones: no error, no restart.
    response = client.get("/overview")
    assert response.status_code == 200
    assert "Overview" in page_text(response)
