"""``sgreviews backup`` and ``sgreviews restore``.

SQLite: the online backup API (a consistent copy while the app keeps running).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``;
the password goes to the tools through the environment, never the command line. The
PostgreSQL client tools must be the server's major version or newer.

Restore replaces everything in the database with the backup: stop the web and scheduler
processes first.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from sgreviews.clock import utcnow
from sgreviews.extensions import db


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
    suffix = "sqlite3" if url.get_backend_name() == "sqlite" else "dump"
    return instance_path / "backups" / f"sgreviews-{stamp}.{suffix}"


def backup(target: Path) -> Path:
    """Write a complete, consistent copy of the database to ``target``."""
    url = _url()
    target.parent.mkdir(parents=True, exist_ok=True)
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
    os.chmod(target, 0o600)  # a backup holds case data: readable by its owner only
    return target


def restore(source: Path) -> None:
    """Replace the database's contents with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    url = _url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in backup_db.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise BackupError(f"{source} is not an sgreviews SQLite backup.")
            live = sqlite3.connect(_sqlite_path(url))
            try:
                backup_db.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an SQLite database: {error}") from error
        finally:
            backup_db.close()
    elif url.get_backend_name() == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url.database}",
                str(source),
            ],
            url,
        )
    else:
        raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")


@click.command("backup", help="Back up the whole database to a file.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: instance/backups/sgreviews-<time>.sqlite3 or .dump).",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    settings = current_app.extensions["sgreviews.settings"]
    target = output or default_backup_path(settings.instance_path, _url())
    try:
        backup(target)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {target}")


@click.command("restore", help="Replace everything in the database with a backup.")
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
        restore(source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {source}")
