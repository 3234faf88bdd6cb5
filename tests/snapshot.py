"""Every row of every table, for tests that must prove nothing was lost."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection


def snapshot(connection: Connection, only: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """Rows of each table (or only the given tables and columns), sorted, as plain tuples."""
    metadata = MetaData()
    metadata.reflect(connection)
    result: dict[str, Any] = {}
    for table in metadata.sorted_tables:
        if only is not None and table.name not in only:
            continue
        columns = [
            column for column in table.columns if only is None or column.name in only[table.name]
        ]
        rows = connection.execute(select(*columns)).all()
        result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result


def table_columns(connection: Connection) -> dict[str, set[str]]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        table.name: {column.name for column in table.columns} for table in metadata.tables.values()
    }
