"""A register of past reviews imports as historical records: every row's outcome is
asserted, and no review-clock reminder fires for an imported review while the same
review entered as a live one would get one."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, SubjectKind
from sgreviews.models.review import ReviewDecision
from sgreviews.services.actions.tracker_import import ImportConfigError, load_config
from sgreviews.services.reminders.rules import ReviewClockRules
from sgreviews.services.reminders.sources import ReviewClockSource
from sgreviews.services.reviews import register_import
from sgreviews.services.reviews.creation import create_review
from sgreviews.services.reviews.lifecycle import review_types
from tests import factories

HEADER = ["Reference", "Type", "Subject", "Partnership", "Started", "Aware", "Completed",
          "Published", "Stage", "Outcome"]  # fmt: skip


def _register(partnership: str) -> list[list[str]]:
    recent = (london_today() - timedelta(days=7)).strftime("%d/%m/%Y")
    return [
        ["Register of reviews 2015-2025 (fictional)"],
        HEADER,
        ["SCR-2016-01", "scr", "Child Q", partnership, "01/03/2016", "", "30/11/2016", "",
         "", ""],
        ["LCSPR-2021-02", "lcspr", "Child R", partnership, "1st May 2021", "", "",
         "15/06/2022", "", "Report published"],
        ["SCR-2025-09", "scr", "Child S", partnership, recent, recent, "", "", "", ""],
        ["X-1", "Nonsense review", "Child T", partnership, "01/01/2020", "", "", "", "", ""],
        ["X-2", "scr", "Child U", "Nowhere Board", "March 2020", "", "", "", "", ""],
    ]  # fmt: skip


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_register_rows_and_no_reminders_for_historical_reviews(ctx: None, kind: str) -> None:
    partnership = factories.partnership()
    rows = _register(partnership.short_name)
    data = _xlsx(rows) if kind == "xlsx" else _csv(rows)
    result = register_import.preview(f"register.{kind}", data)
    assert not result.problems
    outcomes = {row.number: row.problems for row in result.rows}
    assert outcomes == {
        3: [],
        4: [],
        5: [],
        6: ["Unknown review type: Nonsense review"],
        7: ["Unknown partnership: Nowhere Board", "Started on must be a day: March 2020"],
    }
    before = db.session.scalar(select(func.count()).select_from(Review))
    created = register_import.apply(result, None, only_valid=True)
    assert [review.reference for review in created] == ["SCR-2016-01", "LCSPR-2021-02",
                                                        "SCR-2025-09"]  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(Review)) == (before or 0) + 3
    assert all(review.historical for review in created)
    lcspr = created[1]
    assert lcspr.published_on is not None and lcspr.subject_kind is SubjectKind.CHILD
    decision = db.session.scalar(select(ReviewDecision).where(ReviewDecision.review == lcspr))
    assert decision is not None and decision.outcome == "published"
    # A live twin of the recent one gets a reminder; the historical one never does.
    recent = london_today() - timedelta(days=7)
    live = create_review(
        None,
        review_type="scr",
        partnership=partnership,
        subject_label="Child V",
        subject_kind=SubjectKind.CHILD,
        started_on=recent,
        aware_on=recent,
        reference="SCR-LIVE-1",
    )
    db.session.flush()
    assert created[2].deadlines and not created[2].deadlines[0].met_on
    assert "scr" in review_types()
    source = ReviewClockSource(ReviewClockRules(enabled=True))
    seen = {s.reference for page in source.pages(london_today(), 0, 100) for s in page}
    assert live.reference in seen
    assert not seen & {"SCR-2016-01", "LCSPR-2021-02", "SCR-2025-09"}


def test_register_command_dry_run_then_import(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        partnership = factories.partnership()
        db.session.commit()
        short = partnership.short_name
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(_register(short)))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "reviews", str(path), "--dry-run"])
    assert dry.exit_code == 1
    assert "Row 6: Unknown review type: Nonsense review" in dry.output
    assert "3 rows valid, 2 with problems." in dry.output
    refused = runner.invoke(args=["import", "reviews", str(path)])
    assert "Nothing imported: 2 rows have problems" in refused.output
    done = runner.invoke(args=["import", "reviews", str(path), "--only-valid"])
    assert done.exit_code == 0, done.output
    assert "Imported 3 past reviews as historical records (no reminders)." in done.output
    with app.app_context():
        historical = db.session.scalars(
            select(Review.reference).where(Review.partnership_id == partnership.id)
        ).all()
        assert sorted(historical) == ["LCSPR-2021-02", "SCR-2016-01", "SCR-2025-09"]


def test_register_headings_come_from_the_config(
    ctx: None, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partnership's own headings are configured, not coded: with "Case ref" and "Board
    name" added under [register_headers], a register using them maps; a field that is not
    a register field is refused naming it."""
    partnership = factories.partnership()
    shipped = (app.extensions["sgreviews.settings"].config_dir / "imports.toml").read_text()
    rows = [
        ["Case ref", "Type", "Subject", "Board name", "Started"],
        ["SCR-2017-03", "scr", "Child V", partnership.short_name, "01/02/2017"],
    ]
    assert register_import.preview("register.csv", _csv(rows)).problems  # not yet mapped

    config = tmp_path / "imports.toml"
    config.write_text(
        shipped.replace('reference = ["reference", "ref", "review reference", "ref no"]',
                        'reference = ["reference", "case ref"]')
        .replace('partnership = ["partnership", "board"]',
                 'partnership = ["partnership", "board", "board name"]')
    )  # fmt: skip
    monkeypatch.setitem(app.extensions, "sgreviews.import_config", load_config(config))
    result = register_import.preview("register.csv", _csv(rows))
    assert result.problems == []
    (row,) = result.rows
    assert row.valid, row.problems
    assert row.values["reference"] == "SCR-2017-03"
    assert row.partnership is not None and row.partnership.id == partnership.id

    config.write_text(shipped + "\n[register_headers.case_number]\n")
    with pytest.raises(ImportConfigError, match="register_headers"):
        load_config(config)
    config.write_text(shipped.replace("[register_headers]", "[register_headers]\nreviewer = []"))
    with pytest.raises(ImportConfigError, match=r"register_headers\.reviewer"):
        load_config(config)
