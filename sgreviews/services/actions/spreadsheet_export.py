"""Action plans out as spreadsheets, with the columns boards use (Ref, Outcome, Action,
Measure, Lead, Timescale, Risk, Progress/evidence, Status, RAG) plus agency, review and
finding: the actions to download, their rows, and the rows as CSV or XLSX. Every cell is
made safe to open in a spreadsheet (no formulas)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, Finding
from sgreviews.services.actions.lists import ActionFilter, filter_conditions
from sgreviews.services.actions.rag import Rag, RagRules
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
EXTRA_COLUMNS = ["Agency", "Review", "Finding"]


def _progress_text(action: Action) -> str:
    parts = []
    if action.updates:
        latest = action.updates[-1]
        parts.append(f"{latest.created_at.strftime('%d/%m/%Y')}: {latest.note}")
    if action.current_evidence:
        parts.append("Evidence: " + ", ".join(file.file_name for file in action.current_evidence))
    return "\n".join(parts)


def export_rows(actions: Sequence[Action], rag: dict[int, Rag], rules: RagRules) -> list[list[str]]:
    rows = [BOARD_COLUMNS + EXTRA_COLUMNS]
    for action in actions:
        timescale = action.due_date.strftime("%d/%m/%Y")
        if action.due_date != action.original_due_date:
            timescale += f" (extended from {action.original_due_date.strftime('%d/%m/%Y')})"
        rows.append(
            [
                action.reference,
                action.outcome_sought,
                action.action_text,
                action.measure_of_success,
                action.lead_display,
                timescale,
                action.risk or "",
                _progress_text(action),
                action.status.label,
                rules.label(rag[action.id]),
                action.owning_agency.name,
                ", ".join(sorted({finding.review.reference for finding in action.findings})),
                "; ".join(finding.label for finding in action.findings),
            ]
        )
    return rows


def _safe_cell(value: str) -> str:
    safe: str = spreadsheet_safe(value)
    return safe


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    # A byte-order mark so Excel opens the UTF-8 correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[str]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Action plan"
    for row in rows:
        sheet.append([_safe_cell(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [16, 40, 50, 40, 24, 18, 24, 50, 20, 24, 30, 20, 30]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
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
