"""The one place where a view's writes are committed, and where a lost race becomes a
stale edit.

Services flush and never commit; a view that writes runs its service calls inside
``transaction()``, which flushes and commits once when the block ends normally and rolls
back when it raises. A domain refusal (``FieldError``, ``ReviewError``, ``BriefingError``, a
stale edit and the like) therefore leaves nothing half-written, and is re-raised for the
view to put beside its form field::

    try:
        with transaction():
            finding = finding_service.add_finding(...)
    except FieldError as error:
        add_error(form, error.field_name, error.message)
    else:
        flash(...)
        return redirect(...)

Two saves that pass their version checks together meet in the database: the later UPDATE
matches no row (``StaleDataError``), a unique key is taken (``IntegrityError``), or the
database refuses the transaction (serialization failure, deadlock, SQLite's lock). Inside
the block or at the commit, ``transaction()`` rolls back and raises what a sequential stale
save raises (``services.conflicts.conflict_for``): the view's own stale-edit handling shows
the other person's change and keeps the typed text. A race with no versioned record to
blame raises ``WriteConflict``, answered by the conflict page (``register_error_pages``).

An append (a progress note, a family-log entry, an "I have read this") loses nothing by
being tried again, so its view runs the block under ``attempts()``: a lost race is rolled
back and the block run again on what is stored now, a bounded number of times::

    for attempt in attempts():
        with attempt:
            update = action_service.record_progress(...)

A request that writes nothing is still ended by ``request_transactions`` (a COMMIT, so
psycopg keeps its prepared statements); a request that wrote but never reached a commit is
rolled back by the session's close.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sgreviews.extensions import db
from sgreviews.services.conflicts import (
    VersionedChange,
    conflict_for,
    is_lost_race,
    versioned_changes,
    versions_remembered,
    wait_for_other_writers,
)

# An append tried this many times in all; each loser waits for the winner's commit, so a
# third loss in a row means something other than two people saving together.
APPEND_ATTEMPTS = 3


def commit_writes() -> None:
    """Commit what the request's services wrote; a commit that loses a race is rolled back
    and raised as the stale edit (or ``WriteConflict``) it is."""
    session = db.session()
    try:
        session.commit()
    except Exception as error:
        session.rollback()
        if is_lost_race(error):
            raise conflict_for([], error) from error
        raise


@contextmanager
def transaction() -> Iterator[None]:
    """Flush and commit once when the block ends normally; on any exception roll back what
    the block wrote and re-raise it, a lost race as a stale edit."""
    session = db.session()
    try:
        with versions_remembered(session) as remembered:
            yield
            session.flush()
    except BaseException as error:
        # Read before the rollback expires them: which versioned records this save changed.
        changes = versioned_changes(session, remembered)
        session.rollback()
        if is_lost_race(error):
            raise conflict_for(changes, error) from error
        raise
    commit_writes()


class Attempt:
    """One try of an append's block (see ``attempts``)."""

    def __init__(self, last: bool) -> None:
        self.last = last
        self.succeeded = False
        self._remembering = versions_remembered(db.session())
        self._remembered: dict[tuple[type, int], VersionedChange] = {}

    def __enter__(self) -> None:
        self._remembered = self._remembering.__enter__()

    def __exit__(
        self,
        _kind: type[BaseException] | None,
        error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> bool:
        try:
            return self._end(error)
        finally:
            self._remembering.__exit__(None, None, None)

    def _end(self, error: BaseException | None) -> bool:
        """Commit after a block that ended normally; True swallows a lost race so that the
        next try runs."""
        if error is None:
            try:
                db.session.flush()
                db.session.commit()
            except Exception as failure:
                if self._try_again(failure):
                    return False
                raise
            self.succeeded = True
            return False
        return self._try_again(error)

    def _try_again(self, error: BaseException) -> bool:
        """Roll back; whether ``error`` is a lost race with another try left. A lost race
        on the last try is raised as the stale edit it is."""
        changes = versioned_changes(db.session(), self._remembered)
        db.session.rollback()
        if not is_lost_race(error):
            return False
        if self.last:
            raise conflict_for(changes, error) from error
        wait_for_other_writers()
        return True


def attempts(limit: int = APPEND_ATTEMPTS) -> Iterator[Attempt]:
    """Tries of a block that may safely run again: each try commits when its block ends;
    a lost race is rolled back and the next try runs, until one succeeds or the last one
    fails (raised as ``transaction()`` raises it). Any other error ends the tries."""
    for number in range(1, limit + 1):
        attempt = Attempt(last=number == limit)
        yield attempt
        if attempt.succeeded:
            return
