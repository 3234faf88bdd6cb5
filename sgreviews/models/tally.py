"""Running counts of actions for the chair's dashboard at national scale, kept exact in the
same transaction as every change to an action (ORM hooks below; the generator's bulk
insert rebuilds them with ``rebuild_action_tallies``).

- ``ActionStatusTally``: actions per owning agency and status (11,700 rows for the
  national 400,000 actions), so "actions by agency and status" reads the tally instead
  of every action.
- ``ActionMonthTally``: actions per (month created, month first finished, month of the
  day after the due date), a few hundred rows, from which the monthly trend is exact:
  at a month end M an action exists if created in or before M's month, is done if first
  finished in or before it, and is overdue if due before M, that is if the day after its
  due date falls in or before M's month.

- ``OpenActionMonthTally``: open actions per owning agency and month of the due date, with
  the sum of their due dates as day numbers (``date.toordinal``). For any today, the open
  actions of an agency due in months before today's month and their total days overdue
  are exact sums over it (days = actions x today's day number - the sum); only the
  current month's days before today are counted from the actions (a range of one
  month of the index). "Open overdue actions by agency" then reads ~2,400 x the past
  months instead of every open past-due action (docs/performance.md).

- ``ThemeYearTally``: findings per theme, partnership and business year the review
  started in, for "findings by theme and business year" (national or one partnership).

Only the national view (no partnership filter) reads the action tallies; filtered views
read the actions through their indexes. docs/performance.md says why.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    ForeignKey,
    String,
    Table,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Mapper, Session, UOWTransaction, attributes, mapped_column

from sgreviews.models.action import FINISHED_STATUSES, Action, ActionStatus, ActionUpdate
from sgreviews.models.base import Base, str_enum
from sgreviews.models.finding import Finding, finding_theme
from sgreviews.models.review import Review

NOT_FINISHED = ""


class ActionStatusTally(Base):
    __tablename__ = "action_status_tally"

    owning_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), primary_key=True)
    actions: Mapped[int]


class ActionMonthTally(Base):
    __tablename__ = "action_month_tally"

    # "YYYY-MM" in UTC; finished_month is NOT_FINISHED ("") for an action never finished.
    created_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    finished_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    due_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    actions: Mapped[int]


class OpenActionMonthTally(Base):
    __tablename__ = "open_action_month_tally"
    # Clustered on the key in SQLite (the national read is a range of each agency's rows;
    # with a rowid each row was a second lookup, twice the time). PostgreSQL ignores it.
    __table_args__ = {"sqlite_with_rowid": False}

    owning_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    # "YYYY-MM" of the due date itself.
    due_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    actions: Mapped[int]
    # The sum of the open actions' due dates as day numbers (date.toordinal()).
    due_days: Mapped[int] = mapped_column(BigInteger)


class ThemeYearTally(Base):
    __tablename__ = "theme_year_tally"

    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), primary_key=True)
    # The start year of the business year (1 April) the review started in.
    business_year: Mapped[int] = mapped_column(primary_key=True)
    findings: Mapped[int]


def business_year_of(day: date) -> int:
    return day.year - (1 if day.month < 4 else 0)


def month_of(moment: datetime | None) -> str:
    if moment is None:
        return NOT_FINISHED
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m")


def month_key(created_at: datetime, finished_at: datetime | None, due_date: date) -> dict[str, str]:
    return {
        "created_month": month_of(created_at),
        "finished_month": month_of(finished_at),
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


def move_finished_at(connection: Connection, action_id: int, finished_at: datetime) -> bool:
    """Set an action's ``finished_at`` to ``finished_at`` if that is earlier than what it
    has (or it has none), moving it between month tallies. Returns whether it moved."""
    row = connection.execute(
        select(Action.created_at, Action.finished_at, Action.due_date).where(Action.id == action_id)
    ).one()
    created_at, old, due_date = row
    if old is not None and _aware(old) <= _aware(finished_at):
        return False
    connection.execute(
        update(Action)
        .where(Action.id == action_id)
        .values(finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )
    _bump(connection, ActionMonthTally, month_key(created_at, old, due_date), -1)
    _bump(connection, ActionMonthTally, month_key(created_at, finished_at, due_date), 1)
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _before(target: Base, name: str) -> Any:
    """An attribute's value before this flush's change (its current value if unchanged)."""
    history = attributes.get_history(target, name)
    if history.deleted:
        return history.deleted[0]
    return getattr(target, name)


@event.listens_for(ActionUpdate, "after_insert")
def _keep_finished_at(_mapper: Mapper[Any], connection: Connection, entry: ActionUpdate) -> None:
    """An update to a finished status sets its action's ``finished_at`` if it is the
    earliest such update (history entries are only ever added, never edited or deleted).
    Runs in the flush that inserts the update, on its connection: the same transaction."""
    if entry.status not in FINISHED_STATUSES:
        return
    if move_finished_at(connection, entry.action_id, entry.created_at):
        # Keep a loaded action in step with its row without marking it changed.
        action = entry.__dict__.get("action")
        if action is not None:
            attributes.set_committed_value(action, "finished_at", entry.created_at)


@event.listens_for(Action, "after_insert")
def _count_new_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    _bump(connection, ActionStatusTally, _status_key(action.owning_agency_id, action.status), 1)
    key = month_key(action.created_at, action.finished_at, action.due_date)
    _bump(connection, ActionMonthTally, key, 1)
    _bump_open(connection, action.owning_agency_id, action.status, action.due_date, 1)


@event.listens_for(Action, "after_update")
def _recount_changed_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    agency, status = _before(action, "owning_agency_id"), _before(action, "status")
    if (agency, status) != (action.owning_agency_id, action.status):
        _bump(connection, ActionStatusTally, _status_key(agency, status), -1)
        _bump(connection, ActionStatusTally, _status_key(action.owning_agency_id, action.status), 1)
    created, due = _before(action, "created_at"), _before(action, "due_date")
    if (agency, status, due) != (action.owning_agency_id, action.status, action.due_date):
        _bump_open(connection, agency, status, due, -1)
        _bump_open(connection, action.owning_agency_id, action.status, action.due_date, 1)
    if (created, due) != (action.created_at, action.due_date):
        # finished_at from the row: it is written by the update hook, not through the object.
        finished = connection.execute(
            select(Action.finished_at).where(Action.id == action.id)
        ).scalar_one()
        _bump(connection, ActionMonthTally, month_key(created, finished, due), -1)
        key = month_key(action.created_at, finished, action.due_date)
        _bump(connection, ActionMonthTally, key, 1)


@event.listens_for(Action, "before_delete")
def _uncount_deleted_action(_mapper: Mapper[Any], connection: Connection, action: Action) -> None:
    """Uncounted from the row as stored, just before it goes (the object may be stale)."""
    agency, status, created, finished, due = connection.execute(
        select(
            Action.owning_agency_id,
            Action.status,
            Action.created_at,
            Action.finished_at,
            Action.due_date,
        ).where(Action.id == action.id)
    ).one()
    _bump(connection, ActionStatusTally, _status_key(agency, status), -1)
    _bump(connection, ActionMonthTally, month_key(created, finished, due), -1)
    _bump_open(connection, agency, status, due, -1)


def _review_key(connection: Connection, review_id: int) -> tuple[int, int]:
    partnership_id, started_on = connection.execute(
        select(Review.partnership_id, Review.started_on).where(Review.id == review_id)
    ).one()
    return partnership_id, business_year_of(started_on)


def _bump_theme(
    connection: Connection, theme_id: int, review_key: tuple[int, int], delta: int
) -> None:
    key = {"theme_id": theme_id, "partnership_id": review_key[0], "business_year": review_key[1]}
    _bump(connection, ThemeYearTally, key, delta, column="findings")


@event.listens_for(Session, "before_flush")
def _uncount_deleted_findings(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """A finding about to be deleted leaves the theme tally, from its stored tags."""
    deleted = [obj for obj in session.deleted if isinstance(obj, Finding) and obj.id is not None]
    if not deleted:
        return
    connection = session.connection()
    for finding in deleted:
        review_key = _review_key(connection, finding.review_id)
        for (theme_id,) in connection.execute(
            select(finding_theme.c.theme_id).where(finding_theme.c.finding_id == finding.id)
        ):
            _bump_theme(connection, theme_id, review_key, -1)


@event.listens_for(Session, "after_flush")
def _count_finding_themes(session: Session, _context: UOWTransaction) -> None:
    """New findings' tags, tags added or removed, and reviews whose start date or
    partnership changed, in the flush that wrote them (the session still shows what it
    flushed, with each attribute's history)."""
    findings = [obj for obj in session.new if isinstance(obj, Finding)]
    changed = [obj for obj in session.dirty if isinstance(obj, Finding)]
    reviews = [obj for obj in session.dirty if isinstance(obj, Review)]
    if not (findings or changed or reviews):
        return
    connection = session.connection()
    for finding in findings:
        review_key = _review_key(connection, finding.review_id)
        for theme in finding.themes:
            _bump_theme(connection, theme.id, review_key, 1)
    for finding in changed:
        history = attributes.get_history(finding, "themes")
        old_review = _before(finding, "review_id")
        if old_review != finding.review_id:
            before = [*history.unchanged, *history.deleted]
            after = [*history.unchanged, *history.added]
            for theme in before:
                _bump_theme(connection, theme.id, _review_key(connection, old_review), -1)
            for theme in after:
                _bump_theme(connection, theme.id, _review_key(connection, finding.review_id), 1)
            continue
        if history.added or history.deleted:
            review_key = _review_key(connection, finding.review_id)
            for theme in history.added:
                _bump_theme(connection, theme.id, review_key, 1)
            for theme in history.deleted:
                _bump_theme(connection, theme.id, review_key, -1)
    for review in reviews:
        old = (_before(review, "partnership_id"), _before(review, "started_on"))
        if old == (review.partnership_id, review.started_on):
            continue
        old_key = (old[0], business_year_of(old[1]))
        new_key = (review.partnership_id, business_year_of(review.started_on))
        for theme_id, count in connection.execute(
            select(finding_theme.c.theme_id, func.count())
            .join(Finding, Finding.id == finding_theme.c.finding_id)
            .where(Finding.review_id == review.id)
            .group_by(finding_theme.c.theme_id)
        ):
            _bump_theme(connection, theme_id, old_key, -count)
            _bump_theme(connection, theme_id, new_key, count)


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
            Action.created_at,
            Action.finished_at,
            Action.due_date,
            Action.owning_agency_id,
            Action.status,
        )
    )
    for created_at, finished_at, due_date, agency_id, status in rows:
        key = month_key(created_at, finished_at, due_date)
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
    )
    for theme_id, partnership_id, started_on in theme_rows:
        themes[(theme_id, partnership_id, business_year_of(started_on))] += 1
    connection.execute(delete(ThemeYearTally))
    if themes:
        connection.execute(
            insert(ThemeYearTally),
            [
                {"theme_id": t, "partnership_id": p, "business_year": y, "findings": n}
                for (t, p, y), n in themes.items()
            ],
        )
