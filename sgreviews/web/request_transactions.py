"""A request that wrote nothing ends its transaction with COMMIT, not ROLLBACK.

Why: psycopg forgets every statement it has prepared each time it sends ROLLBACK (it cannot
tell whether the rolled-back transaction dropped what they refer to), and the session's
close at the end of every request rolled back. So on PostgreSQL no statement was ever
prepared: the server parsed and planned each statement of each request anew. Planning the
reading page's statement (a union of nine tables) took 0.7 ms of server time to run
0.17 ms. A transaction that wrote nothing is ended by COMMIT exactly as by ROLLBACK, and
psycopg keeps its prepared statements: a statement run five times on a pooled connection
is prepared there, and the server plans it once (docs/performance.md, issue 8).

A request *wrote* when its session flushed, ran anything other than a SELECT, or still
holds changes it did not flush; such a request, and one that ended in an unhandled error,
ends as before: whatever the view did not commit is rolled back.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from sgreviews.extensions import db

WROTE = "sgreviews.wrote"

log = logging.getLogger(__name__)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


def wrote(session: Session) -> bool:
    """Whether the session wrote, or holds changes it has not written."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def end_request_transaction(error: BaseException | None) -> None:
    """Commit the request's transaction when it wrote nothing and nothing went wrong; leave
    everything else to the session's close, which rolls back."""
    session = db.session()
    if error is not None or not session.in_transaction() or wrote(session):
        return
    try:
        session.commit()
    except SQLAlchemyError:
        # The response is made, and nothing was written: a lost connection here costs
        # nothing. The pool replaces the connection on its next checkout.
        log.warning("ending a read-only transaction failed", exc_info=True)
        session.rollback()


def roll_back_for_error_page() -> None:
    """Roll back whatever the request left, before an error page is rendered: a failed
    flush leaves the session refusing every query (``PendingRollbackError``) until then.
    A rollback that fails (the database is gone) is logged and the page renders anyway."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rolling back before an error page failed", exc_info=True)


def init_request_transactions(app: Flask) -> None:
    app.teardown_request(end_request_transaction)
