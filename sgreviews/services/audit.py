"""Writing to the audit trail."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request

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
