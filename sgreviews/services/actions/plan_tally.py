"""Keeping the Master Action Plan's running count (``ActionDueTally``, in
sgreviews/models/plan_tally.py, whose docstring says what it counts) and
``Action.review_count`` exact in the same transaction as every change: ORM hooks on
``Action`` and the session, registered by ``tally_hooks.register_tally_hooks`` from
``create_app``. The generator's bulk insert and migration 0014 rebuild them with
``rebuild_plan_tally``.

``review_count`` is recounted from the links to findings in the flush that changes them
(new actions, changed ``findings``/``actions`` collections, findings moved to another
review or deleted).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, PassiveFlag, Session, UOWTransaction, attributes

from sgreviews.models.action import Action, ActionStatus, action_finding
from sgreviews.models.finding import Finding
from sgreviews.models.plan_tally import ActionDueTally
from sgreviews.services.actions.tallies import value_before_flush


def _key(status: ActionStatus | str, off_track: bool, due_date: date) -> dict[str, Any]:
    value = status.value if isinstance(status, ActionStatus) else status
    return {"status": value, "off_track": bool(off_track), "due_date": due_date}


def _order(key: dict[str, Any]) -> tuple[str, bool, date]:
    return (key["status"], key["off_track"], key["due_date"])


def _move(connection: Connection, key: dict[str, Any], actions: int, entries: int) -> None:
    """Add ``actions`` and ``entries`` to the tally row ``key`` (insert or update)."""
    if not (actions or entries):
        return
    table = cast(Table, ActionDueTally.__table__)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, actions=actions, entries=entries)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={
                "actions": table.c.actions + actions,
                "entries": table.c.entries + entries,
            },
        )
    )


def _stored(connection: Connection, action_id: int) -> tuple[ActionStatus, bool, date, int] | None:
    row = connection.execute(
        select(Action.status, Action.off_track, Action.due_date, Action.review_count).where(
            Action.id == action_id
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2], row[3])


def _count_new_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    # review_count is 0 until the flush's links are written; after_flush recounts it.
    _move(
        connection,
        _key(action.status, action.off_track, action.due_date),
        1,
        action.review_count or 0,
    )


def _recount_changed_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    old = _key(
        value_before_flush(action, "status"),
        value_before_flush(action, "off_track"),
        value_before_flush(action, "due_date"),
    )
    new = _key(action.status, action.off_track, action.due_date)
    if old == new:
        return
    stored = _stored(connection, action.id)
    reviews = stored[3] if stored is not None else 0
    # Rows in one order whichever way the action moves, so that two transactions moving
    # actions in opposite directions wait for each other instead of deadlocking.
    for key, sign in sorted([(old, -1), (new, 1)], key=lambda pair: _order(pair[0])):
        _move(connection, key, sign, sign * reviews)


def _uncount_deleted_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    """Uncounted from the row as stored, just before it goes (the object may be stale)."""
    stored = _stored(connection, action.id)
    if stored is not None:
        status, off_track, due_date, reviews = stored
        _move(connection, _key(status, off_track, due_date), -1, -reviews)


_PENDING = "sgreviews_plan_tally_actions"


def _note_links_of_deleted_findings(
    session: Session, _context: UOWTransaction, _instances: Any
) -> None:
    """A finding about to be deleted takes its links with it: its actions are recounted
    after the flush."""
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Finding) and obj.id]
    if not deleted:
        return
    ids = session.connection().execute(
        select(action_finding.c.action_id).where(action_finding.c.finding_id.in_(deleted))
    )
    session.info.setdefault(_PENDING, set()).update(action_id for (action_id,) in ids)


def _recount_reviews_per_action(session: Session, _context: UOWTransaction) -> None:
    """Actions whose links to findings may have changed in this flush (new actions,
    changed ``findings``/``actions`` collections, findings moved to another review or
    deleted) get ``review_count`` recounted from the links, and the tally's entries move
    with it."""
    affected: set[int] = session.info.pop(_PENDING, set())
    moved: list[int] = []
    quiet = PassiveFlag.PASSIVE_NO_INITIALIZE  # history of what was loaded; never load here
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Action):
            history = attributes.get_history(obj, "findings", passive=quiet)
            if obj in session.new or history.added or history.deleted:
                affected.add(obj.id)
        elif isinstance(obj, Finding):
            history = attributes.get_history(obj, "actions", passive=quiet)
            for action in [*history.added, *history.deleted]:
                if action.id is not None:
                    affected.add(action.id)
            if obj not in session.new and value_before_flush(obj, "review_id") != obj.review_id:
                moved.append(obj.id)
    connection = session.connection()
    if moved:
        affected.update(
            action_id
            for (action_id,) in connection.execute(
                select(action_finding.c.action_id).where(action_finding.c.finding_id.in_(moved))
            )
        )
    if not affected:
        return
    counted: dict[int, int] = dict(
        connection.execute(
            select(action_finding.c.action_id, func.count(func.distinct(Finding.review_id)))
            .join(Finding, Finding.id == action_finding.c.finding_id)
            .where(action_finding.c.action_id.in_(affected))
            .group_by(action_finding.c.action_id)
        ).all()
    )
    for action_id in sorted(affected):
        stored = _stored(connection, action_id)
        if stored is None:
            continue
        status, off_track, due_date, reviews = stored
        now = int(counted.get(action_id, 0))
        if now == reviews:
            continue
        connection.execute(
            update(Action)
            .where(Action.id == action_id)
            .values(review_count=now, updated_at=Action.updated_at)
            .execution_options(synchronize_session=False)
        )
        _move(connection, _key(status, off_track, due_date), 0, now - reviews)
        loaded = session.identity_map.get(session.identity_key(Action, action_id))
        if loaded is not None:
            attributes.set_committed_value(loaded, "review_count", now)


# The hooks above, for ``tally_hooks.register_tally_hooks`` (called by ``create_app``).
LISTENERS: list[tuple[Any, str, Callable[..., None]]] = [
    (Action, "after_insert", _count_new_action),
    (Action, "after_update", _recount_changed_action),
    (Action, "before_delete", _uncount_deleted_action),
    (Session, "before_flush", _note_links_of_deleted_findings),
    (Session, "after_flush", _recount_reviews_per_action),
]


def rebuild_plan_tally(connection: Connection) -> None:
    """Recount ``Action.review_count`` and the tally from the actions and their links
    (after a bulk insert that bypassed the hooks)."""
    # One grouped pass over the links joined to the actions (a correlated count per action
    # was slow on PostgreSQL over fresh tables without statistics).
    counted = (
        select(
            action_finding.c.action_id.label("action_id"),
            func.count(func.distinct(Finding.review_id)).label("reviews"),
        )
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .group_by(action_finding.c.action_id)
        .subquery()
    )
    connection.execute(
        update(Action)
        .where(Action.id == counted.c.action_id, Action.review_count != counted.c.reviews)
        .values(review_count=counted.c.reviews, updated_at=Action.updated_at)
        .execution_options(synchronize_session=False)
    )
    # Actions that answer no finding (none are made so, but the count must say 0).
    connection.execute(
        update(Action)
        .where(
            Action.review_count != 0,
            ~select(action_finding.c.action_id)
            .where(action_finding.c.action_id == Action.id)
            .exists(),
        )
        .values(review_count=0, updated_at=Action.updated_at)
        .execution_options(synchronize_session=False)
    )
    connection.execute(delete(ActionDueTally))
    connection.execute(
        insert(ActionDueTally).from_select(
            ["status", "off_track", "due_date", "actions", "entries"],
            select(
                Action.status,
                Action.off_track,
                Action.due_date,
                func.count(),
                func.coalesce(func.sum(Action.review_count), 0),
            ).group_by(Action.status, Action.off_track, Action.due_date),
        )
    )
