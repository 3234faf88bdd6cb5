"""``sgreviews storage check``: can this process write, read and delete in each store?

A deployment runs it once after setting the storage variables (and monitoring may run it
now and then): each store gets a probe file written, read back and deleted. For an S3
bucket it also reports the bucket's versioning, which is worth enabling beside the backups.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from sgreviews.services.storage import FileStore, Storage, StorageError
from sgreviews.services.storage.s3 import S3Store


def _probe(store: FileStore) -> None:
    name = f"probe-{secrets.token_hex(8)}"
    data = secrets.token_bytes(32)
    store.put(name, data)
    try:
        if store.read(name) != data:
            raise StorageError(f"{store.description} gave back other bytes than were written")
    finally:
        store.delete(name)
    if store.exists(name):
        raise StorageError(f"{store.description} kept a file it was asked to delete")


def check_storage(storage: Storage) -> Iterator[str]:
    """One line per store that works; ``StorageError`` at the first that does not."""
    for use, store in (("evidence", storage.evidence), ("staged imports", storage.imports)):
        _probe(store)
        yield f"{use}: {store.description} can be written, read and deleted"
    if isinstance(storage.evidence, S3Store):
        status = storage.evidence.versioning_status()
        advice = "" if status == "Enabled" else " (enabling it keeps deleted evidence recoverable)"
        yield f"bucket versioning: {status}{advice}"
