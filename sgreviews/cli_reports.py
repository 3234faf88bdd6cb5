"""`sgreviews report yearly`: the yearly report pack from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from sgreviews.extensions import db
from sgreviews.models import Partnership
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports import formats as report_formats
from sgreviews.services.reports.yearly import build_yearly_report


@click.group("report", help="Reports.")
def report_group() -> None:
    pass


@report_group.command("yearly", help="The yearly report for a business year (1 April to 31 March).")
@click.option(
    "--year", required=True, type=click.IntRange(2000, 2100), help="Start year: 2021 is 2021/22."
)
@click.option(
    "--partnership", "partnership_name", help="Partnership name or short name; all if omitted."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["md", "pdf", "docx"]),
    default="md",
    show_default=True,
)
@click.option("--public", is_flag=True, help="Suppress counts below 5 and anything identifying.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def yearly(
    year: int, partnership_name: str | None, file_format: str, public: bool, output: Path
) -> None:
    partnership = None
    if partnership_name:
        partnership = db.session.scalar(
            select(Partnership).where(
                or_(
                    Partnership.name.ilike(partnership_name),
                    Partnership.short_name.ilike(partnership_name),
                )
            )
        )
        if partnership is None:
            known = ", ".join(p.short_name for p in db.session.scalars(select(Partnership)))
            raise click.BadParameter(
                f"no partnership is called {partnership_name!r}. Known: {known or 'none'}",
                param_hint="--partnership",
            )
    with click.progressbar(length=2, label="Building the report", file=sys.stderr) as bar:
        report = build_yearly_report(
            BusinessYear(year),
            current_app.extensions["sgreviews.review_types"],
            partnership=partnership,
            public=public,
        )
        bar.update(1)
        if file_format == "pdf":
            output.write_bytes(report_formats.to_pdf(report))
        elif file_format == "docx":
            output.write_bytes(report_formats.to_docx(report))
        else:
            output.write_text(report_formats.to_markdown(report), encoding="utf-8")
        bar.update(1)
    size = output.stat().st_size
    click.echo(
        f"Wrote {report.title} ({'public' if public else 'full'}) to {output}: "
        f"{len(report.sections)} sections, {size / 1024:.0f} KB."
    )
