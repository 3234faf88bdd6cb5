"""Evidence files: checked by content (not just the name), kept in the evidence store
(``services.storage``: a folder outside ``static/``, or an S3 bucket) and named there by a
random token so a file name is never a path.

Allowed: PDF, Word, Excel, CSV, plain text, PNG and JPEG. The size limit comes from the
``SGREVIEWS_EVIDENCE_MAX_MB`` setting (default 20 MB). A file written by a transaction
that then does not commit (a refusal, a retried lost race) is deleted again, and a
deleted record's file goes only when the deletion commits (``services.uncommitted_files``).
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.utils import secure_filename

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Action, ActionUpdate, EvidenceFile, User
from sgreviews.services import audit
from sgreviews.services.editing import FieldError
from sgreviews.services.storage import FileStore
from sgreviews.services.uncommitted_files import note_written

DEFAULT_MAX_MB = 20

# Extension -> (description, content type).
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("PDF", "application/pdf"),
    "docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ("Word", "application/msword"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("Excel", "application/vnd.ms-excel"),
    "csv": ("CSV", "text/csv"),
    "txt": ("text", "text/plain"),
    "png": ("PNG", "image/png"),
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
}
ALLOWED_DESCRIPTION = "PDF, Word, Excel, CSV, text, PNG or JPEG"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Upload:
    """A file as received from a form, read into memory (bounded by the size limit)."""

    filename: str
    data: bytes


def sanitise_name(filename: str) -> str:
    """A safe display and download name: no path, no control characters, ASCII only."""
    # Browsers on Windows may send the full path; keep only the last part.
    filename = re.split(r"[\\/]", filename)[-1]
    normalised = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    safe = secure_filename(normalised)[:150]
    return safe or "evidence"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def _zip_has(data: bytes, folder: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.startswith(folder) for name in archive.namelist())
    except zipfile.BadZipFile:
        return False


def content_matches(extension: str, data: bytes) -> bool:
    """Does the content look like what the extension claims?"""
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if extension == "docx":
        return data.startswith(b"PK\x03\x04") and _zip_has(data, "word/")
    if extension == "xlsx":
        return data.startswith(b"PK\x03\x04") and _zip_has(data, "xl/")
    if extension in ("doc", "xls"):
        return data.startswith(_OLE)
    if extension in ("csv", "txt"):
        return _is_text(data)
    return False


def validate(upload: Upload, max_bytes: int) -> tuple[str, str]:
    """(sanitised name, content type), or a FieldError that says what is wrong."""
    name = sanitise_name(upload.filename)
    if not upload.data:
        raise FieldError("evidence", f"The file {name} is empty")
    if len(upload.data) > max_bytes:
        raise FieldError(
            "evidence",
            f"The file {name} must be smaller than {max_bytes // (1024 * 1024)} MB",
        )
    extension = _extension(name)
    if extension not in KINDS:
        raise FieldError("evidence", f"The file {name} must be a {ALLOWED_DESCRIPTION}")
    if not content_matches(extension, upload.data):
        raise FieldError(
            "evidence",
            f"The file {name} is not a real {KINDS[extension][0]} file; "
            f"upload a {ALLOWED_DESCRIPTION}",
        )
    return name, KINDS[extension][1]


def store(
    *,
    actor: User,
    action: Action,
    update: ActionUpdate | None,
    upload: Upload,
    files: FileStore,
    max_bytes: int,
) -> EvidenceFile:
    name, content_type = validate(upload, max_bytes)
    stored_name = secrets.token_hex(20)
    # Deleted again if this transaction does not commit: no file without its row.
    note_written(files, stored_name)
    files.put(stored_name, upload.data)
    record = EvidenceFile(
        action=action,
        update=update,
        uploaded_by_id=actor.id,
        file_name=name,
        stored_name=stored_name,
        content_type=content_type,
        size_bytes=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        actor,
        "action",
        action.id,
        "evidence_added",
        after={"evidence_file": record.id, "file_name": name, "size_bytes": record.size_bytes},
    )
    return record


def read(record: EvidenceFile, files: FileStore) -> bytes:
    """The file's bytes (``storage.MissingFile`` when the store has lost it)."""
    return files.read(record.stored_name)


def get(evidence_id: int) -> EvidenceFile | None:
    return db.session.get(EvidenceFile, evidence_id)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# Removing and replacing (issue 20): a file uploaded by mistake (a real name in it, the
# wrong document) is removed with a reason. The row stays, so the trail says what was
# there, who removed it and why; the file is refused to everyone but administrators, who
# may read it until the retention period ends, when ``purge_removed`` deletes it.


def remove(
    *,
    actor: User,
    record: EvidenceFile,
    reason: str,
    replacement: Upload | None = None,
    files: FileStore | None = None,
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
) -> EvidenceFile | None:
    """Remove one evidence file, with a reason; store ``replacement`` in its place (on the
    same progress update) when one is given. Returns the replacement."""
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "Enter why the file is being removed")
    if record.removed_at is not None:
        raise FieldError("reason", f"The file {record.file_name} has already been removed")
    if replacement is not None:
        validate(replacement, max_bytes)
    record.removed_at = utcnow()
    record.removed_by_id = actor.id
    record.removal_reason = reason
    db.session.flush()
    audit.record(
        actor,
        "action",
        record.action_id,
        "evidence_removed",
        before={"evidence_file": record.id, "file_name": record.file_name},
        after={"evidence_file": record.id, "removed": True, "reason": reason},
    )
    if replacement is None:
        return None
    assert files is not None
    return store(
        actor=actor,
        action=record.action,
        update=record.update,
        upload=replacement,
        files=files,
        max_bytes=max_bytes,
    )


def retention_ends(record: EvidenceFile, retention_days: int) -> datetime | None:
    """When a removed file stops being readable by anyone (None while not removed)."""
    if record.removed_at is None:
        return None
    return record.removed_at + timedelta(days=retention_days)


def within_retention(record: EvidenceFile, retention_days: int) -> bool:
    ends = retention_ends(record, retention_days)
    return ends is not None and utcnow() < ends


def removed_within_retention(retention_days: int) -> list[EvidenceFile]:
    """Removed files administrators may still read, the most recently removed first."""
    cutoff = utcnow() - timedelta(days=retention_days)
    return list(
        db.session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.removed_at.is_not(None), EvidenceFile.removed_at > cutoff)
            .order_by(EvidenceFile.removed_at.desc(), EvidenceFile.id.desc())
        )
    )


def purge_removed(files: FileStore, retention_days: int) -> int:
    """Delete from the evidence store the files removed longer ago than the retention
    period; the rows (the trail) stay. Idempotent: a file already gone is skipped.
    Returns how many."""
    cutoff = utcnow() - timedelta(days=retention_days)
    deleted = 0
    for record in db.session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.removed_at.is_not(None), EvidenceFile.removed_at <= cutoff
        )
    ):
        if files.exists(record.stored_name):
            files.delete(record.stored_name)
            deleted += 1
    return deleted
