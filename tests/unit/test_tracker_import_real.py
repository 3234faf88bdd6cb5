"""Trackers shaped like real partnership business plans (fictional content, written here):
a title row above the header, the plan's own headings ("Ref. no.", "To achieve this, we
will:", "Who will lead?"), priority banner rows, blank rows, timescales as months and
quarters, agency abbreviations and RAG words. The same plan as XLSX, CSV and a Word
table must give the same outcome for every row."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, AuditEvent, Finding, Role
from sgreviews.services.actions import spreadsheet_export, tracker_import
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.lists import ratings
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.actions.timescales import add_months
from sgreviews.services.editing import FieldError
from tests import factories

TITLE = ["Testshire Safeguarding Children Partnership - Business Plan 2026/27"]
HEADER = [
    "Ref. no.",
    "In 2015/6 we want to achieve:",
    "To achieve this, we will:",
    "To evidence this, we will measure:",
    "Who will lead?",
    "Agency",
    "Timescale",
    "Risk",
    "Status",
    "Progress",
]


def _plan() -> list[list[str]]:
    """The plan as a sheet shows it, blank rows included (sheet rows 1..14)."""
    return [
        TITLE,  # 1
        [],  # 2
        HEADER,  # 3
        ["Priority 1: Neglect"],  # 4: a banner
        [
            "BP-1",
            "Earlier help",
            "Relaunch the neglect toolkit",
            "Audit",
            "A. Lead",
            "CSC",
            "March 2027",
            "Low",
            "Amber",
            "Drafted",
        ],  # 5
        [
            "BP-2",
            "",
            "Train GPs on neglect",
            "Attendance",
            "B. Lead",
            "ICB",
            "Q3 2026/27",
            "",
            "Complete",
            "All sessions held",
        ],  # 6
        [],  # 7
        ["Priority 2: Exploitation"],  # 8: a banner
        [
            "BP-3",
            "Safer children",
            "Run the exploitation panel",
            "Minutes",
            "C. Lead",
            "Testshire Constabulary",
            "Ongoing",
            "",
            "Green",
            "",
        ],  # 9
        [
            "BP-4",
            "Safer children",
            "Publish the exploitation strategy",
            "Strategy",
            "D. Lead",
            "CCG",
            "31st March 2027",
            "",
            "Not started",
            "",
        ],  # 10
        [
            "BP-5",
            "Safer children",
            "Review the strategy",
            "Review",
            "E. Lead",
            "CSC",
            "June 2027 / March 2028",
            "",
            "",
            "",
        ],  # 11
        [
            "BP-6",
            "Safer children",
            "",
            "x",
            "",
            "Nowhere Trust",
            "someday",
            "",
            "Purple",
            "",
        ],  # 12: rejected
        [],  # 13
        [
            "BP-7",
            "Safer children",
            "Annual audit of return interviews",
            "Audit",
            "F. Lead",
            "CSC",
            "Annually",
            "",
            "",
            "",
        ],  # 14
    ]


EXPECTED = {
    5: ("create", date(2027, 3, 31), "month"),
    6: ("create", date(2026, 12, 31), "quarter"),
    9: ("create", add_months(london_today(), 3), "ongoing"),
    10: ("create", date(2027, 3, 31), "day"),
    11: ("create", date(2028, 3, 31), "month"),
    12: ("rejected", None, None),
    14: ("create", add_months(london_today(), 12), "annual"),
}


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _docx(rows: list[list[str]]) -> bytes:
    """A Word plan: a heading paragraph, then one table whose first row is the header;
    banners are rows merged across the table."""
    document = docx.Document()
    document.add_paragraph(TITLE[0])
    body = [row for row in rows[2:] if row]  # Word tables have no blank rows
    table = document.add_table(rows=len(body), cols=len(HEADER))
    for index, row in enumerate(body):
        cells = table.rows[index].cells
        if len(row) == 1:
            merged = cells[0].merge(cells[-1])
            merged.text = row[0]
            continue
        for column, value in enumerate(row):
            cells[column].text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _world() -> object:
    factories.agency(name="Children's Social Care")
    factories.agency(name="Integrated Care Board")
    factories.agency(name="Testshire Constabulary")
    review = factories.review(reference="BP-2026", started_on=date(2026, 4, 1))
    factories.finding(review, text="Priority 1: Neglect", position=1)
    return review


def _outcomes(result: tracker_import.ImportPreview) -> dict[int, tuple[str, object, object]]:
    return {row.number: (row.outcome, row.due_date, row.due_precision) for row in result.rows}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_real_plan_every_row_outcome(ctx: None, kind: str) -> None:
    review = _world()
    data = _xlsx(_plan()) if kind == "xlsx" else _csv(_plan())
    sheet = tracker_import.read_sheet(f"plan.{kind}", data)
    assert sheet.header_number == 3  # the title row skipped
    result = tracker_import.preview(sheet, None, review)  # type: ignore[arg-type]
    assert not result.problems
    assert result.banners == [(4, "Priority 1: Neglect"), (8, "Priority 2: Exploitation")]
    assert _outcomes(result) == EXPECTED
    rejected = next(row for row in result.rows if row.number == 12)
    assert rejected.problems == [
        "Missing action text",
        "Unknown agency: Nowhere Trust",
        rejected.problems[2],
        "Status 'Purple' cannot be imported (use not started, in progress or completed, "
        "or a RAG word)",
    ]
    assert rejected.problems[2].startswith("Timescale not understood: someday")
    by_number = {row.number: row for row in result.rows}
    assert by_number[5].agency.name == "Children's Social Care"  # type: ignore[union-attr]
    assert by_number[6].agency.name == "Integrated Care Board"  # type: ignore[union-attr]
    assert by_number[10].agency.name == "Integrated Care Board"  # type: ignore[union-attr]
    assert by_number[5].status is ActionStatus.IN_PROGRESS  # "Amber"
    assert by_number[6].status is ActionStatus.IN_PROGRESS  # "Complete": no evidence
    assert by_number[11].due_as_written == "June 2027 / March 2028"
    # Rejected rows out with their sheet row numbers and reasons.
    out = tracker_import.rejected_rows(result)
    assert out[0][:3] == ["Sheet row", "Problems", "Ref. no."]
    assert [line[0] for line in out[1:]] == ["12"]


def test_word_plan_gives_the_same_outcomes(ctx: None) -> None:
    review = _world()
    sheet = tracker_import.read_sheet("plan.docx", _docx(_plan()))
    result = tracker_import.preview(sheet, None, review)  # type: ignore[arg-type]
    assert not result.problems
    assert [label for _, label in result.banners] == [
        "Priority 1: Neglect",
        "Priority 2: Exploitation",
    ]
    # Word rows are numbered as the table's rows (header = 1).
    outcomes = [(row.values["reference"], row.outcome) for row in result.rows]
    assert outcomes == [
        ("BP-1", "create"),
        ("BP-2", "create"),
        ("BP-3", "create"),
        ("BP-4", "create"),
        ("BP-5", "create"),
        ("BP-6", "rejected"),
        ("BP-7", "create"),
    ]
    assert [row.due_date for row in result.rows if row.valid] == [
        expected[1] for expected in EXPECTED.values() if expected[0] == "create"
    ]


def test_apply_keeps_precision_groups_and_never_invents_evidence(ctx: None) -> None:
    review = _world()
    before = db.session.scalar(select(func.count()).select_from(Finding))
    result = tracker_import.preview(
        tracker_import.read_sheet("plan.xlsx", _xlsx(_plan())),
        None,
        review,  # type: ignore[arg-type]
    )
    applied = tracker_import.apply(result, None, only_valid=True)
    assert len(applied.created) == 6
    actions = {action.reference: action for action in applied.created}
    march = actions["BP-1"]
    assert (march.due_date, march.due_precision, march.due_as_written) == (
        date(2027, 3, 31),
        "month",
        "March 2027",
    )
    # The banner names the finding: "Priority 1: Neglect" is the existing one; the second
    # banner becomes a new finding once, shared by its rows.
    assert march.findings[0].position == 1
    assert actions["BP-3"].findings == actions["BP-4"].findings
    assert db.session.scalar(select(func.count()).select_from(Finding)) == (before or 0) + 1
    assert actions["BP-2"].outcome_sought == "Priority 1: Neglect"  # from the banner
    complete = actions["BP-2"]
    assert complete.status is ActionStatus.IN_PROGRESS
    assert "evidence to follow" in complete.updates[0].note
    # Not assurable: only "completed with evidence" can be, and reaching it from here
    # needs a progress update with evidence attached.
    chair = factories.user(Role.CHAIR)
    with pytest.raises(FieldError, match="completed with evidence can be assured"):
        action_service.assure(actor=chair, action=complete, note="ok")
    with pytest.raises(FieldError, match="Attach evidence"):
        action_service.record_progress(
            actor=chair, action=complete, status=ActionStatus.COMPLETED, note="Done"
        )


def test_finding_text_is_matched_tolerantly(ctx: None) -> None:
    review = factories.review()
    finding = factories.finding(review, text="Escalation between agencies was rare.", position=1)
    other = factories.finding(review, text="Supervision was missed", position=2)
    findings = [finding, other]
    assert tracker_import.match_finding("escalation between agencies was rare", findings) == (
        finding,
        "",
    )
    match, note = tracker_import.match_finding("Escalation between agency was rare", findings)
    assert match is finding and "alike" in note
    assert tracker_import.match_finding("Something else entirely", findings) == (None, "")
    assert tracker_import.match_finding("2", findings) == (other, "")


def test_round_trip_updates_in_place(ctx: None) -> None:
    agency = factories.agency(name="Testshire Constabulary")
    first = factories.action(agency, action_text="Relaunch the procedure", risk="Low")
    second = factories.action(agency, action_text="Audit the files")
    third = factories.action(agency, action_text="Brief the board")
    db.session.flush()
    actions = spreadsheet_export.actions_for_export(None, agency.id)
    rules = current_rules()
    rows = spreadsheet_export.export_rows(actions, ratings(actions, london_today(), rules), rules)
    workbook = load_workbook(io.BytesIO(spreadsheet_export.to_xlsx(rows, "Action plan")))
    sheet = workbook.active
    assert sheet is not None
    headers = [cell.value for cell in sheet[1]]
    column = {name: headers.index(name) + 1 for name in headers}
    assert sheet.cell(row=2, column=column["Due date"]).is_date  # openpyxl sees date cells
    by_id = {sheet.cell(row=r, column=column["Action id"]).value: r for r in (2, 3, 4)}
    sheet.cell(row=by_id[first.id], column=column["Action"], value="Relaunch it, revised")
    sheet.cell(row=by_id[second.id], column=column["Due date"], value=date(2027, 6, 30))
    # A status is changed by recording progress, not by a spreadsheet: the preview says so.
    sheet.cell(row=by_id[third.id], column=column["Status"], value="Completed")
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = db.session.scalar(select(func.count()).select_from(Action))
    result = tracker_import.preview(tracker_import.read_sheet("edited.xlsx", buffer.getvalue()))
    assert not result.problems, result.problems
    assert {row.values["action_id"]: row.outcome for row in result.rows} == {
        str(first.id): "update",
        str(second.id): "update",
        str(third.id): "unchanged",
    }
    assert set(next(r for r in result.rows if r.existing is first).changes) == {"action_text"}
    notes = {row.values["action_id"]: row.notes for row in result.rows}
    assert notes[str(first.id)] == [] and notes[str(second.id)] == []
    assert len(notes[str(third.id)]) == 1
    assert "'Completed' not imported" in notes[str(third.id)][0]
    assert "record progress on the action" in notes[str(third.id)][0]
    version = first.version
    applied = tracker_import.apply(result, None, only_valid=False)
    assert (len(applied.created), len(applied.updated), applied.unchanged) == (0, 2, 1)
    assert db.session.scalar(select(func.count()).select_from(Action)) == before
    assert first.action_text == "Relaunch it, revised" and first.risk == "Low"
    assert first.version == version + 1
    assert second.due_date == date(2027, 6, 30)
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.event == "import-update", AuditEvent.entity_id == first.id
        )
    ).all()
    assert [event.after for event in events] == [{"action_text": "Relaunch it, revised"}]
    # The same file again: the versions moved on, so it is refused row by row.
    stale = tracker_import.preview(tracker_import.read_sheet("edited.xlsx", buffer.getvalue()))
    refused = {row.values["action_id"]: row.problems for row in stale.rows}
    assert "changed in the app after this export" in refused[str(first.id)][0]
    assert refused[str(third.id)] == []


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(tracker_import.MAX_UNZIPPED_BYTES // len(block) + 1):
            member.write(block)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("plan.docx", lambda: b"not a word file", "could not be read as a Word document"),
        ("plan.odt", lambda: b"x", "must be an Excel workbook"),
        ("plan.xlsx", _zip_bomb, "zip bomb"),
        (
            "plan.csv",
            lambda: _csv([["Action", "Agency", "Timescale"]] + [["a", "b", "c"]] * 50_000),
            "more than 5000 rows",
        ),
        ("plan.docx", lambda: _docx_without_table(), "no table"),
    ],
)
def test_bad_files_get_a_clear_message(ctx: None, name: str, make: object, message: str) -> None:
    data = make()  # type: ignore[operator]
    with pytest.raises(tracker_import.SpreadsheetError, match=message):
        tracker_import.read_sheet(name, data)


def _docx_without_table() -> bytes:
    document = docx.Document()
    document.add_paragraph("Just words")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_no_recognisable_header_writes_nothing(ctx: None) -> None:
    review = factories.review()
    sheet = tracker_import.read_sheet("odd.csv", _csv([["Alpha", "Beta"], ["1", "2"]]))
    result = tracker_import.preview(sheet, None, review)
    assert result.problems[0].startswith("No recognisable header row")
    with pytest.raises(FieldError, match="No recognisable header row"):
        tracker_import.apply(result, None, only_valid=True)


def test_cli_maps_columns_and_summarises(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        _world()
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Action))
    plan = [
        ["Objective", "Deed", "Owner", "When"],
        ["Earlier help", "Relaunch the neglect toolkit", "CSC", "Q4 2026/27"],
        ["Earlier help", "Audit the neglect toolkit", "CSC", "May 2027"],
    ]
    path = tmp_path / "plan.csv"
    path.write_bytes(_csv(plan))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["import", "actions", str(path), "--map", "Deed=nonsense"])
    assert refused.exit_code == 2 and "'nonsense' is not a field" in refused.output
    args = [
        "import",
        "actions",
        str(path),
        "--review",
        "BP-2026",
        "--map",
        "Deed=action_text",
        "--map",
        "When=due_date",
        "--map",
        "Objective=outcome_sought",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Row 2: create" in result.output and "Row 3: create" in result.output
    assert "Imported 2 new actions, updated 0, 0 unchanged." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Action)) == (before or 0) + 2
        made = db.session.scalar(select(Action).where(Action.action_text.like("Relaunch%")))
        assert made is not None and made.due_date == date(2027, 3, 31)
        assert made.due_precision == "quarter" and made.due_as_written == "Q4 2026/27"


def test_a_corrected_due_date_drops_the_timescale_as_written(ctx: None) -> None:
    review = _world()
    result = tracker_import.preview(
        tracker_import.read_sheet("plan.xlsx", _xlsx(_plan())),
        None,
        review,  # type: ignore[arg-type]
    )
    actions = {a.reference: a for a in tracker_import.apply(result, None, only_valid=True)}
    assert actions["BP-5"].due_as_written == "June 2027 / March 2028"  # several dates kept
    assert actions["BP-4"].due_as_written is None  # a plain day needs no "as written"
    march = actions["BP-1"]
    action_service.update_action(
        actor=factories.user(Role.SECRETARIAT),
        action=march,
        expected_version=march.version,
        fields=action_service.ActionFields(
            outcome_sought=march.outcome_sought,
            action_text=march.action_text,
            measure_of_success=march.measure_of_success,
            owning_agency_id=march.owning_agency_id,
            due_date=date(2027, 3, 15),
        ),
    )
    assert march.due_date == date(2027, 3, 15)
    assert (march.due_precision, march.due_as_written) == (None, None)


def test_a_trackers_date_added_enters_history(ctx: None) -> None:
    """A tracker's "Date added" column is the day each action joined the plan (issue 18:
    history can be entered), so a past year's figures count it; a month, a future day or
    a day before the review began is refused on its row, and a blank one means today."""
    factories.agency(name="Testshire Constabulary")
    review = factories.review(reference="HP-2021", started_on=date(2021, 5, 4))
    factories.finding(review, text="Learning", position=1)
    tomorrow = london_today().toordinal() + 1
    rows = [
        ["Ref", "Action", "Agency", "Timescale", "Date added"],
        ["HP-1", "Relaunch the procedure", "Testshire Constabulary", "March 2022", "15/11/2021"],
        ["HP-2", "Audit the files", "Testshire Constabulary", "March 2022", "November 2021"],
        ["HP-3", "Brief the board", "Testshire Constabulary", "March 2022",
         date.fromordinal(tomorrow).strftime("%d/%m/%Y")],
        ["HP-4", "Train the teams", "Testshire Constabulary", "March 2022", "01/01/2021"],
        ["HP-5", "Write the guide", "Testshire Constabulary", "March 2022", ""],
    ]  # fmt: skip
    result = tracker_import.preview(
        tracker_import.read_sheet("plan.csv", _csv(rows)),
        None,
        review,
    )
    problems = {row.values["reference"]: row.problems for row in result.rows}
    assert problems["HP-1"] == [] and problems["HP-5"] == []
    assert problems["HP-2"] == ["Date added must be one day: November 2021"]
    assert problems["HP-3"][0].endswith("is in the future")
    assert problems["HP-4"] == ["Date added 01/01/2021 is before the review started"]
    applied = tracker_import.apply(result, None, only_valid=True)
    added = {action.reference: action.added_on for action in applied.created}
    assert added == {"HP-1": date(2021, 11, 15), "HP-5": london_today()}
