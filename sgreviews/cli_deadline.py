"""``sgreviews deadline TYPE START_DATE``: the due date of a review type's clocks, with
the rule and the calendar that produced it. A tool for staff and a check of the engine."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from sgreviews.extensions import db
from sgreviews.review_types import JURISDICTIONS, ReviewType
from sgreviews.services.clocks import Calendar, calendar_for, compute_deadline


def _calendar(jurisdiction: str) -> Calendar:
    try:
        return calendar_for(jurisdiction)
    except SQLAlchemyError:
        # No database yet: bank holidays only, and say so.
        db.session.rollback()
        click.echo("(No database: extra closure days are not included.)", err=True)
        return Calendar(jurisdiction)


@click.command("deadline", help="Print the due date of a review type's statutory clocks.")
@click.argument("review_type")
@click.argument("start_date")
@click.option(
    "--jurisdiction",
    type=click.Choice(sorted(JURISDICTIONS)),
    help="Whose bank holidays to skip (default: the clock's own).",
)
@click.option("--clock", "clock_key", help="Only this clock of the type.")
@with_appcontext
def deadline_command(
    review_type: str, start_date: str, jurisdiction: str | None, clock_key: str | None
) -> None:
    types: dict[str, ReviewType] = current_app.extensions["sgreviews.review_types"]
    rtype = types.get(review_type)
    if rtype is None:
        raise click.BadParameter(
            f"{review_type!r} is not a review type. Known types: {', '.join(types)}",
            param_hint="TYPE",
        )
    try:
        start = date.fromisoformat(start_date)
    except ValueError as error:
        raise click.BadParameter(
            f"{start_date!r} is not a date: use YYYY-MM-DD", param_hint="START_DATE"
        ) from error
    clocks = [clock for clock in rtype.clocks if clock_key in (None, clock.key)]
    if not clocks:
        known = ", ".join(clock.key for clock in rtype.clocks) or "none"
        raise click.ClickException(f"{rtype.display_name} has no such clock (its clocks: {known})")
    for clock in clocks:
        calendar = _calendar(jurisdiction or clock.jurisdiction)
        result = compute_deadline(clock, start, calendar, as_of=start)
        click.echo(f"{result.due_on.isoformat()}  {clock.name} ({clock.key})")
        click.echo(f"  Rule: {result.rule}")
        click.echo(f"  Calendar: {result.calendar}")
