"""No evidence file outlives the attempt that wrote it: a progress update whose first try
lost a race (and was tried again) keeps only the second try's file, and a transaction that
stored a file and then did not commit (rolled back, or closed) leaves no file on disk."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from sgreviews.extensions import db
from sgreviews.models import Action, EvidenceFile, Role, User
from sgreviews.services.actions import evidence
from tests import factories
from tests.conftest import make_test_app, page_text, sign_in
from tests.databases import fresh_database

pytestmark = pytest.mark.own_database

PDF = b"%PDF-1.4 audit of twenty strategy discussions"


@dataclass
class World:
    app: Flask
    evidence_dir: Path
    action_id: int
    lead_id: int
    lead_email: str


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    app = make_test_app(fresh_database(tmp_path, suffix="_evidence"), tmp_path)
    with app.app_context():
        upgrade()
        owner = factories.agency()
        action = factories.action(owning_agency=owner)
        lead = factories.user(Role.AGENCY_LEAD, owner)
        db.session.commit()
        ids = action.id, lead.id, lead.email
    yield World(app, app.extensions["sgreviews.settings"].evidence_dir, *ids)
    with app.app_context():
        db.engine.dispose()


def files_on_disk(world: World) -> set[str]:
    if not world.evidence_dir.exists():
        return set()
    return {path.name for path in world.evidence_dir.iterdir()}


def stored_names(world: World) -> set[str]:
    with world.app.app_context():
        return set(db.session.scalars(select(EvidenceFile.stored_name)))


def test_a_retried_progress_update_keeps_only_the_committed_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_store = evidence.store
    tries: list[str] = []

    def store_then_lose_the_first_race(**arguments: Any) -> EvidenceFile:
        record = real_store(**arguments)
        tries.append(record.stored_name)
        if len(tries) == 1:
            # As the flush of a save that lost to another would fail.
            raise StaleDataError("UPDATE statement on table 'action' expected 1 row")
        return record

    monkeypatch.setattr(evidence, "store", store_then_lose_the_first_race)
    client = world.app.test_client()
    assert sign_in(client, world.lead_email).status_code == 302
    form = client.get(f"/actions/{world.action_id}/progress").get_data(as_text=True)
    marker = 'name="version" type="hidden" value="'
    version = form[form.index(marker) + len(marker) :].split('"', 1)[0]

    response = client.post(
        f"/actions/{world.action_id}/progress",
        data={
            "status": "in_progress",
            "note": "Audit attached",
            "version": version,
            "evidence": (io.BytesIO(PDF), "audit.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, page_text(response)
    assert len(tries) == 2  # the first try lost, the second was kept
    assert stored_names(world) == {tries[1]}
    assert files_on_disk(world) == {tries[1]}


def store_one(world: World) -> EvidenceFile:
    action = db.session.get(Action, world.action_id)
    lead = db.session.get(User, world.lead_id)
    assert action is not None and lead is not None
    return evidence.store(
        actor=lead,
        action=action,
        update=None,
        upload=evidence.Upload("audit.pdf", PDF),
        files=world.app.extensions["sgreviews.storage"].evidence,
        max_bytes=1024 * 1024,
    )


def test_a_rolled_back_store_leaves_no_file(world: World) -> None:
    with world.app.app_context():
        store_one(world)
        assert len(files_on_disk(world)) == 1
        db.session.rollback()
    assert files_on_disk(world) == set()
    assert stored_names(world) == set()


def test_a_store_never_committed_leaves_no_file_when_the_session_closes(world: World) -> None:
    with world.app.app_context():
        store_one(world)
    # The app context's end closed the session: its transaction ended without a commit.
    assert files_on_disk(world) == set()


def test_a_committed_store_keeps_its_file_also_past_a_savepoint(world: World) -> None:
    with world.app.app_context():
        with db.session.begin_nested():
            record = store_one(world)
        db.session.commit()
        kept = record.stored_name
        # A later transaction of the same session that rolls back takes nothing with it.
        store_one(world)
        db.session.rollback()
    assert files_on_disk(world) == {kept} == stored_names(world)


def test_a_savepoint_released_then_rolled_back_leaves_no_file(world: World) -> None:
    with world.app.app_context():
        with db.session.begin_nested():
            store_one(world)
        db.session.rollback()
    assert files_on_disk(world) == set()
