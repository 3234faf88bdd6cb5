"""Importing an existing action tracker (XLSX or CSV), with column mapping and a dry run.

Import is two steps: ``preview`` reads the file and checks every row without writing;
``apply`` writes the rows the person confirmed (all of them when all are valid, or only
the valid ones). Nothing is written by a preview. ``import_file_command`` is the same
for the ``sgreviews import actions`` command.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    AgencyFormerName,
    Finding,
    FindingKind,
    Review,
    UpdateKind,
    User,
)
from sgreviews.services import audit
from sgreviews.services.actions import writes as action_service
from sgreviews.services.editing import FieldError


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


# The fields an imported row can fill, with the header names trackers commonly use.
IMPORT_FIELDS: dict[str, tuple[str, list[str]]] = {
    "reference": ("Ref", ["ref", "reference", "no", "number", "action ref"]),
    "review": ("Review reference", ["review", "review reference", "review ref", "case"]),
    "finding": (
        "Finding (number or text)",
        ["finding", "learning point", "recommendation", "finding number"],
    ),
    "outcome_sought": ("Outcome", ["outcome", "outcome we want", "outcome sought"]),
    "action_text": ("Action", ["action", "action we will take", "actions"]),
    "measure_of_success": (
        "Measure",
        ["measure", "how we will measure it", "measure of success", "success measure"],
    ),
    "agency": ("Agency", ["agency", "owner", "owning agency", "lead agency", "organisation"]),
    "lead": ("Lead", ["lead", "who will lead", "named lead", "lead officer"]),
    "due_date": ("Timescale (due date)", ["timescale", "due", "due date", "deadline", "by when"]),
    "risk": ("Risk", ["risk"]),
    "status": ("Status", ["status"]),
    "progress": ("Progress/evidence", ["progress", "progress/evidence", "progress / evidence"]),
}
REQUIRED_FIELDS = ("action_text", "agency", "due_date")

STATUS_WORDS = {
    "not started": ActionStatus.NOT_STARTED,
    "in progress": ActionStatus.IN_PROGRESS,
    "ongoing": ActionStatus.IN_PROGRESS,
    "completed": ActionStatus.COMPLETED,
    "complete": ActionStatus.COMPLETED,
    "completed with evidence": ActionStatus.COMPLETED,
    "assured": ActionStatus.ASSURED,
    "closed, not implemented": ActionStatus.CLOSED_NOT_IMPLEMENTED,
    "closed not implemented": ActionStatus.CLOSED_NOT_IMPLEMENTED,
    "superseded": ActionStatus.SUPERSEDED,
}
# Imported statuses the import may set directly; assurance is the subgroup's own act.
IMPORTABLE_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of cell text from an XLSX or CSV file (first sheet); empty rows dropped."""
    name = filename.lower()
    rows: list[list[str]] = []
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a broken file
            raise SpreadsheetError(
                "The file could not be read as an Excel workbook (XLSX)"
            ) from error
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
        workbook.close()
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        if "\x00" in text:
            raise SpreadsheetError("The file is not a CSV text file")
        rows = [list(row) for row in csv.reader(io.StringIO(text))]
    else:
        raise SpreadsheetError("The file must be an Excel workbook (.xlsx) or a CSV file (.csv)")
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SpreadsheetError("The file is empty")
    if len(rows) < 2:
        raise SpreadsheetError("The file has a header row but no actions")
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normalise(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().lower().replace("_", " "))


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """Field -> column index, guessed from the header names."""
    normalised = [_normalise(header) for header in headers]
    mapping: dict[str, int | None] = {}
    for field_name, (_label, synonyms) in IMPORT_FIELDS.items():
        mapping[field_name] = next(
            (index for index, header in enumerate(normalised) if header in synonyms), None
        )
    return mapping


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern in DATE_FORMATS:
        try:
            # A calendar date: no time of day, so no time zone to lose.
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


