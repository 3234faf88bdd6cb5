"""Optimistic locking for edit forms: a form carries the version it was opened at, and a
save against a newer version is refused with who changed what and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sgreviews.extensions import db
from sgreviews.models import AuditEvent


class FieldError(ValueError):
    """Bad input for one field; the view shows the message beside that field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass
class StaleEdit(Exception):
    """Someone saved the record after this form was opened."""

    changed_by: str
    changed_at: datetime | None
    changed_fields: list[str]
    current: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"changed by {self.changed_by}"


def latest_change(entity_type: str, entity_id: int) -> AuditEvent | None:
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .where(AuditEvent.event != "denied")
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )


def check_version(
    entity_type: str,
    entity_id: int,
    current_version: int,
    expected_version: int,
    current: dict[str, Any],
) -> None:
    """Raise StaleEdit when the record moved on since the form was opened."""
    if current_version == expected_version:
        return
    change = latest_change(entity_type, entity_id)
    changed_fields: list[str] = []
    if change is not None and change.after:
        changed_fields = sorted(change.after)
    raise StaleEdit(
        changed_by=change.actor.display_name if change and change.actor else "someone else",
        changed_at=change.occurred_at if change else None,
        changed_fields=changed_fields,
        current=current,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values changed, as (before, after)."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
