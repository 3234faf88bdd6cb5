"""The one place where a view's writes are committed.

Services flush and never commit; a view that writes runs its service calls inside
``transaction()``, which commits once when the block ends normally and rolls back when it
raises. A domain refusal (``FieldError``, ``ReviewError``, ``BriefingError``, a stale edit
and the like) therefore leaves nothing half-written, and is re-raised for the view to put
beside its form field::

    try:
        with transaction():
            finding = finding_service.add_finding(...)
    except FieldError as error:
        add_error(form, error.field_name, error.message)
    else:
        flash(...)
        return redirect(...)

A request that writes nothing is still ended by ``request_transactions`` (a COMMIT, so
psycopg keeps its prepared statements); a request that wrote but never reached a commit is
rolled back by the session's close.

The commit itself is ``commit_writes``: the hook where a later change answers a lost race
(``StaleDataError`` from a version counter, ``IntegrityError`` from a unique key) with the
conflict page, once for every view. Today those errors propagate as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sgreviews.extensions import db


def commit_writes() -> None:
    """Commit what the request's services wrote.

    The single commit of the web layer: catch ``StaleDataError`` / ``IntegrityError`` here
    (roll back, then show the conflict page) when that is built."""
    db.session.commit()


@contextmanager
def transaction() -> Iterator[None]:
    """Commit once when the block ends normally; on any exception (a domain refusal or an
    error) roll back what the block wrote and re-raise it."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    commit_writes()
