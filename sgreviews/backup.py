"""``sgreviews backup`` and ``sgreviews restore``.

A backup is one tar archive: ``manifest.json`` (the format, the database kind, its
migration revision, when it was made, where the evidence came from), the database, and
every evidence file under ``evidence/``, whichever storage holds them (a local folder or
an S3 bucket: the objects are copied into the archive, so one archive is one restore
point, restorable into either storage). Staged imports are transient and left out.

SQLite: the online backup API (a consistent copy while the app keeps running).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``;
the password goes to the tools through the environment, never the command line. The
PostgreSQL client tools must be the server's major version or newer.

Restore refuses an archive whose migration revision is not this code's head (restore with
the release that made it, then upgrade), puts the evidence files back into the configured
storage, then replaces everything in the database with the backup: stop the web and
scheduler processes first.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from alembic.runtime.migration import MigrationContext
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.services.operations.readiness import migration_heads
from sgreviews.services.storage import StorageError, current_storage

FORMAT = "sgreviews-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EVIDENCE = "evidence/"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}

# SQLite pages copied per step when progress is shown.
BACKUP_PAGES = 256


class BackupError(RuntimeError):
    """A backup or restore failed; the message says why."""


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _pg_environment(url: URL) -> dict[str, str]:
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            environment[variable] = str(value)
    return environment


def _run(command: list[str], url: URL) -> None:
    try:
        result = subprocess.run(
            command, env=_pg_environment(url), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} was not found: install the PostgreSQL client tools."
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def default_backup_path(instance_path: Path, url: URL) -> Path:
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return instance_path / "backups" / f"sgreviews-{stamp}.tar"


@dataclass(frozen=True)
class BackupSummary:
    revision: str
    evidence_files: int
    evidence_from: str

    def __str__(self) -> str:
        return (
            f"the database at migration revision {self.revision} and "
            f"{self.evidence_files} evidence files ({self.evidence_from})"
        )


def _code_head() -> str:
    directory = current_app.extensions["migrate"].directory
    return ", ".join(migration_heads(str(directory)))


def _database_revision() -> str:
    with db.engine.connect() as connection:
        heads = sorted(MigrationContext.configure(connection).get_current_heads())
    if not heads:
        raise BackupError("The database has no migration revision: run `sgreviews db upgrade`.")
    return ", ".join(heads)


def _dump_database(url: URL, target: Path) -> None:
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], url)
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(target: Path, progress: Callable[[int, int], None] | None = None) -> BackupSummary:
    """Write the database and every evidence file to one archive at ``target``, reporting
    ``progress(steps_done, steps_total)`` (the database is one step, each file one). The
    database is copied first; a file uploaded while the evidence is being copied may be
    in the archive without its row (harmless), never the other way round unless it was
    deleted in that moment."""
    url = _url()
    backend = url.get_backend_name()
    if backend not in DATABASE_MEMBER:
        raise BackupError(f"Backups of {backend} databases are not supported.")
    revision = _database_revision()
    evidence = current_storage().evidence
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        dump = Path(work) / DATABASE_MEMBER[backend]
        _dump_database(url, dump)
        partial = Path(work) / "archive.tar"
        count = 0
        try:
            names = sorted(stored.name for stored in evidence.files())
            with tarfile.open(partial, "w") as archive:
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "database": backend,
                    "revision": revision,
                    "created_at": utcnow().isoformat(),
                    "evidence_from": evidence.description,
                    "evidence_files": len(names),
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(dump, arcname=DATABASE_MEMBER[backend])
                if progress is not None:
                    progress(1, len(names) + 1)
                for name in names:
                    _add_bytes(archive, EVIDENCE + name, evidence.read(name))
                    count += 1
                    if progress is not None:
                        progress(count + 1, len(names) + 1)
        except StorageError as error:
            raise BackupError(f"The evidence could not be copied: {error}") from error
        os.chmod(partial, 0o600)  # a backup holds case data: readable by its owner only
        os.replace(partial, target)
    return BackupSummary(revision, count, evidence.description)


def _manifest(archive: tarfile.TarFile, source: Path) -> dict[str, object]:
    try:
        member = archive.getmember(MANIFEST)
        stream = archive.extractfile(member)
        manifest = json.loads(stream.read()) if stream else None
    except (KeyError, ValueError) as error:
        raise BackupError(f"{source} is not an sgreviews backup (no manifest).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not an sgreviews backup (unknown manifest).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{source} is a backup of format {manifest.get('format_version')}; this release "
            f"reads format {FORMAT_VERSION}."
        )
    return manifest


def check_revision(manifest: dict[str, object]) -> None:
    """A backup restores only into the code whose migrations end where its database was."""
    revision = str(manifest.get("revision"))
    head = _code_head()
    if revision != head:
        raise BackupError(
            f"The backup's database is at migration revision {revision} but this code's "
            f"migrations end at {head}: restore it with the release that made it (then run "
            "`sgreviews db upgrade` after upgrading the code)."
        )


def restore(source: Path) -> BackupSummary:
    """Put back the evidence files, then replace the database's contents with the backup."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is not an sgreviews backup archive.")
    url = _url()
    backend = url.get_backend_name()
    evidence = current_storage().evidence
    with tarfile.open(source, "r") as archive:
        manifest = _manifest(archive, source)
        if manifest.get("database") != backend:
            raise BackupError(
                f"{source} is a backup of a {manifest.get('database')} database; this "
                f"application uses {backend}."
            )
        check_revision(manifest)
        members = archive.getmembers()
        database = next((m for m in members if m.name == DATABASE_MEMBER[backend]), None)
        if database is None or not database.isfile():
            raise BackupError(f"{source} holds no database.")
        count = 0
        try:
            for member in members:
                if not member.name.startswith(EVIDENCE) or not member.isfile():
                    continue
                stream = archive.extractfile(member)
                if stream is not None:
                    evidence.put(member.name[len(EVIDENCE) :], stream.read())
                    count += 1
        except StorageError as error:
            raise BackupError(f"The evidence could not be restored: {error}") from error
        with tempfile.TemporaryDirectory(prefix="sgreviews-restore-") as work:
            dump = Path(work) / DATABASE_MEMBER[backend]
            stream = archive.extractfile(database)
            assert stream is not None
            with dump.open("wb") as output:
                shutil.copyfileobj(stream, output)
            _restore_database(url, dump, source)
    return BackupSummary(str(manifest.get("revision")), count, evidence.description)


def _restore_database(url: URL, dump: Path, source: Path) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in backup_db.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise BackupError(f"{source} holds no sgreviews SQLite database.")
            live = sqlite3.connect(_sqlite_path(url))
            try:
                backup_db.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} holds no SQLite database: {error}") from error
        finally:
            backup_db.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url.database}",
                str(dump),
            ],
            url,
        )


@click.command("backup", help="Back up the whole database and every evidence file to one archive.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: instance/backups/sgreviews-<time>.tar).",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    settings = current_app.extensions["sgreviews.settings"]
    target = output or default_backup_path(settings.instance_path, _url())
    with click.progressbar(length=1, label="Backing up", file=sys.stderr) as bar:
        done = [0]

        def step(copied: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(copied - done[0])
            done[0] = copied

        try:
            summary = backup(target, progress=step)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
    size = target.stat().st_size
    click.echo(f"Backed up to {target} ({size / (1024 * 1024):.1f} MB): {summary}")


@click.command(
    "restore", help="Replace everything in the database with a backup; put its evidence back."
)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    if not yes:
        click.confirm(
            "This replaces everything in the database with the backup. Stop the web and "
            "scheduler processes first. Continue?",
            abort=True,
        )
    try:
        summary = restore(source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {source}: {summary}")
