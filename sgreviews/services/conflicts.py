"""Lost races answered as stale edits.

Two saves of one record can pass their version checks together and meet only in the
database: the second UPDATE finds the version moved on (``StaleDataError``), a unique key
taken (``IntegrityError``), or its transaction refused (a serialization failure or a
deadlock on PostgreSQL, "database is locked" on SQLite). ``is_lost_race`` tells these from
real faults; ``conflict_for`` turns one, after the rollback, into the very refusal a
sequential stale save gets (``StaleEdit`` with who changed what, ``StaleReviewError``, the
briefing's ``StaleEdit``, ``StaleChallenge``, ``StaleNarrative``), so the form is shown
again with the other person's change and the typed text. A race with no versioned record
to blame (two inserts of one key, say) is a ``WriteConflict``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event, inspect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    BriefingVersion,
    Challenge,
    Finding,
    NationalReviewTabled,
    ReportNarrative,
    Review,
)
from sgreviews.services.actions import writes as action_writes
from sgreviews.services.briefings.errors import StaleEdit as StaleBriefing
from sgreviews.services.dashboard.challenges import StaleChallenge
from sgreviews.services.editing import StaleEdit, check_version
from sgreviews.services.national_reviews import register as national_reviews
from sgreviews.services.reports.narrative import StaleNarrative
from sgreviews.services.reviews import findings
from sgreviews.services.reviews.lifecycle import StaleReviewError

# PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race
# and may simply be tried again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
UNIQUE_VIOLATION = "23505"


class WriteConflict(Exception):
    """Someone else saved at the same moment and nothing of this save was kept."""

    def __str__(self) -> str:
        return "someone else saved at the same moment"


@dataclass(frozen=True)
class VersionedChange:
    """A versioned record a failed save was changing, at the version it was loaded."""

    model: type
    record_id: int
    version: int


def _sqlstate(error: DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def is_retryable(error: BaseException) -> bool:
    """A serialization failure, a deadlock, or SQLite's busy lock: trying again is safe."""
    if not isinstance(error, DBAPIError):
        return False
    if _sqlstate(error) in RETRYABLE_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database table is locked" in message


def is_lost_race(error: BaseException) -> bool:
    """Whether ``error`` is another save winning, not a fault in this one."""
    if isinstance(error, StaleDataError) or is_retryable(error):
        return True
    if isinstance(error, IntegrityError):
        return (
            _sqlstate(error) == UNIQUE_VIOLATION
            or "unique constraint failed" in str(error.orig).lower()
        )
    return False


def _loaded_version(record: object) -> int | None:
    """The version a record was loaded at (from its state: no query), or None when its
    model keeps no version or it is not stored yet."""
    state = inspect(record)
    column = state.mapper.version_id_col
    if column is None or state.identity is None:
        return None
    version = state.dict.get(state.mapper.get_property_by_column(column).key)
    return version if isinstance(version, int) else None


def _versioned(records: Iterable[object]) -> list[VersionedChange]:
    changes = []
    for record in records:
        version = _loaded_version(record)
        if version is not None:
            changes.append(VersionedChange(type(record), inspect(record).identity[0], version))
    return changes


@contextmanager
def versions_remembered(session: Session) -> Iterator[dict[tuple[type, int], VersionedChange]]:
    """Within the block, each versioned record ``session`` flushes a change to, at the
    version it was loaded. Needed because a failed flush rolls the session back, which
    forgets what was loaded: afterwards nothing tells which record lost."""
    remembered: dict[tuple[type, int], VersionedChange] = {}

    def remember(flushing: Session, _context: object, _instances: object) -> None:
        for change in _versioned(flushing.dirty):
            remembered.setdefault((change.model, change.record_id), change)

    event.listen(session, "before_flush", remember)
    try:
        yield remembered
    finally:
        event.remove(session, "before_flush", remember)


def versioned_changes(
    session: Session, remembered: dict[tuple[type, int], VersionedChange]
) -> list[VersionedChange]:
    """The versioned records a failed save was changing (remembered at its flushes), then
    those the session still holds loaded; read before the rollback expires them."""
    changes = list(remembered.values())
    dirty = set(map(id, session.dirty))
    loaded = sorted(session.identity_map.values(), key=lambda record: id(record) not in dirty)
    return changes + [change for change in _versioned(loaded) if change not in changes]


def wait_for_other_writers() -> None:
    """Begin the session's next transaction once the save holding the write lock is done.

    SQLite refuses a second writer at once ("database is locked") when its transaction
    began reading before the first writer's, even while the first has not committed yet:
    its next transaction begins by taking the write lock (``BEGIN IMMEDIATE``), which waits
    (``busy_timeout``) for the first to commit. PostgreSQL reports a lost race only after
    the row's lock holder finished, so there is nothing to wait for."""
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_begin_immediate": True})


def conflict_for(changes: list[VersionedChange], error: BaseException) -> Exception:
    """The stale-edit refusal for the first record that moved on since it was loaded
    (reading it as it is now), or a ``WriteConflict``. Call after the rollback."""
    waited = is_retryable(error)
    if waited:
        wait_for_other_writers()
    try:
        for change in changes:
            current = db.session.get(change.model, change.record_id)
            if current is None or _loaded_version(current) == change.version:
                continue
            try:
                _raise_stale(current, change.version)
            except (
                StaleEdit,
                StaleReviewError,
                StaleBriefing,
                StaleChallenge,
                StaleNarrative,
            ) as refusal:
                return refusal
        return WriteConflict()
    finally:
        if waited:
            # Hold no write lock while the page is drawn: the refusal carries what it shows.
            db.session.rollback()


def _raise_stale(current: object, loaded_version: int) -> None:
    if isinstance(current, Action):
        check_version(
            "action",
            current.id,
            current.version,
            loaded_version,
            action_writes.snapshot(current),
        )
    elif isinstance(current, Finding):
        check_version(
            "finding", current.id, current.version, loaded_version, findings.snapshot(current)
        )
    elif isinstance(current, NationalReviewTabled):
        check_version(
            national_reviews.ENTITY,
            current.id,
            current.version,
            loaded_version,
            national_reviews.snapshot(current),
        )
    elif isinstance(current, Review):
        raise StaleReviewError()
    elif isinstance(current, BriefingVersion):
        raise StaleBriefing(
            "Someone else saved this briefing at the same moment. Your changes were not "
            "saved: copy them, reload the page and make them again."
        )
    elif isinstance(current, Challenge):
        raise StaleChallenge(current)
    elif isinstance(current, ReportNarrative):
        raise StaleNarrative({current.section_key: current})
