"""``sgreviews sso check``: the group mapping of ``config/sso.toml`` against the database.

Start-up already refuses a malformed file; this says, before anyone tries to sign in,
whether each agency and partnership the file names exists here (a missing one refuses
the sign-ins it would decide), and whether single sign-on is switched on."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from sgreviews.services.accounts.sso_mapping import GroupMapping
from sgreviews.services.organisations.directory import find_agency, partnership_by_short_name
from sgreviews.settings import Settings


@click.group("sso", help="Single sign-on (OpenID Connect).")
def sso_group() -> None:
    pass


@sso_group.command("check", help="Check config/sso.toml against the agencies and partnerships.")
@with_appcontext
def check_command() -> None:
    settings: Settings = current_app.extensions["sgreviews.settings"]
    mapping: GroupMapping = current_app.extensions["sgreviews.sso_mapping"]
    state = "on" if settings.single_sign_on else "off"
    click.echo(f"Sign-in methods: {settings.sign_in_methods} (single sign-on {state})")
    if settings.single_sign_on:
        click.echo(f"Provider: {settings.oidc_metadata_url}")
    click.echo(f"Groups claim: {mapping.groups_claim}")
    for group, role in mapping.roles:
        click.echo(f"  group {group} -> role {role.value}")
    problems = []
    for group, name in mapping.agencies:
        found = find_agency(name) is not None
        click.echo(f"  group {group} -> agency {name}{'' if found else '  (NOT FOUND)'}")
        if not found:
            problems.append(f"agency {name!r}")
    for group, short_name in mapping.partnerships:
        found = partnership_by_short_name(short_name) is not None
        note = "" if found else "  (NOT FOUND)"
        click.echo(f"  group {group} -> partnership {short_name}{note}")
        if not found:
            problems.append(f"partnership {short_name!r}")
    if problems:
        raise click.ClickException(
            "config/sso.toml names what this database does not have: " + ", ".join(problems)
        )
    click.echo("Every agency and partnership named exists.")
