"""``sgreviews backup`` then ``sgreviews restore`` gives back every row of every table,
on SQLite (online backup) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from sgreviews.extensions import db
from sgreviews.services import audit
from sgreviews.services.demo import core as demo
from tests.conftest import make_test_app
from tests.databases import fresh_database
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


def test_backup_and_restore_round_trip_loses_nothing(
    own_database_app: Flask, tmp_path: Path
) -> None:
    app = own_database_app
    with app.app_context(), db.engine.connect() as connection:
        before = snapshot(connection)
    assert sum(len(rows) for rows in before.values()) > 100
    assert all(before[name] for name in ("user_account", "review", "action", "audit_event"))

    runner = app.test_cli_runner()
    target = tmp_path / "out" / "backup.file"
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    # Damage the database after the backup: change, delete and add rows.
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
    with app.app_context(), db.engine.connect() as connection:
        after = snapshot(connection)
    assert after == before


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
