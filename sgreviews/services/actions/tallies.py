"""Keeping the dashboard's running tallies (the tables in sgreviews/models/tally.py, whose
docstring says what each counts) exact in the same transaction as every change to an
action, a finding's themes or a review's start: ORM hooks on ``Action``, ``ActionUpdate``
and the session, registered by ``tally_hooks.register_tally_hooks`` from ``create_app``
(never as a side effect of an import). The generator's bulk insert bypasses the hooks and
rebuilds the tallies with ``rebuild_action_tallies``.

The hooks also keep ``Action.finished_on``: the day the earliest update to a finished status
took effect. Months are counted from the days things took effect (``Action.added_on``,
``ActionUpdate.effective_on``), never from when they were typed in, so a past year entered
as history has its monthly trend (issue 18).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session, UOWTransaction, attributes

from sgreviews.models.action import FINISHED_STATUSES, Action, ActionStatus, ActionUpdate
from sgreviews.models.base import Base
from sgreviews.models.finding import LEARNING_KINDS, Finding, FindingKind, finding_theme
from sgreviews.models.review import Review
from sgreviews.models.tally import (
    NOT_FINISHED,
    ActionMonthTally,
    ActionStatusTally,
    OpenActionMonthTally,
    ThemeYearTally,
)
from sgreviews.services.periods import BusinessYear


def month_of(day: date | None) -> str:
    return NOT_FINISHED if day is None else day.strftime("%Y-%m")


def month_key(added_on: date, finished_on: date | None, due_date: date) -> dict[str, str]:
    return {
        "created_month": month_of(added_on),
        "finished_month": month_of(finished_on),
        "due_month": (due_date + timedelta(days=1)).strftime("%Y-%m"),
    }


def _bump(
    connection: Connection,
    model: type[Base],
    key: dict[str, Any],
    delta: int,
    column: str = "actions",
    **more: int,
) -> None:
    """Add ``delta`` to the tally row ``key``'s ``column`` (and each of ``more``'s deltas
    to its column): an insert-or-update on both databases."""
    if not delta:
        return
    deltas = {column: delta, **more}
    table = cast(Table, model.__table__)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, **deltas)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: table.c[name] + value for name, value in deltas.items()},
        )
    )


def _is_open(status: ActionStatus | str) -> bool:
    return ActionStatus(status).is_open


def _bump_open(
    connection: Connection, agency_id: int, status: ActionStatus | str, due: date, sign: int
) -> None:
    """Count an open action in (``sign`` 1) or out of (-1) the open-by-due-month tally;
    a finished one is not in it."""
    if not _is_open(status):
        return
    key = {"owning_agency_id": agency_id, "due_month": due.strftime("%Y-%m")}
    _bump(connection, OpenActionMonthTally, key, sign, due_days=sign * due.toordinal())


def _status_key(agency_id: int, status: ActionStatus | str) -> dict[str, Any]:
    value = status.value if isinstance(status, ActionStatus) else status
    return {"owning_agency_id": agency_id, "status": value}


def move_finished_on(connection: Connection, action_id: int, finished_on: date) -> bool:
    """Set an action's ``finished_on`` to ``finished_on`` if that is earlier than what it
    has (or it has none), moving it between month tallies. Returns whether it moved."""
    added_on, old, due_date = connection.execute(
        select(Action.added_on, Action.finished_on, Action.due_date).where(Action.id == action_id)
    ).one()
    if old is not None and old <= finished_on:
        return False
    connection.execute(
        update(Action)
        .where(Action.id == action_id)
        .values(finished_on=finished_on)
        .execution_options(synchronize_session=False)
    )
    _bump(connection, ActionMonthTally, month_key(added_on, old, due_date), -1)
    _bump(connection, ActionMonthTally, month_key(added_on, finished_on, due_date), 1)
    return True


def value_before_flush(target: Base, name: str) -> Any:
    """An attribute's value before this flush's change (its current value if unchanged)."""
    history = attributes.get_history(target, name)
    if history.deleted:
        return history.deleted[0]
    return getattr(target, name)


def _keep_finished_on(_mapper: Mapper[Any], connection: Connection, entry: ActionUpdate) -> None:
    """An update to a finished status sets its action's ``finished_on`` if it is the
    earliest such update to take effect (history entries are only ever added, never
    edited or deleted). Runs in the flush that inserts the update, on its connection: the
    same transaction."""
    if entry.status not in FINISHED_STATUSES:
        return
    if move_finished_on(connection, entry.action_id, entry.effective_on):
        # Keep a loaded action in step with its row without marking it changed.
        action = entry.__dict__.get("action")
        if action is not None:
            attributes.set_committed_value(action, "finished_on", entry.effective_on)


def _count_new_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    _bump(connection, ActionStatusTally, _status_key(action.owning_agency_id, action.status), 1)
    key = month_key(action.added_on, action.finished_on, action.due_date)
    _bump(connection, ActionMonthTally, key, 1)
    _bump_open(connection, action.owning_agency_id, action.status, action.due_date, 1)


def _recount_changed_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    agency, status = (
        value_before_flush(action, "owning_agency_id"),
        value_before_flush(action, "status"),
    )
    if (agency, status) != (action.owning_agency_id, action.status):
        _bump(connection, ActionStatusTally, _status_key(agency, status), -1)
        _bump(connection, ActionStatusTally, _status_key(action.owning_agency_id, action.status), 1)
    added, due = value_before_flush(action, "added_on"), value_before_flush(action, "due_date")
    if (agency, status, due) != (action.owning_agency_id, action.status, action.due_date):
        _bump_open(connection, agency, status, due, -1)
        _bump_open(connection, action.owning_agency_id, action.status, action.due_date, 1)
    if (added, due) != (action.added_on, action.due_date):
        # finished_on from the row: it is written by the update hook, not through the object.
        finished = connection.execute(
            select(Action.finished_on).where(Action.id == action.id)
        ).scalar_one()
        _bump(connection, ActionMonthTally, month_key(added, finished, due), -1)
        key = month_key(action.added_on, finished, action.due_date)
        _bump(connection, ActionMonthTally, key, 1)


def _uncount_deleted_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    """Uncounted from the row as stored, just before it goes (the object may be stale)."""
    agency, status, added, finished, due = connection.execute(
        select(
            Action.owning_agency_id,
            Action.status,
            Action.added_on,
            Action.finished_on,
            Action.due_date,
        ).where(Action.id == action.id)
    ).one()
    _bump(connection, ActionStatusTally, _status_key(agency, status), -1)
    _bump(connection, ActionMonthTally, month_key(added, finished, due), -1)
    _bump_open(connection, agency, status, due, -1)


def _review_key(connection: Connection, review_id: int) -> tuple[int, int]:
    partnership_id, started_on = connection.execute(
        select(Review.partnership_id, Review.started_on).where(Review.id == review_id)
    ).one()
    return partnership_id, BusinessYear.containing(started_on).start_year


def _bump_theme(
    connection: Connection, theme_id: int, review_key: tuple[int, int], delta: int
) -> None:
    key = {"theme_id": theme_id, "partnership_id": review_key[0], "business_year": review_key[1]}
    _bump(connection, ThemeYearTally, key, delta, column="findings")


def _uncount_deleted_findings(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """A finding about to be deleted leaves the theme tally, from its stored tags."""
    deleted = [obj for obj in session.deleted if isinstance(obj, Finding) and obj.id is not None]
    if not deleted:
        return
    connection = session.connection()
    for finding in deleted:
        if not _is_learning(value_before_flush(finding, "kind")):
            continue
        review_key = _review_key(connection, finding.review_id)
        for (theme_id,) in connection.execute(
            select(finding_theme.c.theme_id).where(finding_theme.c.finding_id == finding.id)
        ):
            _bump_theme(connection, theme_id, review_key, -1)


def _is_learning(kind: FindingKind | None) -> bool:
    """The theme tally counts learning only (learning points and recommendations)."""
    return kind is not None and kind.is_learning


def _count_finding_themes(session: Session, _context: UOWTransaction) -> None:
    """New findings' tags, tags added or removed, kinds changed (a strength is not
    counted), and reviews whose start date or partnership changed, in the flush that wrote
    them (the session still shows what it flushed, with each attribute's history)."""
    findings = [obj for obj in session.new if isinstance(obj, Finding)]
    changed = [obj for obj in session.dirty if isinstance(obj, Finding)]
    reviews = [obj for obj in session.dirty if isinstance(obj, Review)]
    if not (findings or changed or reviews):
        return
    connection = session.connection()
    for finding in findings:
        if not _is_learning(finding.kind):
            continue
        review_key = _review_key(connection, finding.review_id)
        for theme in finding.themes:
            _bump_theme(connection, theme.id, review_key, 1)
    for finding in changed:
        history = attributes.get_history(finding, "themes")
        old_review = value_before_flush(finding, "review_id")
        was, now = _is_learning(value_before_flush(finding, "kind")), _is_learning(finding.kind)
        moved = old_review != finding.review_id or was != now
        if not moved and not (history.added or history.deleted):
            continue
        if was:
            old_key = _review_key(connection, old_review)
            for theme in [*history.unchanged, *history.deleted]:
                _bump_theme(connection, theme.id, old_key, -1)
        if now:
            new_key = _review_key(connection, finding.review_id)
            for theme in [*history.unchanged, *history.added]:
                _bump_theme(connection, theme.id, new_key, 1)
    for review in reviews:
        old = (
            value_before_flush(review, "partnership_id"),
            value_before_flush(review, "started_on"),
        )
        if old == (review.partnership_id, review.started_on):
            continue
        old_key = (old[0], BusinessYear.containing(old[1]).start_year)
        new_key = (review.partnership_id, BusinessYear.containing(review.started_on).start_year)
        for theme_id, count in connection.execute(
            select(finding_theme.c.theme_id, func.count())
            .join(Finding, Finding.id == finding_theme.c.finding_id)
            .where(Finding.review_id == review.id, Finding.kind.in_(LEARNING_KINDS))
            .group_by(finding_theme.c.theme_id)
        ):
            _bump_theme(connection, theme_id, old_key, -count)
            _bump_theme(connection, theme_id, new_key, count)


# The hooks above, for ``tally_hooks.register_tally_hooks`` (called by ``create_app``).
LISTENERS: list[tuple[Any, str, Callable[..., None]]] = [
    (ActionUpdate, "after_insert", _keep_finished_on),
    (Action, "after_insert", _count_new_action),
    (Action, "after_update", _recount_changed_action),
    (Action, "before_delete", _uncount_deleted_action),
    (Session, "before_flush", _uncount_deleted_findings),
    (Session, "after_flush", _count_finding_themes),
]


def rebuild_action_tallies(connection: Connection) -> None:
    """Recount every tally from the actions and findings (after a bulk insert that bypassed
    the hooks; migration 0011 does the same)."""
    connection.execute(delete(ActionStatusTally))
    connection.execute(delete(ActionMonthTally))
    connection.execute(delete(OpenActionMonthTally))
    connection.execute(
        insert(ActionStatusTally).from_select(
            ["owning_agency_id", "status", "actions"],
            select(Action.owning_agency_id, Action.status, func.count()).group_by(
                Action.owning_agency_id, Action.status
            ),
        )
    )
    months: Counter[tuple[str, str, str]] = Counter()
    open_months: Counter[tuple[int, str]] = Counter()
    open_days: Counter[tuple[int, str]] = Counter()
    rows = connection.execute(
        select(
            Action.added_on,
            Action.finished_on,
            Action.due_date,
            Action.owning_agency_id,
            Action.status,
        )
    )
    for added_on, finished_on, due_date, agency_id, status in rows:
        key = month_key(added_on, finished_on, due_date)
        months[(key["created_month"], key["finished_month"], key["due_month"])] += 1
        if _is_open(status):
            open_key = (agency_id, due_date.strftime("%Y-%m"))
            open_months[open_key] += 1
            open_days[open_key] += due_date.toordinal()
    if open_months:
        connection.execute(
            insert(OpenActionMonthTally),
            [
                {"owning_agency_id": a, "due_month": m, "actions": n, "due_days": open_days[(a, m)]}
                for (a, m), n in open_months.items()
            ],
        )
    if months:
        connection.execute(
            insert(ActionMonthTally),
            [
                {"created_month": c, "finished_month": f, "due_month": d, "actions": n}
                for (c, f, d), n in months.items()
            ],
        )
    themes: Counter[tuple[int, int, int]] = Counter()
    theme_rows = connection.execute(
        select(finding_theme.c.theme_id, Review.partnership_id, Review.started_on)
        .join(Finding, Finding.id == finding_theme.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(Finding.kind.in_(LEARNING_KINDS))
    )
    for theme_id, partnership_id, started_on in theme_rows:
        themes[(theme_id, partnership_id, BusinessYear.containing(started_on).start_year)] += 1
    connection.execute(delete(ThemeYearTally))
    if themes:
        connection.execute(
            insert(ThemeYearTally),
            [
                {"theme_id": t, "partnership_id": p, "business_year": y, "findings": n}
                for (t, p, y), n in themes.items()
            ],
        )
