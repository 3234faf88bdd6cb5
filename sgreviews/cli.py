"""The ``sgreviews`` command: a Flask CLI group with the project's own commands.

sgreviews run                  serve the app (Flask's development server)
sgreviews db upgrade           apply the migrations
sgreviews demo load            load the fictional demo partnership
sgreviews users create ...     create a user
sgreviews deadline TYPE DATE   the due dates of a review type's statutory clocks
sgreviews backup / restore     copy the database to a file and back
sgreviews users reset-two-factor / unlock --email ...   recover an account
sgreviews demo generate        generated data at scale (s, l, xl) for benchmarks
sgreviews reminders run        run or preview the day's reminders
sgreviews scheduler            the scheduler process (daily reminders, outbox delivery)
sgreviews sso check            config/sso.toml against the agencies and partnerships
sgreviews api openapi -o F     write the API's OpenAPI document (docs/openapi.json)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from dotenv import dotenv_values
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask.helpers import get_load_dotenv
from flask_migrate.cli import db as migrate_group

from sgreviews.backup import backup_command, restore_command
from sgreviews.cli_api import api_group
from sgreviews.cli_deadline import deadline_command
from sgreviews.cli_reports import report_group
from sgreviews.cli_sso import sso_group
from sgreviews.extensions import db
from sgreviews.jobs.commands import generate_command, reminders_group, scheduler_command
from sgreviews.models import Role
from sgreviews.review_types import ReviewTypeConfigError
from sgreviews.security_cli import reset_two_factor_command, unlock_command
from sgreviews.services.accounts import users
from sgreviews.services.accounts.sso_mapping import SsoConfigError
from sgreviews.services.actions.rag import RagConfigError
from sgreviews.services.actions.tracker_import import ImportConfigError
from sgreviews.services.briefings.personal_data import PersonalDataConfigError
from sgreviews.services.demo import core as demo
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reminders.rules import ReminderConfigError
from sgreviews.services.themes import ThemeConfigError
from sgreviews.settings import PROJECT_ROOT, ConfigurationError

# What `make setup` writes for a local checkout (git-ignored): development settings and a
# generated SECRET_KEY, so the bare command works without exporting anything.
LOCAL_ENV_FILE = PROJECT_ROOT / ".env"
# What create_app raises when the environment or a config/*.toml file is wrong; each
# message names the variable, or the file and key.
CONFIGURATION_ERRORS = (
    ConfigurationError,
    ReviewTypeConfigError,
    ReminderConfigError,
    RagConfigError,
    ThemeConfigError,
    PersonalDataConfigError,
    SsoConfigError,
    ImportConfigError,
)


def register_commands(app: Flask) -> None:
    """The project's commands on ``app.cli`` (for ``flask --app sgreviews`` and the tests'
    CLI runner); the ``sgreviews`` command carries them on its own group."""
    add_project_commands(app.cli)


def add_project_commands(group: click.Group) -> None:
    users_group.add_command(reset_two_factor_command)
    users_group.add_command(unlock_command)
    demo_group.add_command(generate_command)
    for command in (
        demo_group,
        users_group,
        deadline_command,
        report_group,
        import_group,
        storage_group,
        backup_command,
        restore_command,
        reminders_group,
        scheduler_command,
        sso_group,
        purge_removed_evidence_command,
        api_group,
    ):
        group.add_command(command)


@click.group("demo", help="Fictional demo data.")
def demo_group() -> None:
    pass


@demo_group.command("load", help="Load the demo partnership (into an empty database).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def demo_load(if_empty: bool) -> None:
    if not demo.database_is_empty():
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException(
            "The database already has users. Demo data is only loaded into an empty database."
        )
    settings = current_app.extensions["sgreviews.settings"]
    demo.load_demo(settings.config_dir)
    db.session.commit()
    click.echo("Demo data loaded.")


@demo_group.command("sign-ins", help="Print the demo sign-ins.")
def demo_sign_ins() -> None:
    click.echo("")
    click.echo(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
    for sign_in in demo.SIGN_INS:
        agency = f", {sign_in.agency}" if sign_in.agency else ""
        click.echo(f"  {sign_in.role.label:<14} {sign_in.email}{agency}")
    click.echo("")


@click.group("users", help="Manage users.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create a user; asks for the password.")
@click.option("--email", required=True)
@click.option("--name", "display_name", help="Display name (defaults to the email address).")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@click.option(
    "--agency", "agency_name", help="Agency name (needed for agency leads, practitioners)."
)
@click.password_option()
@with_appcontext
def users_create(
    email: str, display_name: str | None, role: str, agency_name: str | None, password: str
) -> None:
    agency = None
    if agency_name:
        agency = organisations.find_agency(agency_name)
        if agency is None:
            known = ", ".join(a.name for a in organisations.list_agencies()) or "none yet"
            raise click.BadParameter(
                f"no agency is called {agency_name!r}. Known agencies: {known}",
                param_hint="--agency",
            )
    try:
        user = users.create_user(
            email=email,
            display_name=display_name or email,
            role=Role(role),
            password=password,
            agency=agency,
        )
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.label.lower()} {user.email}.")


def _create_app() -> Flask:
    """The application for a command; a configuration the app refuses is a one-line error
    (click prints it and exits 1) instead of a traceback."""
    from sgreviews import create_app

    try:
        return create_app()
    except CONFIGURATION_ERRORS as error:
        message = " ".join(str(error).split())
        raise click.ClickException(f"Configuration: {message}") from error


class ProjectGroup(FlaskGroup):
    """Flask's group with the project's commands on the group itself, so ``--help`` and the
    commands' own help never build the app (and so never need configuration); a command
    builds it when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(self.commands)


