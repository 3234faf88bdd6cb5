"""Account recovery from the command line, for when no administrator can sign in (the
only administrator lost their phone and recovery codes, or is locked out)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from sgreviews.extensions import db
from sgreviews.models import User
from sgreviews.services import audit
from sgreviews.services.accounts import two_factor, users


def _user(email: str) -> User:
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email address {email.strip().lower()}.")
    return user


@click.command("reset-two-factor", help="Remove a user's two-factor set-up (they enrol again).")
@click.option("--email", required=True)
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    user = _user(email)
    two_factor.reset(user, actor=None)
    db.session.commit()
    click.echo(f"Two-factor authentication reset for {user.email}: they set it up again.")


@click.command("unlock", help="End a lockout after failed sign-ins for an email address.")
@click.option("--email", required=True)
@with_appcontext
def unlock_command(email: str) -> None:
    users.clear_failures(email)
    audit.record(None, "session", None, "unlocked", after={"email": email.lower()})
    db.session.commit()
    click.echo(f"{email.strip().lower()} can sign in again.")
