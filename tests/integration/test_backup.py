"""``sgreviews backup`` then ``sgreviews restore`` gives back every row of every table,
on SQLite (online backup) and PostgreSQL (pg_dump/pg_restore), and every evidence file,
from a local folder or an S3 bucket (moto's server, over HTTP); a backup made at another
migration revision is refused."""

from __future__ import annotations

import dataclasses
import io
import json
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from sgreviews.extensions import db
from sgreviews.services import audit
from sgreviews.services.demo import core as demo
from sgreviews.services.operations.readiness import migration_heads
from sgreviews.services.storage import Storage, build_storage
from sgreviews.settings import storage_settings
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.s3 import S3Server
from tests.snapshot import snapshot


@pytest.fixture
def own_database_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app on its own new database with the demo loaded, outside the per-test
    transaction (a backup must see committed data)."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    url = fresh_database(tmp_path, suffix="_backup")
    application = make_test_app(url, tmp_path / "instance")
    with application.app_context():
        upgrade()
        demo.load_demo(application.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["local", "s3"])
def storage(
    request: pytest.FixtureRequest, own_database_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> Storage:
    """The app's evidence storage: its local folder, or a new bucket on moto's server."""
    if request.param == "local":
        built: Storage = own_database_app.extensions["sgreviews.storage"]
        return built
    server: S3Server = request.getfixturevalue("s3_server")
    settings = own_database_app.extensions["sgreviews.settings"]
    settings = dataclasses.replace(
        settings, storage=storage_settings(server.overrides(server.new_bucket()))
    )
    built = build_storage(settings)
    monkeypatch.setitem(own_database_app.extensions, "sgreviews.storage", built)
    return built


def _members(archive_path: Path) -> dict[str, bytes]:
    with tarfile.open(archive_path) as archive:
        return {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
        }


def _head(app: Flask) -> str:
    return ", ".join(migration_heads(app.extensions["migrate"].directory))


def _evidence(storage: Storage) -> dict[str, bytes]:
    return {item.name: storage.evidence.read(item.name) for item in storage.evidence.files()}


def test_backup_and_restore_round_trip_loses_nothing(
    own_database_app: Flask, storage: Storage, tmp_path: Path
) -> None:
    app = own_database_app
    for item in list(storage.evidence.files()):  # the demo's own, on the local folder
        storage.evidence.delete(item.name)
    storage.evidence.put("a1b2c3", b"%PDF-1.7 audit of strategy discussions")
    storage.evidence.put("d4e5f6", b"minutes,attendance\n")
    files_before = _evidence(storage)
    with app.app_context(), db.engine.connect() as connection:
        before = snapshot(connection)
    assert sum(len(rows) for rows in before.values()) > 100
    assert all(before[name] for name in ("user_account", "review", "action", "audit_event"))

    runner = app.test_cli_runner()
    target = tmp_path / "out" / "backup.file"
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up to {target} (" in result.output and " MB)" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    head = _head(app)
    assert f"at migration revision {head} and 2 evidence files" in result.output
    members = _members(target)
    manifest = json.loads(members["manifest.json"])
    assert manifest["revision"] == head and manifest["evidence_files"] == 2
    assert manifest["database"] in ("sqlite", "postgresql")
    assert {name: data for name, data in members.items() if name.startswith("evidence/")} == {
        f"evidence/{name}": data for name, data in files_before.items()
    }

    # Damage the evidence and the database after the backup.
    storage.evidence.delete("a1b2c3")
    storage.evidence.put("d4e5f6", b"overwritten")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM action_update"))
        connection.execute(text("UPDATE user_account SET display_name = 'Changed'"))
        # Audit rows are append-only (migration 0022): the damage needs the purge permit.
        with audit.purge_permitted(connection):
            connection.execute(text("DELETE FROM audit_event WHERE id > 3"))
    with app.app_context(), db.engine.connect() as connection:
        assert snapshot(connection) != before

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "2 evidence files" in result.output
    with app.app_context(), db.engine.connect() as connection:
        after = snapshot(connection)
    assert after == before
    assert _evidence(storage) == files_before


def _rewritten(source: Path, target: Path, **changes: object) -> Path:
    """A copy of the backup archive with its manifest changed."""
    members = _members(source)
    manifest = {**json.loads(members["manifest.json"]), **changes}
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(target, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def test_restore_refuses_a_backup_of_another_migration_revision(
    own_database_app: Flask, tmp_path: Path
) -> None:
    app = own_database_app
    runner = app.test_cli_runner()
    made = tmp_path / "backup.tar"
    assert runner.invoke(args=["backup", "--output", str(made)]).exit_code == 0
    with app.app_context(), db.engine.connect() as connection:
        before = snapshot(connection)
    older = _rewritten(made, tmp_path / "older.tar", revision="0001")
    result = runner.invoke(args=["restore", str(older), "--yes"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        "Error: The backup's database is at migration revision 0001 but this code's "
        f"migrations end at {_head(app)}: restore it with the release that made it (then run "
        "`sgreviews db upgrade` after upgrading the code)."
    ]
    with app.app_context(), db.engine.connect() as connection:
        assert snapshot(connection) == before  # nothing was touched
    other_kind = _rewritten(made, tmp_path / "other.tar", database="oracle")
    result = runner.invoke(args=["restore", str(other_kind), "--yes"])
    assert result.exit_code == 1 and "is a backup of a oracle database" in result.output


def test_restore_refuses_a_file_that_is_not_a_backup(
    own_database_app: Flask, tmp_path: Path
) -> None:
    bogus = tmp_path / "not-a-backup"
    bogus.write_text("hello")
    result = own_database_app.test_cli_runner().invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert "Error:" in result.output


def test_restore_asks_before_replacing_everything(own_database_app: Flask, tmp_path: Path) -> None:
    result = own_database_app.test_cli_runner().invoke(
        args=["restore", str(tmp_path / "x")], input="n\n"
    )
    assert result.exit_code != 0
    assert "replaces everything in the database" in result.output


def test_sqlite_backup_reports_progress_to_the_end(own_database_app: Flask, tmp_path: Path) -> None:
    from sgreviews.backup import backup

    steps: list[tuple[int, int]] = []
    with own_database_app.app_context():
        if db.engine.url.get_backend_name() != "sqlite":
            pytest.skip("pg_dump reports no progress; the SQLite backup API does")
        backup(tmp_path / "copy.sqlite3", progress=lambda done, total: steps.append((done, total)))
    assert steps and steps[-1][0] == steps[-1][1] > 0
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