@dataclass
class ImportRow:
    number: int  # the spreadsheet row number, header = 1
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    review: Review | None = None
    agency: Agency | None = None
    due_date: date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    lead_user: User | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class ImportPreview:
    headers: list[str]
    mapping: dict[str, int | None]
    rows: list[ImportRow]
    problems: list[str] = field(default_factory=list)  # about the file or mapping

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.valid]


def _agency_lookup() -> dict[str, Agency]:
    """Agencies by lower-case current and former name: a tracker from before a rename
    still finds the agency."""
    lookup = {agency.name.lower(): agency for agency in db.session.scalars(select(Agency))}
    for former in db.session.scalars(select(AgencyFormerName)):
        lookup.setdefault(former.name.lower(), former.agency)
    return lookup


def preview(
    rows: list[list[str]],
    mapping: dict[str, int | None] | None = None,
    default_review: Review | None = None,
) -> ImportPreview:
    """Check every row; write nothing."""
    headers = rows[0]
    mapping = mapping or guess_mapping(headers)
    result = ImportPreview(headers=headers, mapping=mapping, rows=[])
    for required in REQUIRED_FIELDS:
        if mapping.get(required) is None:
            result.problems.append(
                f"No column is mapped to {IMPORT_FIELDS[required][0]}; choose one below"
            )
    if mapping.get("review") is None and default_review is None:
        result.problems.append("Choose the review the actions belong to, or map a Review column")
    agencies = _agency_lookup()
    reviews = {
        review.reference.lower(): review
        for review in db.session.scalars(select(Review).options(selectinload(Review.findings)))
    }
    users = {user.display_name.lower(): user for user in db.session.scalars(select(User))}
    existing_refs = set(db.session.scalars(select(Action.reference)))
    seen_refs: set[str] = set()
    for offset, raw in enumerate(rows[1:], start=2):
        values = {
            name: (raw[index].strip() if index is not None and index < len(raw) else "")
            for name, index in mapping.items()
        }
        row = ImportRow(number=offset, values=values)
        if not values.get("action_text"):
            row.problems.append("Missing action text")
        agency_name = values.get("agency", "")
        if not agency_name:
            row.problems.append("Missing agency")
        else:
            row.agency = agencies.get(agency_name.lower())
            if row.agency is None:
                row.problems.append(f"Unknown agency: {agency_name}")
        due_text = values.get("due_date", "")
        if not due_text:
            row.problems.append("Missing due date")
        else:
            row.due_date = parse_date(due_text)
            if row.due_date is None:
                row.problems.append(f"Bad date: {due_text} (use day/month/year)")
        review_ref = values.get("review", "")
        row.review = reviews.get(review_ref.lower()) if review_ref else default_review
        if review_ref and row.review is None:
            row.problems.append(f"Unknown review: {review_ref}")
        elif row.review is None:
            row.problems.append("No review for this row")
        if (
            row.review is not None
            and row.due_date is not None
            and row.due_date < row.review.started_on
        ):
            row.problems.append(
                f"Due date {row.due_date.strftime('%d/%m/%Y')} is before the review started"
            )
        if not values.get("finding") and row.review is not None and not row.review.findings:
            row.problems.append("Missing finding: the review has no findings to link to")
        status_text = values.get("status", "").lower()
        if status_text:
            status = STATUS_WORDS.get(status_text)
            if status is None or status not in IMPORTABLE_STATUSES:
                row.problems.append(
                    f"Status {values['status']!r} cannot be imported "
                    "(use not started, in progress or completed)"
                )
            else:
                row.status = status
        reference = values.get("reference", "")
        if reference:
            if reference in existing_refs:
                row.problems.append(f"An action with the reference {reference} already exists")
            elif reference in seen_refs:
                row.problems.append(f"The reference {reference} appears twice in the file")
            seen_refs.add(reference)
            if len(reference) > 40:
                row.problems.append("The reference is longer than 40 characters")
        lead = values.get("lead", "")
        if lead and row.agency is not None:
            user = users.get(lead.lower())
            if user is not None and user.agency_id == row.agency.id:
                row.lead_user = user
        result.rows.append(row)
    return result


