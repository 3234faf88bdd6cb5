"""Action-plan exports, and importing a tracker: dry run lists every row's problems, and
nothing is written until confirmed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, AgencyFormerName, Role
from sgreviews.services.actions import spreadsheet_export, tracker_import
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.editing import FieldError
from tests import factories

HEADER = ["Ref", "Finding", "Outcome", "Action", "Measure", "Agency", "Lead", "Timescale", "Status"]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Action)) or 0


def _setup() -> tuple[object, object]:
    agency = factories.agency(name="Testshire Constabulary")
    review = factories.review(reference="SCR-2019-01", started_on=date(2019, 1, 1))
    factories.finding(review, text="Escalation was rare")
    return agency, review


def test_dry_run_lists_every_rows_problems_and_writes_nothing(ctx: None) -> None:
    _agency, review = _setup()
    before = _count()
    rows = tracker_import.read_table(
        "tracker.csv",
        _csv(
            [
                HEADER,
                [
                    "T-1",
                    "1",
                    "Escalate",
                    "Relaunch procedure",
                    "Survey",
                    "Testshire Constabulary",
                    "",
                    "31/12/2026",
                    "In progress",
                ],
                ["T-2", "1", "Escalate", "", "Survey", "Nowhere Agency", "", "31/13/2026", ""],
                [
                    "T-3",
                    "New finding text",
                    "x",
                    "Train staff",
                    "y",
                    "testshire constabulary",
                    "",
                    "2018-01-01",
                    "Assured",
                ],
            ]
        ),
    )
    result = tracker_import.preview(rows, None, review)  # type: ignore[arg-type]
    assert [row.valid for row in result.rows] == [True, False, False]
    second, third = result.rows[1], result.rows[2]
    assert "Missing action text" in second.problems
    assert "Unknown agency: Nowhere Agency" in second.problems
    assert any(
        problem.startswith("Timescale not understood: 31/13/2026") for problem in second.problems
    )
    assert any("before the review started" in problem for problem in third.problems)
    assert any("cannot be imported" in problem for problem in third.problems)
    assert _count() == before
    with pytest.raises(FieldError, match="2 rows have problems"):
        tracker_import.apply(result, None, only_valid=False)
    created = tracker_import.apply(result, None, only_valid=True)
    assert [action.reference for action in created] == ["T-1"]
    assert created[0].status is ActionStatus.IN_PROGRESS
    assert created[0].updates[0].note.startswith("Imported from a tracker")
    assert _count() == before + 1


def test_xlsx_import_with_mapping_and_former_agency_name(ctx: None) -> None:
    agency, review = _setup()
    db.session.add(
        AgencyFormerName(agency=agency, name="Old Testshire CCG", used_until=date(2022, 6, 30))
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Number", "What", "Who owns it", "By when"])
    sheet.append(["X-9", "Audit strategy discussions", "Old Testshire CCG", date(2026, 5, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = tracker_import.read_table("tracker.xlsx", buffer.getvalue())
    guessed = tracker_import.preview(rows, None, review)  # type: ignore[arg-type]
    assert guessed.problems  # the odd headers are not recognised
    mapping = {name: None for name in tracker_import.IMPORT_FIELDS}
    mapping.update(reference=0, action_text=1, agency=2, due_date=3)
    result = tracker_import.preview(rows, mapping, review)  # type: ignore[arg-type]
    assert not result.problems and result.rows[0].valid
    (created,) = tracker_import.apply(result, None, only_valid=False)
    assert created.owning_agency_id == agency.id  # type: ignore[attr-defined]
    assert created.due_date == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tracker.xlsx", b"not a zip at all", "could not be read as an Excel"),
        ("tracker.pdf", b"%PDF", "must be an Excel workbook"),
        ("tracker.csv", b"", "empty"),
        ("tracker.csv", b"Ref,Action\n", "no actions"),
    ],
)
def test_malformed_files_get_a_clear_message(name: str, data: bytes, message: str) -> None:
    with pytest.raises(tracker_import.SpreadsheetError, match=message):
        tracker_import.read_table(name, data)


def test_export_has_the_board_columns_and_neutralises_formulas(ctx: None) -> None:
    agency = factories.agency()
    # Due well beyond the amber window (20 working days): the factory's default of 30
    # calendar days falls inside it when bank holidays intervene (December).
    action = factories.action(
        agency,
        action_text='=HYPERLINK("http://x")',
        risk="Low",
        due_date=london_today() + timedelta(days=120),
    )
    actions = spreadsheet_export.actions_for_export(None, agency.id)
    rules = current_rules()
    from sgreviews.services.actions.lists import ratings

    rows = spreadsheet_export.export_rows(actions, ratings(actions, london_today(), rules), rules)
    assert rows[0][:10] == spreadsheet_export.BOARD_COLUMNS
    assert rows[1][0] == action.reference
    text = spreadsheet_export.to_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    workbook = load_workbook(io.BytesIO(spreadsheet_export.to_xlsx(rows, "Plan")))
    sheet = workbook.active
    assert sheet is not None
    assert sheet["A1"].value == "Ref" and sheet["J1"].value == "RAG"
    # The formula guard by cell type: a string cell, no visible apostrophe.
    assert sheet["C2"].value == '=HYPERLINK("http://x")' and sheet["C2"].data_type == "s"
    assert sheet["J2"].value.startswith("Green")  # type: ignore[union-attr]
    assert sheet["J2"].fill.fgColor.rgb.endswith("D9EAD3")
    assert sheet["K1"].value == "Due date" and sheet["K2"].is_date
    assert sheet["K2"].value.date() == action.due_date  # type: ignore[union-attr]
    assert sheet["R1"].value == "Action id" and sheet["R2"].value == action.id
    assert sheet.auto_filter.ref == "A1:S2" and sheet.freeze_panes == "A2"


def test_cli_import_dry_run_then_import(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        factories.user(Role.SECRETARIAT)
        _setup()
        db.session.commit()
        before = _count()
    path = tmp_path / "tracker.csv"
    path.write_bytes(
        _csv(
            [
                HEADER,
                [
                    "C-1",
                    "1",
                    "o",
                    "Relaunch procedure",
                    "m",
                    "Testshire Constabulary",
                    "",
                    "31/12/2026",
                    "",
                ],
                ["C-2", "1", "o", "", "m", "Unknown Agency", "", "someday", ""],
            ]
        )
    )
    result = app.test_cli_runner().invoke(
        args=["import", "actions", str(path), "--dry-run", "--review", "SCR-2019-01"]
    )
    assert (
        "Row 3: rejected: Missing action text; Unknown agency: Unknown Agency; "
        "Timescale not understood: someday"
    ) in result.output
    assert "Dry run: nothing was written." in result.output
    assert result.exit_code == 1
    with app.app_context():
        assert _count() == before
    result = app.test_cli_runner().invoke(
        args=["import", "actions", str(path), "--review", "SCR-2019-01"]
    )
    assert "Nothing imported: 1 rows have problems" in result.output
    result = app.test_cli_runner().invoke(
        args=["import", "actions", str(path), "--review", "SCR-2019-01", "--only-valid"]
    )
    assert "Imported 1 new actions, updated 0, 0 unchanged." in result.output, result.output
    with app.app_context():
        assert _count() == before + 1
