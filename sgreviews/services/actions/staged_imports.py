"""Uploaded trackers waiting between the preview and the import (the "staged" files).

The import page stores the uploaded file under a random token and shows its preview; the
person maps columns and confirms, and the file is deleted after the import commits. A
preview never confirmed leaves its file behind: ``purge_abandoned`` deletes the ones older
than ``SGREVIEWS_STAGED_IMPORT_HOURS`` (the scheduler's hourly job and
``sgreviews import purge-staged``). Files live in the imports store (a folder or a
bucket: ``services.storage``), so any web node can show any preview.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sgreviews.services.storage import FileStore, MissingFile

TOKEN = re.compile(r"[0-9a-f]{32}\.(xlsx|csv|docx)")
EXTENSIONS = ("xlsx", "csv", "docx")


def stage(files: FileStore, extension: str, data: bytes) -> str:
    """Keep an uploaded tracker; the token names it in the preview's address."""
    if extension not in EXTENSIONS:
        raise ValueError(f"not a tracker extension: {extension!r}")
    token = f"{secrets.token_hex(16)}.{extension}"
    files.put(token, data)
    return token


def load(files: FileStore, token: str) -> bytes | None:
    """The staged file's bytes; None for a malformed token or a file already gone."""
    if not TOKEN.fullmatch(token):
        return None
    try:
        return files.read(token)
    except MissingFile:
        return None


def discard(files: FileStore, token: str) -> None:
    if TOKEN.fullmatch(token):
        files.delete(token)


@dataclass(frozen=True)
class PurgeReport:
    deleted: int
    kept: int

    def __str__(self) -> str:
        return f"{self.deleted} abandoned staged imports deleted, {self.kept} recent kept"


def purge_abandoned(files: FileStore, max_age: timedelta, now: datetime) -> PurgeReport:
    """Delete staged imports last written more than ``max_age`` before ``now``. Safe to run
    in several processes at once: deleting a file already gone is not an error."""
    cutoff = now - max_age
    deleted = kept = 0
    for stored in list(files.files()):
        if not TOKEN.fullmatch(stored.name):
            continue
        if stored.modified < cutoff:
            files.delete(stored.name)
            deleted += 1
        else:
            kept += 1
    return PurgeReport(deleted, kept)
