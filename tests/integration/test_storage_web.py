"""Evidence and staged imports through the web, on both storages: a local folder and an
S3 bucket on a real S3-compatible server (moto's, over HTTP). Upload, download and delete
an evidence file; stage, preview and confirm an import; the bytes are where the storage
says and nowhere else."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, Agency, EvidenceFile, Role
from sgreviews.services.actions.evidence import purge_removed
from sgreviews.services.storage import Storage, build_storage
from sgreviews.settings import storage_settings
from tests import factories
from tests.conftest import page_text
from tests.s3 import S3Server

Clients = Callable[..., FlaskClient]
PDF = b"%PDF-1.7 audit of twenty strategy discussions"


@dataclass
class Place:
    """Where this test's storage keeps files, seen from outside the app."""

    kind: str
    storage: Storage
    evidence: Callable[[], set[str]]
    imports: Callable[[], set[str]]


@pytest.fixture(params=["local", "s3"])
def place(
    request: pytest.FixtureRequest,
    app: Flask,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Place]:
    settings = app.extensions["sgreviews.settings"]
    if request.param == "local":
        root = tmp_path_factory.mktemp("local-storage")
        settings = dataclasses.replace(settings, evidence_dir=root / "evidence", instance_path=root)
        storage = build_storage(settings)

        def listing(folder: str) -> Callable[[], set[str]]:
            path = root / folder
            return lambda: {p.name for p in path.iterdir()} if path.exists() else set()

        place = Place("local", storage, listing("evidence"), listing("imports"))
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        bucket = server.new_bucket()
        settings = dataclasses.replace(
            settings, storage=storage_settings(server.overrides(bucket, prefix="nscp"))
        )
        storage = build_storage(settings)

        def keys(area: str) -> Callable[[], set[str]]:
            start = f"nscp/{area}/"
            return lambda: {
                key[len(start) :] for key in server.keys(bucket) if key.startswith(start)
            }

        place = Place("s3", storage, keys("evidence"), keys("imports"))
    monkeypatch.setitem(app.extensions, "sgreviews.storage", storage)
    yield place


@dataclass
class World:
    own: Agency
    review_id: int
    action_id: int


@pytest.fixture
def world(app: Flask, transaction: object) -> World:
    with app.app_context():
        own = factories.agency(name="Storage Testshire Agency")
        review = factories.review(reference="LCSPR-2025-77", started_on=date(2025, 1, 1))
        finding = factories.finding(review, text="Escalation was rare and slow")
        action = factories.action(own, finding, status=ActionStatus.IN_PROGRESS)
        db.session.commit()
        return World(own, review.id, action.id)


def _version(client: FlaskClient, action_id: int) -> str:
    html = client.get(f"/actions/{action_id}/progress").get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)  # type: ignore[union-attr]


def _upload(client: FlaskClient, action_id: int, status: str, name: str, data: bytes) -> None:
    response = client.post(
        f"/actions/{action_id}/progress",
        data={
            "status": status,
            "note": f"Attached {name}",
            "version": _version(client, action_id),
            "evidence": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page_text(response)


def _records(app: Flask, action_id: int) -> list[EvidenceFile]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(EvidenceFile)
                .where(EvidenceFile.action_id == action_id)
                .order_by(EvidenceFile.id)
            )
        )


