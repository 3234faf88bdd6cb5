"""``Action.finished_at`` (the dashboard's monthly trend reads it) always equals the
earliest update to a finished status, however the updates arrive."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate, Role
from sgreviews.models.action import FINISHED_STATUSES
from sgreviews.services.actions import writes as actions
from tests import factories


def live_finished_at(action: Action) -> datetime | None:
    value = db.session.scalar(
        select(func.min(ActionUpdate.created_at)).where(
            ActionUpdate.action_id == action.id, ActionUpdate.status.in_(FINISHED_STATUSES)
        )
    )
    if value is not None and value.tzinfo is None:  # SQLite returns naive from func.min
        value = value.replace(tzinfo=UTC)
    return value


def stored_finished_at(action: Action) -> datetime | None:
    db.session.expire(action, ["finished_at"])
    return action.finished_at


def add(action: Action, status: ActionStatus, day: int) -> None:
    db.session.add(
        ActionUpdate(
            action=action,
            status=status,
            note="note",
            created_at=datetime(2025, 6, day, tzinfo=UTC),
        )
    )
    db.session.flush()


def test_finished_at_follows_the_earliest_finishing_update(ctx: None) -> None:
    action = factories.action()
    add(action, ActionStatus.IN_PROGRESS, 1)
    assert action.finished_at is None and stored_finished_at(action) is None

    add(action, ActionStatus.COMPLETED, 10)
    assert action.finished_at == datetime(2025, 6, 10, tzinfo=UTC)
    assert stored_finished_at(action) == live_finished_at(action)

    add(action, ActionStatus.ASSURED, 20)  # later: no change
    add(action, ActionStatus.IN_PROGRESS, 25)  # sent back: the first finish still counts
    assert stored_finished_at(action) == datetime(2025, 6, 10, tzinfo=UTC)

    add(action, ActionStatus.SUPERSEDED, 5)  # an imported, earlier entry moves it back
    assert stored_finished_at(action) == datetime(2025, 6, 5, tzinfo=UTC)
    assert stored_finished_at(action) == live_finished_at(action)


def test_finished_at_set_by_the_service_in_the_same_transaction(ctx: None) -> None:
    lead = factories.user(Role.AGENCY_LEAD)
    action = factories.action(lead.agency, status=ActionStatus.IN_PROGRESS)
    actions.record_progress(
        actor=lead, action=action, status=ActionStatus.COMPLETED, note="Done, with evidence",
        has_new_evidence=True,
    )  # fmt: skip
    assert action.finished_at is not None
    assert stored_finished_at(action) == live_finished_at(action)
    db.session.rollback()  # the update and finished_at go together
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == 0
