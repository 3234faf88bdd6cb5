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
"""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from sgreviews.backup import backup_command, restore_command
from sgreviews.cli_deadline import deadline_command
from sgreviews.extensions import db
from sgreviews.models import Role
from sgreviews.security_cli import reset_two_factor_command, unlock_command
from sgreviews.services.accounts import users
from sgreviews.services.demo import core as demo
from sgreviews.services.organisations import directory as organisations


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_group)
    app.cli.add_command(users_group)
    app.cli.add_command(deadline_command)

    from sgreviews.cli_reports import report_group

    app.cli.add_command(report_group)

    app.cli.add_command(import_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    users_group.add_command(reset_two_factor_command)
    users_group.add_command(unlock_command)
    from sgreviews.jobs.commands import generate_command, reminders_group, scheduler_command

    demo_group.add_command(generate_command)

    app.cli.add_command(reminders_group)
    app.cli.add_command(scheduler_command)


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
    from sgreviews import create_app

    return create_app()


def main() -> None:
    os.environ.setdefault("FLASK_APP", "sgreviews")
    cli = FlaskGroup(create_app=_create_app, help="Safeguarding reviews.")
    cli.main(prog_name="sgreviews")


@click.group("import", help="Import data from other systems.")
def import_group() -> None:
    pass


@import_group.command("actions", help="Import an action tracker (XLSX or CSV).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--review", "review_reference", help="Review reference for rows without one.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even if others fail.")
@with_appcontext
def import_actions(
    file: str, dry_run: bool, review_reference: str | None, only_valid: bool
) -> None:
    from sgreviews.services.actions.tracker_import import import_file_command

    code = import_file_command(
        file,
        dry_run=dry_run,
        review_reference=review_reference,
        only_valid=only_valid,
        echo=click.echo,
    )
    if code:
        raise SystemExit(code)
