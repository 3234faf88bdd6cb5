"""Files in a folder on this machine: the default, for one web node (and development)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sgreviews.services.storage import MissingFile, StorageError, StoredFile, check_name


class LocalStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def description(self) -> str:
        return f"the folder {self.folder}"

    def path(self, name: str) -> Path:
        return self.folder / check_name(name)

    def put(self, name: str, data: bytes) -> None:
        target = self.path(name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written beside it and renamed: a reader never sees half a file.
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".partial-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except OSError as error:
            raise StorageError(f"could not write {name} to {self.description}: {error}") from error

    def read(self, name: str) -> bytes:
        try:
            return self.path(name).read_bytes()
        except FileNotFoundError as error:
            raise MissingFile(f"{name} is not in {self.description}") from error

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def files(self) -> Iterator[StoredFile]:
        if not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            if not entry.is_file() or entry.name.startswith(".partial-"):
                continue
            stat = entry.stat()
            yield StoredFile(
                entry.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC)
            )
