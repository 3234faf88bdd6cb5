"""Audit events are append-only in the database itself (migration 0022): an UPDATE or a
DELETE of an audit row is refused by a trigger, on SQLite and on PostgreSQL, unless the
documented purge permit is held on that connection."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Role
from sgreviews.services import audit
from tests import factories


def _refused() -> pytest.RaisesContext[DBAPIError]:
    return pytest.raises(DBAPIError, match="audit events cannot be changed or deleted")


def _one_event() -> int:
    actor = factories.user(Role.SECRETARIAT)
    return audit.record(actor, "review", 1, "update", {"title": "A"}, {"title": "B"}).id


def _count(event_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.id == event_id)
        )
        or 0
    )


@pytest.mark.usefixtures("ctx")
def test_an_update_of_an_audit_row_is_refused() -> None:
    event_id = _one_event()
    with _refused(), db.session.begin_nested():
        db.session.execute(
            text("UPDATE audit_event SET event = 'forged' WHERE id = :id"), {"id": event_id}
        )
    db.session.expire_all()
    assert db.session.get(AuditEvent, event_id).event == "update"  # type: ignore[union-attr]


@pytest.mark.usefixtures("ctx")
def test_an_orm_change_to_an_audit_row_is_refused() -> None:
    event_id = _one_event()
    event = db.session.get(AuditEvent, event_id)
    assert event is not None
    with _refused(), db.session.begin_nested():
        event.client_address = "203.0.113.9"
        db.session.flush()


@pytest.mark.usefixtures("ctx")
def test_a_delete_of_an_audit_row_is_refused() -> None:
    event_id = _one_event()
    with _refused(), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
    assert _count(event_id) == 1


@pytest.mark.usefixtures("ctx")
def test_the_purge_permit_allows_a_delete_and_ends_with_its_block() -> None:
    first, second = _one_event(), _one_event()
    connection = db.session.connection()
    with audit.purge_permitted(connection):
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": first})
    assert _count(first) == 0
    # After the block the rule is back.
    with _refused(), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": second})
    assert _count(second) == 1
