"""Migrations from an empty database to head, and from the previous release's schema with
data to head, keeping every row. Written over whatever migrations exist, so it keeps
working as revisions are added: set PREVIOUS_RELEASE to the revision of the last release."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

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


def test_effective_dates_are_backfilled_with_the_uk_day_recorded(empty_app: Flask) -> None:
    """Migration 0031: each event's effective date is the UK date of the moment it was
    recorded (a note at 23:30 UTC in summer took effect the next day in the UK)."""
    from datetime import UTC, date, datetime

    import sqlalchemy as sa

    from sgreviews.clock import to_london

    app = empty_app
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
        db.session.remove()
        downgrade(revision="0028")
        moment = sa.column("created_at", sa.DateTime(timezone=True))
        update_table = sa.table("action_update", sa.column("id", sa.Integer()), moment)
        with db.engine.begin() as connection:
            first, second = connection.execute(
                sa.select(update_table.c.id).order_by(update_table.c.id).limit(2)
            ).scalars()
            for row_id, value in (
                (first, datetime(2021, 6, 30, 23, 30, tzinfo=UTC)),
                (second, datetime(2021, 12, 31, 23, 30, tzinfo=UTC)),
            ):
                connection.execute(
                    update_table.update()
                    .where(update_table.c.id == row_id)
                    .values(created_at=value)
                )
        upgrade()
        with db.engine.connect() as connection:
            days = dict(
                connection.execute(sa.text("SELECT id, effective_on FROM action_update")).all()
            )
            requests = connection.execute(
                sa.text(
                    "SELECT requested_at, effective_on, decided_at, decision_effective_on "
                    "FROM extension_request"
                )
            ).all()
    as_date = lambda value: value if isinstance(value, date) else date.fromisoformat(value)  # noqa: E731
    as_moment = lambda value: (  # noqa: E731
        value if isinstance(value, datetime) else datetime.fromisoformat(value)
    )
    assert as_date(days[first]) == date(2021, 7, 1)  # BST: already 1 July in the UK
    assert as_date(days[second]) == date(2021, 12, 31)  # GMT
    assert None not in days.values()
    assert requests
    for requested_at, effective_on, decided_at, decision_effective_on in requests:
        assert as_date(effective_on) == to_london(as_moment(requested_at)).date()
        if decided_at is None:
            assert decision_effective_on is None
        else:
            assert as_date(decision_effective_on) == to_london(as_moment(decided_at)).date()


def test_0030_backfills_impact_history_and_counts_learning_only(empty_app: Flask) -> None:
    """Migration 0030 (issue 18): an "impact recorded" entry from before it gets the impact
    its note starts with, and the theme tally is rebuilt from learning findings only."""
    app = empty_app
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
        db.session.remove()
        downgrade(revision="0028")
        with db.engine.begin() as connection:
            action_id = connection.execute(text("SELECT min(id) FROM action")).scalar_one()
            for note in ("Evidence of impact. Audit of 20 records", "No impact. Re-audit"):
                connection.execute(
                    text(
                        "INSERT INTO action_update (action_id, created_at, status, note, kind)"
                        " VALUES (:a, :at, 'completed', :note, 'impact')"
                    ),
                    {"a": action_id, "at": datetime(2025, 5, 1, tzinfo=UTC), "note": note},
                )
            all_kinds = connection.execute(
                text("SELECT sum(findings) FROM theme_year_tally")
            ).scalar_one()
        upgrade()
        with db.engine.connect() as connection:
            recorded = connection.execute(
                text(
                    "SELECT note, impact_status FROM action_update WHERE kind = 'impact'"
                    " ORDER BY id"
                )
            ).all()
            learning_only = connection.execute(
                text("SELECT sum(findings) FROM theme_year_tally")
            ).scalar_one()
            by_hand = connection.execute(
                text(
                    "SELECT count(*) FROM finding_theme JOIN finding"
                    " ON finding.id = finding_theme.finding_id"
                    " WHERE finding.kind IN ('learning_point', 'recommendation')"
                )
            ).scalar_one()
    assert [status for _note, status in recorded] == ["evidenced", "no_impact"]
    assert learning_only == by_hand < all_kinds  # the demo's strengths left the tally
