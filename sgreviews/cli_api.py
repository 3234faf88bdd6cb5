"""``sgreviews api openapi``: write the API's OpenAPI document, the file checked in as
``docs/openapi.json`` (``make openapi``); ``--check`` fails when the file is out of date."""

from __future__ import annotations

from pathlib import Path

import click

from sgreviews.web.api.openapi import document_text


@click.group("api", help="The JSON API.")
def api_group() -> None:
    pass


@api_group.command("openapi", help="Write the OpenAPI document (to standard output by default).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--check", is_flag=True, help="Only check that --output is up to date.")
def openapi_command(output: Path | None, check: bool) -> None:
    text = document_text()
    if output is None:
        if check:
            raise click.UsageError("--check needs --output")
        click.echo(text, nl=False)
        return
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            raise click.ClickException(
                f"{output} is out of date: run `sgreviews api openapi -o {output}`"
            )
        click.echo(f"{output} is up to date.")
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}.")
