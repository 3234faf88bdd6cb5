"""The published briefing's PDF, made once per published version and kept on disk.

Making a PDF takes WeasyPrint more than a second, and the public PDF needs no sign-in:
rebuilding it on every request would let anyone keep a web worker busy. The first
request for a published version makes the file; later ones read it. The file's name holds
the briefing, the version number and id, and the moment of publication, so a new
publication (even of a version number reused after a rollback) never reads an old file;
publishing or archiving also deletes the briefing's files (``invalidate``). Files are
written to a temporary name and renamed, so a reader never sees half a PDF.

The folder is ``<instance>/briefing-pdfs``: per server. With several web servers each
makes its own copy once, which is still once per version per server.

``renders()`` counts the PDFs this application has made (cached or not): the tests read it
to prove that a second request does not rebuild.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import current_app

FOLDER = "briefing-pdfs"
_COUNTER = "sgreviews.briefing_pdf_renders"


class _Version(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def published_at(self) -> datetime | None: ...


def _folder() -> Path:
    folder: Path = current_app.extensions["sgreviews.settings"].instance_path / FOLDER
    return folder


def _path(briefing_id: int, version: _Version) -> Path:
    assert version.published_at is not None
    stamp = version.published_at.strftime("%Y%m%dT%H%M%S%f")
    return _folder() / f"briefing-{briefing_id}-v{version.number}-{version.id}-{stamp}.pdf"


def renders() -> int:
    """How many PDFs of briefings this application has made."""
    count: int = current_app.extensions.get(_COUNTER, 0)
    return count


def _make(make: Callable[[], bytes]) -> bytes:
    data = make()
    current_app.extensions[_COUNTER] = renders() + 1
    return data


def briefing_pdf(briefing_id: int, version: _Version, make: Callable[[], bytes]) -> bytes:
    """The PDF of ``version``: from the cache when it is a published version already made,
    else made by ``make`` (and kept when the version is published)."""
    if version.published_at is None:
        return _make(make)  # a draft changes without a new version number: never cached
    path = _path(briefing_id, version)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = _make(make)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return data


def invalidate(briefing_id: int) -> None:
    """Delete every kept PDF of the briefing (on publishing a new version or archiving)."""
    folder = _folder()
    if not folder.is_dir():
        return
    for path in folder.glob(f"briefing-{briefing_id}-v*.pdf"):
        path.unlink(missing_ok=True)


def cached(briefing_id: int, version: _Version) -> bool:
    """Whether the version's PDF is kept (for tests and the operations page)."""
    return version.published_at is not None and _path(briefing_id, version).is_file()
