"""Where files live: evidence and staged tracker imports, behind one interface.

A ``FileStore`` keeps named files (names are random tokens the services choose, never
anything a person typed). Two kinds: a folder on this machine (``local``, the default) and
an S3-compatible object store (``s3``, for several web nodes; boto3 with the standard
AWS credential chain). ``Storage`` holds one store per use: ``evidence`` and ``imports``.
Built once from the settings by ``create_app`` (``build_storage``) and read with
``current_storage()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app

from sgreviews.settings import Settings

# What a stored file may be called: a token, perhaps with an extension. Refusing anything
# else keeps a name from ever being a path.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


class StorageError(RuntimeError):
    """The store cannot be reached or refused the operation; the message says why."""


class MissingFile(StorageError):
    """No file of that name is in the store."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    modified: datetime  # aware, UTC


class FileStore(Protocol):
    """Named files in one place (a folder, or a prefix of a bucket)."""

    @property
    def description(self) -> str:
        """Where the files are, for messages (never a credential)."""
        ...

    def put(self, name: str, data: bytes) -> None: ...

    def read(self, name: str) -> bytes:
        """The file's bytes, or ``MissingFile``."""
        ...

    def exists(self, name: str) -> bool: ...

    def delete(self, name: str) -> None:
        """Remove the file; a missing file is not an error."""
        ...

    def files(self) -> Iterator[StoredFile]:
        """Every file in the store, in no particular order."""
        ...


@dataclass(frozen=True)
class Storage:
    kind: str  # "local" or "s3"
    evidence: FileStore
    imports: FileStore


def check_name(name: str) -> str:
    if not NAME.fullmatch(name) or ".." in name:
        raise StorageError(f"not a stored file name: {name!r}")
    return name


def build_storage(settings: Settings) -> Storage:
    """The storage the settings describe (``SGREVIEWS_STORAGE`` and its variables)."""
    config = settings.storage
    if config.backend == "s3":
        from sgreviews.services.storage.s3 import S3Store, make_client

        client = make_client(config)
        return Storage(
            kind="s3",
            evidence=S3Store(client, config, "evidence/"),
            imports=S3Store(client, config, "imports/"),
        )
    from sgreviews.services.storage.local import LocalStore

    return Storage(
        kind="local",
        evidence=LocalStore(settings.evidence_dir),
        imports=LocalStore(settings.instance_path / "imports"),
    )


def current_storage() -> Storage:
    storage: Storage = current_app.extensions["sgreviews.storage"]
    return storage