def test_evidence_upload_download_remove_purge_round_trip(
    app: Flask, client_for: Clients, world: World, place: Place
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    _upload(lead, world.action_id, "in_progress", "Audit Q3.pdf", PDF)
    (record,) = _records(app, world.action_id)
    assert place.evidence() == {record.stored_name}
    assert place.imports() == set()

    url = f"/actions/{world.action_id}/evidence/{record.id}"
    download = client_for(Role.SECRETARIAT).get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "Audit_Q3.pdf" in download.headers["Content-Disposition"]

    # Removed with a reason: refused to everyone at its address, still in the store, and
    # read by the administrator from the store during the retention period.
    removed = lead.post(f"{url}/remove", data={"reason": "The wrong file"})
    assert removed.status_code == 302, page_text(removed)
    assert client_for(Role.SECRETARIAT).get(url).status_code == 410
    assert place.evidence() == {record.stored_name}
    admin = client_for(Role.ADMINISTRATOR).get(f"/admin/removed-evidence/{record.id}")
    assert admin.status_code == 200 and admin.data == PDF

    # After the retention period the purge deletes it from the store; the row stays.
    with app.app_context():
        kept = db.session.get(EvidenceFile, record.id)
        assert kept is not None and kept.removed_at is not None
        kept.removed_at = kept.removed_at - timedelta(days=400)
        db.session.commit()
        assert purge_removed(app.extensions["sgreviews.storage"].evidence, 90) == 1
    assert place.evidence() == set()
    assert [r.id for r in _records(app, world.action_id)] == [record.id]


def test_a_refused_upload_leaves_nothing_in_the_store(
    app: Flask, client_for: Clients, world: World, place: Place
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    # Completed needs the lead's evidence to be real: a disguised file is refused.
    response = lead.post(
        f"/actions/{world.action_id}/progress",
        data={
            "status": "completed",
            "note": "x",
            "version": _version(lead, world.action_id),
            "evidence": (io.BytesIO(b"MZ\x90\x00"), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert place.evidence() == set()


def test_staged_import_lives_in_the_store_until_confirmed(
    app: Flask, client_for: Clients, world: World, place: Place
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    csv_data = (
        b"Ref,Action,Agency,Timescale\n"
        b"STO-1,Relaunch the escalation procedure,Storage Testshire Agency,31/12/2026\n"
    )
    response = secretariat.post(
        "/actions/import",
        data={"file": (io.BytesIO(csv_data), "tracker.csv"), "review": str(world.review_id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    token = preview_url.split("/actions/import/", 1)[1].split("?", 1)[0]
    assert place.imports() == {token}
    assert place.storage.imports.read(token) == csv_data
    assert "1 rows: 1 ready to import" in page_text(secretariat.get(preview_url)) or (
        "ready to import" in page_text(secretariat.get(preview_url))
    )
    form = {
        "review": str(world.review_id),
        "map-reference": "0",
        "map-action_text": "1",
        "map-agency": "2",
        "map-due_date": "3",
        "confirm": "all",
    }
    done = secretariat.post(preview_url.split("?")[0], data=form)
    assert done.status_code == 302, page_text(done)
    assert place.imports() == set()
    with app.app_context():
        assert db.session.scalar(select(Action).where(Action.reference == "STO-1")) is not None
    # The token is spent: its preview is gone.
    assert secretariat.get(preview_url).status_code == 400


def test_an_unreachable_store_refuses_uploads_beside_the_field_and_saves_nothing(
    app: Flask,
    client_for: Clients,
    world: World,
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = app.extensions["sgreviews.settings"]
    settings = dataclasses.replace(
        settings, storage=storage_settings(s3_server.overrides("sgreviews-bucket-gone"))
    )
    monkeypatch.setitem(app.extensions, "sgreviews.storage", build_storage(settings))
    lead = client_for(Role.AGENCY_LEAD, world.own)
    response = lead.post(
        f"/actions/{world.action_id}/progress",
        data={
            "status": "in_progress",
            "note": "Audit attached while the store is down",
            "version": _version(lead, world.action_id),
            "evidence": (io.BytesIO(PDF), "audit.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "The evidence store cannot be reached just now, so nothing was saved" in text
    assert "Audit attached while the store is down" in text  # the typed note is kept
    assert _records(app, world.action_id) == []
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None
        assert all(u.note != "Audit attached while the store is down" for u in action.updates)

    secretariat = client_for(Role.SECRETARIAT)
    response = secretariat.post(
        "/actions/import",
        data={"file": (io.BytesIO(b"Ref,Action\nX-1,Do it\n"), "tracker.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The file could not be kept just now" in page_text(response)
