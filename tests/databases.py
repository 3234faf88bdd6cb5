"""Which database the tests run against: SQLite by default, PostgreSQL when
SGREVIEWS_TEST_DATABASE_URL is set. Each run starts from an empty schema built by the
migrations."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL_VARIABLE = "SGREVIEWS_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def backend_name() -> str:
    return "postgresql" if postgres_url() else "sqlite"


def fresh_database(directory: Path, suffix: str = "") -> str:
    """A URL to an empty database: a new SQLite file, or a recreated PostgreSQL database
    whose name is the configured one plus ``suffix``."""
    url = postgres_url()
    if url is None:
        path = directory / f"test{suffix}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parsed = make_url(url)
    if not suffix:
        engine = create_engine(parsed)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    name = f"{parsed.database}{suffix}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)
