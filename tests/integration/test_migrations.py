"""Migrations from an empty database to head, and from the previous release's schema with
data to head, keeping every row. Written over whatever migrations exist, so it keeps
working as revisions are added: set PREVIOUS_RELEASE to the revision of the last release."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from sgreviews.extensions import db
from sgreviews.services.demo import core as demo
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.snapshot import snapshot, table_columns

PREVIOUS_RELEASE = "0001"


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app on its own empty database, outside the per-test transaction (migrations
    commit)."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    url = fresh_database(tmp_path, suffix="_migrate")
    application = make_test_app(url, tmp_path / "instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _heads(app: Flask) -> tuple[str, ...]:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(app.extensions["migrate"].directory)
    return tuple(ScriptDirectory.from_config(config).get_heads())


def test_one_head(empty_app: Flask) -> None:
    assert len(_heads(empty_app)) == 1, "migrations have branched: re-chain them"


def test_empty_database_to_head_and_back(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()


def test_previous_release_with_data_upgrades_to_head_keeping_it(empty_app: Flask) -> None:
    app = empty_app
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
        db.session.remove()
        # Back to the previous release's schema, as a live service would be before this
        # release: its tables keep the demo data in the columns they had then.
        downgrade(revision=PREVIOUS_RELEASE)
        with db.engine.connect() as connection:
            old_columns = table_columns(connection)
            old_columns.pop("alembic_version", None)
            at_previous_release = snapshot(connection, only=old_columns)
        assert at_previous_release["user_account"] and at_previous_release["action"]

        upgrade()
        with db.engine.connect() as connection:
            at_head = snapshot(connection, only=old_columns)
        assert at_head == at_previous_release


SEARCHED_TABLES = ("briefing", "review", "finding", "action")


def test_search_machinery_survives_every_later_migration(empty_app: Flask) -> None:
    """On SQLite a batch ALTER copies a table and drops its triggers; a later migration
    that batch-alters a searched table would silently stop the search finding new rows.
    At head every searched table still has its triggers (SQLite) or index (PostgreSQL)."""
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "sqlite":
                found = {
                    name
                    for (name,) in connection.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    )
                }
                expected = {
                    f"fts_record_{table}_{when}"
                    for table in SEARCHED_TABLES
                    for when in ("insert", "update", "delete")
                }
            else:
                found = {
                    name
                    for (name,) in connection.exec_driver_sql(
                        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                    )
                }
                expected = {f"fts_{table}_simple" for table in SEARCHED_TABLES}
        assert expected <= found, f"missing: {sorted(expected - found)}"
