"""The database built by the migrations must match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from sgreviews.extensions import db


def test_models_and_migrations_agree(transaction: Connection) -> None:
    context = MigrationContext.configure(
        transaction,
        opts={
            "compare_type": True,
            # Full-text search objects exist on one backend only (services/briefings/search.py).
            "include_object": lambda _obj, name, *_: not (name or "").startswith("fts_"),
        },
    )
    differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_every_table_has_a_primary_key() -> None:
    for table in db.metadata.tables.values():
        assert table.primary_key.columns, f"{table.name} has no primary key"
