"""Stored files whose fate follows a database transaction that has not committed yet.

A service that stores a file and a row naming it (an evidence file) writes the file before
the transaction commits. If the transaction then does not commit (a refusal rolls it back,
a lost race is retried by ``web.transactions.attempts``, the request fails and the session
is closed), the row is gone and the file would stay in the store, named by nothing. Each
such file is therefore noted here against the session (``note_written``), and deleted when
the session's outermost transaction ends without committing; a commit keeps it.

The other way round, a file whose row is deleted (``delete_when_committed``) is removed
from the store only once that deletion commits: a rolled-back deletion keeps its file.

A savepoint's release also commits (``after_commit`` fires for it), so only the commit of
the outermost transaction decides. Works for any ``FileStore`` (a folder or a bucket)."""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from sgreviews.extensions import db
from sgreviews.services.storage import FileStore, StorageError

PENDING = "sgreviews.uncommitted_files"
DOOMED = "sgreviews.files_deleted_on_commit"
COMMITTED = "sgreviews.uncommitted_files_committed"

log = logging.getLogger(__name__)


def _listen(session: Session) -> None:
    if PENDING not in session.info:
        session.info[PENDING] = []
        session.info[DOOMED] = []
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _ended)


def note_written(store: FileStore, name: str) -> None:
    """Delete ``name`` from ``store`` unless the session's current transaction commits."""
    session = db.session()
    _listen(session)
    session.info[PENDING].append((store, name))


def delete_when_committed(store: FileStore, name: str) -> None:
    """Delete ``name`` from ``store`` once the session's current transaction commits."""
    session = db.session()
    _listen(session)
    session.info[DOOMED].append((store, name))


def _committed(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info[COMMITTED] = True


def _delete(files: list[tuple[FileStore, str]], why: str) -> None:
    for store, name in files:
        try:
            store.delete(name)
        except (OSError, StorageError):
            log.warning("a file %s stays in %s: %s", name, store.description, why)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    committed = session.info.pop(COMMITTED, False)
    pending: list[tuple[FileStore, str]] = session.info.get(PENDING, [])
    doomed: list[tuple[FileStore, str]] = session.info.get(DOOMED, [])
    if committed:
        _delete(doomed, "its row was deleted")
    else:
        _delete(pending, "its transaction did not commit")
    pending.clear()
    doomed.clear()
