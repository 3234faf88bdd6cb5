"""The conflict page of a ``WriteConflict`` (a lost race with no versioned record to blame)
keeps what the person typed: it lists the posted fields' text, escaped, leaving out the
CSRF token, hidden versions, the button and anything secret."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from sgreviews.extensions import db
from sgreviews.models import Role
from sgreviews.services.conflicts import WriteConflict
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in
from tests.databases import fresh_database

pytestmark = pytest.mark.own_database

EMAIL = "secretariat.conflict@test.example"


@pytest.fixture
def conflict_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(fresh_database(tmp_path, suffix="_conflict"), tmp_path)
    with app.app_context():
        upgrade()
        factories.user(Role.SECRETARIAT, email=EMAIL)
        db.session.commit()

    def lose_a_race() -> str:
        raise WriteConflict()

    app.add_url_rule("/test-only/lost-race", view_func=lose_a_race, methods=["POST"])
    yield app
    with app.app_context():
        db.engine.dispose()


def test_conflict_page_shows_the_typed_text_escaped(conflict_app: Flask) -> None:
    client = conflict_app.test_client()
    assert sign_in(client, EMAIL).status_code == 302
    response = client.post(
        "/test-only/lost-race",
        data={
            "csrf_token": "csrf-value-not-shown",
            "version": "41",
            "lock_version": "7",
            "action": "publish",
            "action_text": "Relaunch the <b>escalation</b> procedure\nwith a learning event",
            "due_date": ["31", "12", "2030"],
            "measure_of_success": "",
            "new_password": "hunter2-not-shown",
            "evidence": (io.BytesIO(b"%PDF-1.4 audit"), "audit.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "Someone else saved at the same moment" in text
    assert "What you entered" in text
    assert "Action text" in text
    # Escaped, with its line break kept.
    assert "Relaunch the &lt;b&gt;escalation&lt;/b&gt; procedure<br>with a learning event" in html
    assert "<b>escalation</b>" not in html
    assert "Due date" in text and "31 12 2030" in text
    assert "audit.pdf" in text
    for not_shown in ("csrf-value-not-shown", "hunter2-not-shown", "publish", "Measure"):
        assert not_shown not in text
    assert "Lock version" not in text and ">41<" not in html


def test_conflict_page_without_a_form_lists_nothing(conflict_app: Flask) -> None:
    client = conflict_app.test_client()
    assert sign_in(client, EMAIL).status_code == 302
    response = client.post("/test-only/lost-race", data={"csrf_token": "x"})
    assert response.status_code == 409
    assert "What you entered" not in page_text(response)