def load_local_environment(path: Path = LOCAL_ENV_FILE) -> None:
    """Read the checkout's ``.env`` (written by ``make setup``) wherever the command is run
    from. Variables already in the environment win, as with Flask's own ``.env`` loading
    from the working folder; ``FLASK_SKIP_DOTENV=1`` turns both off."""
    if not get_load_dotenv() or not path.is_file():
        return
    for key, value in dotenv_values(path, encoding="utf-8").items():
        if value is not None and key not in os.environ:
            os.environ[key] = value


def build_cli() -> FlaskGroup:
    cli = ProjectGroup(create_app=_create_app, help="Safeguarding reviews.")
    cli.add_command(migrate_group, "db")
    add_project_commands(cli)
    return cli


def main() -> None:
    os.environ.setdefault("FLASK_APP", "sgreviews")
    load_local_environment()
    build_cli().main(prog_name="sgreviews")


def _progress_bar(total: int) -> Any:
    """Click's progress bar on standard error, so the summary on standard output stays
    clean for scripts."""
    stream = sys.stderr
    return click.progressbar(length=total, label="Importing", file=stream)


@click.group("import", help="Import data from other systems.")
def import_group() -> None:
    pass


@import_group.command("actions", help="Import an action tracker (XLSX, CSV or a Word action plan).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--review", "review_reference", help="Review reference for rows without one.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even if others fail.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help='Map a column heading to an import field, e.g. --map "Who will lead?=lead".',
)
@with_appcontext
def import_actions(
    file: str, dry_run: bool, review_reference: str | None, only_valid: bool, maps: tuple[str]
) -> None:
    from sgreviews.services.actions.tracker_import import import_file_command

    code = import_file_command(
        file,
        dry_run=dry_run,
        review_reference=review_reference,
        only_valid=only_valid,
        echo=click.echo,
        maps=maps,
        progress=_progress_bar,
    )
    if code:
        raise SystemExit(code)


@import_group.command("reviews", help="Import a register of past reviews (XLSX or CSV).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even if others fail.")
@with_appcontext
def import_reviews(file: str, dry_run: bool, only_valid: bool) -> None:
    from sgreviews.services.reviews.register_import import import_register_command

    code = import_register_command(
        file, dry_run=dry_run, only_valid=only_valid, echo=click.echo, progress=_progress_bar
    )
    if code:
        raise SystemExit(code)


@import_group.command(
    "purge-staged",
    help="Delete uploaded trackers whose import was never confirmed (the scheduler does "
    "this hourly).",
)
@click.option(
    "--older-than-hours",
    type=click.IntRange(min=1),
    help="Age after which a staged import is abandoned (default SGREVIEWS_STAGED_IMPORT_HOURS).",
)
@with_appcontext
def purge_staged_imports(older_than_hours: int | None) -> None:
    from sgreviews.jobs import purge_staged_imports_job

    click.echo(str(purge_staged_imports_job(older_than_hours)))


@click.group("storage", help="Where evidence and staged imports live (SGREVIEWS_STORAGE).")
def storage_group() -> None:
    pass


@storage_group.command("check", help="Write, read and delete a probe file in each store.")
@with_appcontext
def storage_check() -> None:
    from sgreviews.services.storage import StorageError, current_storage
    from sgreviews.services.storage.check import check_storage

    try:
        for line in check_storage(current_storage()):
            click.echo(line)
    except StorageError as error:
        raise click.ClickException(f"Storage: {error}") from error


@click.command(
    "purge-removed-evidence",
    help="Delete the files of evidence removed longer ago than the retention period "
    "(SGREVIEWS_REMOVED_EVIDENCE_RETENTION_DAYS); their records stay as the trail.",
)
@with_appcontext
def purge_removed_evidence_command() -> None:
    from sgreviews.services.actions.evidence import purge_removed
    from sgreviews.services.storage import current_storage

    settings = current_app.extensions["sgreviews.settings"]
    deleted = purge_removed(current_storage().evidence, settings.removed_evidence_retention_days)
    click.echo(f"Deleted {deleted} removed evidence file(s) past their retention period.")
