"""Writing to the audit trail."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import text
from sqlalchemy.engine import Connection

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value


def _client_address() -> str | None:
    """The requesting client's address, as ProxyFix (trusting the configured proxies) gives
    it; None outside a request: the scheduler and the command line have no client."""
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    actor: User | None,
    entity_type: str,
    entity_id: int | None,
    event: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction."""
    audit_event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        entity_type=entity_type,
        entity_id=entity_id,
        event=event,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        client_address=_client_address(),
    )
    db.session.add(audit_event)
    db.session.flush()
    return audit_event


@contextmanager
def purge_permitted(connection: Connection) -> Iterator[None]:
    """Inside this block, and only on ``connection``, audit rows may be deleted or changed.

    Audit events are append-only: triggers (migration 0022) refuse UPDATE and DELETE of
    ``audit_event`` otherwise. This is the one documented way round, for a retention purge
    (none exists yet) or a test that damages a database on purpose. PostgreSQL: ``SET
    LOCAL sgreviews.audit_purge``, which ends with the transaction (call it inside one).
    SQLite: a temporary table the triggers look for, dropped again at the end.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL sgreviews.audit_purge = 'on'"))
        try:
            yield
        finally:
            connection.execute(text("SET LOCAL sgreviews.audit_purge = 'off'"))
    else:
        connection.execute(text("CREATE TEMP TABLE sgreviews_audit_purge (id INTEGER)"))
        try:
            yield
        finally:
            connection.execute(text("DROP TABLE temp.sgreviews_audit_purge"))
