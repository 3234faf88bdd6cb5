"""Action plans out as spreadsheets, with the columns boards use (Ref, Outcome, Action,
Measure, Lead, Timescale, Risk, Progress/evidence, Status, RAG) plus the due dates as date
cells, agency, review, finding, lead subgroup, board sponsor and the action's id and version
(so an edited export re-imports as updates): the actions to download, their rows, and the
rows as CSV or XLSX. Every cell is made safe to open in a spreadsheet (no formulas): in XLSX
by its cell type, in CSV by a leading apostrophe."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, Finding
from sgreviews.services.actions.lists import ActionFilter, filter_conditions
from sgreviews.services.actions.rag import Rag, RagRules
from sgreviews.services.actions.timescales import describe
from sgreviews.services.tabular import spreadsheet_safe

BOARD_COLUMNS = [
    "Ref",
    "Outcome",
    "Action",
    "Measure",
    "Lead",
    "Timescale",
    "Risk",
    "Progress/evidence",
    "Status",
    "RAG",
]
# After the board's columns: a real date cell for the due date and the original due date
# (the Timescale column keeps the timescale as written, "March 2027"), then the columns a
# re-import needs to update the action in place (its id and optimistic-lock version).
EXTRA_COLUMNS = [
    "Due date",
    "Original due date",
    "Agency",
    "Review",
    "Finding",
    "Lead subgroup",
    "Board sponsor",
    "Action id",
    "Version",
]
WIDTHS = [16, 40, 50, 40, 24, 22, 24, 50, 20, 12, 14, 14, 30, 20, 30, 24, 24, 10, 10]
# Fills beside the RAG word (the word is always there: never colour alone).
RAG_FILLS = {
    Rag.RED: "F4CCCC",
    Rag.AMBER: "FCE5CD",
    Rag.GREEN: "D9EAD3",
    Rag.BLUE: "CFE2F3",
}


class RagLabel(str):
    """A RAG word that remembers its rating, so the XLSX can fill the cell."""

    rag: Rag

    def __new__(cls, text: str, rag: Rag) -> RagLabel:
        label = super().__new__(cls, text)
        label.rag = rag
        return label


Cell = str | int | date | None


def _progress_text(action: Action) -> str:
    parts = []
    if action.updates:
        latest = action.updates[-1]
        parts.append(f"{latest.created_at.strftime('%d/%m/%Y')}: {latest.note}")
    if action.current_evidence:
        parts.append("Evidence: " + ", ".join(file.file_name for file in action.current_evidence))
    return "\n".join(parts)


def _timescale(action: Action) -> str:
    """The timescale as written when the tracker gave one, else the day."""
    text = describe(action.original_due_date, action.due_precision, action.due_as_written)
    if action.due_date != action.original_due_date:
        text += f" (extended to {action.due_date.strftime('%d/%m/%Y')})"
    return text


def export_rows(actions: Sequence[Action], rag: dict[int, Rag], rules: RagRules) -> list[list[Any]]:
    rows: list[list[Any]] = [BOARD_COLUMNS + EXTRA_COLUMNS]
    for action in actions:
        rows.append(
            [
                action.reference,
                action.outcome_sought,
                action.action_text,
                action.measure_of_success,
                action.lead_display,
                _timescale(action),
                action.risk or "",
                _progress_text(action),
                action.status.label,
                RagLabel(rules.label(rag[action.id]), rag[action.id]),
                action.due_date,
                action.original_due_date,
                action.owning_agency.name,
                ", ".join(sorted({finding.review.reference for finding in action.findings})),
                "; ".join(finding.label for finding in action.findings),
                action.lead_subgroup or "",
                action.board_sponsor or "",
                action.id,
                action.version,
            ]
        )
    return rows


def _csv_cell(value: Any) -> str:
    """CSV has no cell types: dates as day/month/year, text starting like a formula gets
    the apostrophe a spreadsheet shows as a text marker."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    safe: str = spreadsheet_safe(str(value))
    return safe


def to_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    # A byte-order mark so Excel opens the UTF-8 correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet"


def to_xlsx(rows: list[list[Any]], title: str) -> bytes:
    """Typed cells: dates are date cells, numbers numbers, text text. A text cell that
    starts like a formula is stored as a string cell (never evaluated), with no visible
    apostrophe."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(title)
    for row_index, row in enumerate(rows, start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                cell.value = value.replace(tzinfo=None)
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, bool):
                cell.value = "Yes" if value else "No"
            elif isinstance(value, int | float):
                cell.value = value
            else:
                text = str(value)
                cell.value = text
                # The formula guard by cell type: a string cell is never a formula.
                cell.data_type = "s"
                if isinstance(value, RagLabel) and value.rag in RAG_FILLS:
                    colour = RAG_FILLS[value.rag]
                    cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS[: len(rows[0]) if rows else 0], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if rows and rows[0]:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{max(len(rows), 1)}"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def actions_for_export(
    review_id: int | None, agency_id: int | None, filters: ActionFilter | None = None
) -> list[Action]:
    """Actions for a download: one review's, one agency's, or those matching the Master
    Action Plan's filters (ordered as the plan's actions are, by due date), or all."""
    query = select(Action).options(
        joinedload(Action.owning_agency),
        joinedload(Action.lead_user),
        selectinload(Action.findings).joinedload(Finding.review),
        selectinload(Action.updates),
        selectinload(Action.evidence_files),
    )
    if review_id is not None:
        query = query.where(Action.findings.any(Finding.review_id == review_id))
    if agency_id is not None:
        query = query.where(Action.owning_agency_id == agency_id)
    if filters is not None:
        query = query.where(*filter_conditions(filters, london_today())).order_by(
            Action.due_date, Action.reference
        )
    else:
        query = query.order_by(Action.reference)
    return list(db.session.scalars(query).unique())
