"""Files written to disk inside a database transaction that has not committed yet.

A service that stores a file and a row naming it (an evidence file) writes the file before
the transaction commits. If the transaction then does not commit (a refusal rolls it back,
a lost race is retried by ``web.transactions.attempts``, the request fails and the session
is closed), the row is gone and the file would stay on disk, named by nothing. Each such
file is therefore noted here against the session, and deleted when the session's outermost
transaction ends without committing; a commit keeps it.

A savepoint's release also commits (``after_commit`` fires for it), so only the commit of
the outermost transaction keeps the files."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from sgreviews.extensions import db

PENDING = "sgreviews.uncommitted_files"
COMMITTED = "sgreviews.uncommitted_files_committed"

log = logging.getLogger(__name__)


def note_written(path: Path) -> None:
    """Delete ``path`` unless the session's current transaction commits."""
    session = db.session()
    pending: list[Path] | None = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = []
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _ended)
    pending.append(path)


def _committed(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info[COMMITTED] = True


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    committed = session.info.pop(COMMITTED, False)
    pending: list[Path] = session.info.get(PENDING, [])
    if not committed:
        for path in pending:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("a file of a transaction that did not commit stays: %s", path)
    pending.clear()