def _finding_for(row: ImportRow, actor: User | None) -> Finding:
    assert row.review is not None
    text = row.values.get("finding", "")
    findings = list(row.review.findings)
    if text.isdigit():
        match = next((f for f in findings if f.position == int(text)), None)
        if match is not None:
            return match
    if text:
        match = next((f for f in findings if f.text.strip().lower() == text.lower()), None)
        if match is not None:
            return match
        position = (
            db.session.scalar(
                select(func.max(Finding.position)).where(Finding.review_id == row.review.id)
            )
            or 0
        ) + 1
        finding = Finding(
            review=row.review, position=position, kind=FindingKind.RECOMMENDATION, text=text
        )
        db.session.add(finding)
        db.session.flush()
        audit.record(actor, "finding", finding.id, "import", after={"text": text})
        return finding
    return findings[0]


def apply(preview_result: ImportPreview, actor: User | None, *, only_valid: bool) -> list[Action]:
    """Write the rows. Refuses when any row is invalid unless ``only_valid``."""
    if preview_result.problems:
        raise FieldError("file", preview_result.problems[0])
    if preview_result.invalid_rows and not only_valid:
        raise FieldError(
            "file",
            f"{len(preview_result.invalid_rows)} rows have problems; fix the file or import "
            "only the valid rows",
        )
    created = []
    for row in preview_result.valid_rows:
        assert row.agency is not None and row.due_date is not None
        finding = _finding_for(row, actor)
        action = action_service.create_action(
            actor=actor,
            findings=[finding],
            reference=row.values.get("reference") or None,
            fields=action_service.ActionFields(
                outcome_sought=row.values.get("outcome_sought") or "Not recorded in the tracker",
                action_text=row.values["action_text"],
                measure_of_success=row.values.get("measure_of_success")
                or "Not recorded in the tracker",
                owning_agency_id=row.agency.id,
                due_date=row.due_date,
                lead_user_id=row.lead_user.id if row.lead_user else None,
                lead_name=None if row.lead_user else (row.values.get("lead") or None),
                risk=row.values.get("risk") or None,
            ),
        )
        progress = row.values.get("progress", "")
        if row.status is not ActionStatus.NOT_STARTED or progress:
            # Imported progress is recorded as an update so the history shows its origin.
            previous = action.status
            action.status = row.status
            db.session.add(
                ActionUpdate(
                    action=action,
                    author_id=actor.id if actor else None,
                    status=row.status,
                    previous_status=previous,
                    note=f"Imported from a tracker. {progress}".strip(),
                    kind=UpdateKind.PROGRESS,
                )
            )
            db.session.flush()
        created.append(action)
    return created


def import_file_command(
    path: str,
    *,
    dry_run: bool,
    review_reference: str | None,
    only_valid: bool,
    echo: Callable[[str], None],
) -> int:
    """The ``sgreviews import actions`` command: the same checks as the web import.
    Returns the exit code (0 imported or all valid, 1 problems found, 2 unreadable)."""
    file_path = Path(path)
    try:
        rows = read_table(file_path.name, file_path.read_bytes())
    except SpreadsheetError as error:
        echo(f"Cannot import {file_path.name}: {error}")
        return 2
    review = None
    if review_reference:
        review = db.session.scalar(select(Review).where(Review.reference == review_reference))
        if review is None:
            echo(f"No review has the reference {review_reference}")
            return 2
    result = preview(rows, None, review)
    for problem in result.problems:
        echo(f"File: {problem}")
    for row in result.rows:
        state = "ok" if row.valid else "; ".join(row.problems)
        echo(f"Row {row.number}: {state}")
    echo(f"{len(result.valid_rows)} rows valid, {len(result.invalid_rows)} with problems.")
    if dry_run:
        echo("Dry run: nothing was written.")
        return 0 if not result.problems and not result.invalid_rows else 1
    try:
        created = apply(result, None, only_valid=only_valid)
    except FieldError as error:
        db.session.rollback()
        echo(f"Nothing imported: {error.message}")
        return 1
    db.session.commit()
    echo(f"Imported {len(created)} actions.")
    return 0
