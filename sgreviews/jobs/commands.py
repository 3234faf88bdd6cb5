"""Command-line entry points for reminders, the outbox and the scheduler."""

from __future__ import annotations

import logging
from datetime import date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from sgreviews.clock import london_today
from sgreviews.jobs import outbox_job, prepare_job_database
from sgreviews.services.mail import outbox
from sgreviews.services.mail.transports import check_connection
from sgreviews.services.reminders.run import RunInProgress, run_reminders
from sgreviews.services.reminders.wiring import current_mail_settings, current_rules

PRINT_LIMIT = 50


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        # A calendar date: no time of day, so no time zone to lose.
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007
    except ValueError as error:
        raise click.BadParameter(f"use the form YYYY-MM-DD, not {value!r}") from error


@click.group("reminders", help="Action reminders and escalation.")
def reminders_group() -> None:
    pass


@reminders_group.command("run", help="Run (or preview) the reminders for a day.")
@click.option(
    "--today", callback=_parse_day, help="The day to run for, YYYY-MM-DD (default: today)."
)
@click.option("--dry-run", is_flag=True, help="Print who would get what; change nothing.")
@click.option("--no-send", is_flag=True, help="Queue the digests but do not deliver them now.")
@with_appcontext
def reminders_run(today: date | None, dry_run: bool, no_send: bool) -> None:
    prepare_job_database()
    day = today or london_today()
    rules = current_rules()
    mail = current_mail_settings()
    base_url = current_app.extensions["sgreviews.settings"].base_url
    try:
        report = run_reminders(day, rules, base_url, dry_run=dry_run)
    except RunInProgress as error:
        click.echo(f"Reminders for {day:%Y-%m-%d} not run: {error}.")
        return
    if dry_run:
        click.echo(f"Dry run for {day:%Y-%m-%d}: nothing recorded, nothing sent.")
        click.echo(
            f"{report.subjects_checked} subjects checked; {report.decisions} new reminder "
            f"decisions; {len(report.preview)} people would be told."
        )
        for index, (who, lines) in enumerate(sorted(report.preview.items())):
            if index == PRINT_LIMIT:
                click.echo(f"... and {len(report.preview) - PRINT_LIMIT} more people")
                break
            count = report.preview_counts[who]
            click.echo(f"{who}: {count} item(s)")
            for line in lines:
                click.echo(f"  - {line}")
            if count > len(lines):
                click.echo(f"  - ... and {count - len(lines)} more")
        problems = check_connection(mail)
        if problems:
            click.echo("Mail is misconfigured; digests would wait in the outbox:")
            for problem in problems:
                click.echo(f"  - {problem}")
        else:
            click.echo(f"{mail.describe()} answered.")
        return
    click.echo(
        f"Reminders for {day:%Y-%m-%d}: {report.subjects_checked} subjects checked, "
        f"{report.decisions} new decisions, {report.notifications} notifications, "
        f"{report.digests} digests queued."
    )
    for index, summary in enumerate(report.digest_summaries):
        if index == PRINT_LIMIT:
            click.echo(f"... and {report.digests - PRINT_LIMIT} more digests")
            break
        click.echo(f"{summary.to_address}: {summary.item_count} item(s)")
        for headline in summary.headlines:
            click.echo(f"  - {headline}")
    if no_send:
        return
    _echo_delivery(outbox.deliver_due(mail, rules))


@reminders_group.command("deliver", help="Deliver waiting outbox messages now.")
@with_appcontext
def reminders_deliver() -> None:
    _echo_delivery(outbox_job())


def _echo_delivery(result: outbox.DeliveryResult) -> None:
    permanent = f" ({result.permanent} refused permanently)" if result.permanent else ""
    click.echo(f"Delivery: {result.sent} sent, {result.failed} waiting to retry{permanent}.")
    if result.error:
        click.echo(f"Last delivery error: {result.error}")


@click.command("scheduler", help="Run the scheduler process (daily reminders, outbox).")
@with_appcontext
def scheduler_command() -> None:
    from sgreviews.jobs.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rules = current_rules()
    scheduler = build_scheduler(current_app._get_current_object(), rules)  # type: ignore[attr-defined]
    click.echo(
        f"Scheduler started: reminders daily at {rules.daily_run_time:%H:%M} "
        f"{rules.timezone}, outbox every {rules.outbox_interval_seconds} s. Ctrl+C stops it."
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.command("generate", help="Fill an empty database with generated data for benchmarks.")
@click.option(
    "--scale",
    type=click.Choice(["s", "l", "xl"]),
    default="s",
    show_default=True,
    help="s: one area; l: a region; xl: national (400,000 actions, 50,000 users).",
)
@with_appcontext
def generate_command(scale: str) -> None:
    import time

    from sgreviews.services.demo import core as demo
    from sgreviews.services.demo import generate

    if not demo.database_is_empty():
        raise click.ClickException(
            "The database already has users. Generated data only goes into an empty database."
        )
    prepare_job_database()
    started = time.perf_counter()
    settings = current_app.extensions["sgreviews.settings"]
    report = generate.generate(scale, settings.config_dir, progress=click.echo)
    elapsed = time.perf_counter() - started
    total = sum(report.counts.values())
    click.echo(f"Generated {total:,} rows at scale {scale} in {elapsed:.1f} s.")
