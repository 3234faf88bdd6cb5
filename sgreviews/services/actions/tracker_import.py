"""Importing an existing action tracker (XLSX, CSV or a Word action plan), with column
mapping and a dry run.

Import is two steps: ``preview`` reads the file and checks every row without writing;
``apply`` writes the rows the person confirmed (all of them when all are valid, or only
the valid ones). Nothing is written by a preview. ``import_file_command`` is the same
for the ``sgreviews import actions`` command.

Trackers as partnerships keep them: title rows above the header are skipped (the header is
the row naming the most import fields), a row with one filled cell below the header is a
banner ("Priority 1: Neglect") that labels the rows below it, row numbers are the sheet's
own (blank rows counted), and header names, agency abbreviations and status words come from
``config/imports.toml``. A timescale is parsed by ``timescales.parse_timescale``.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sgreviews.clock import london_today
from sgreviews.config_keys import first_unknown_key
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    AgencyFormerName,
    Finding,
    FindingKind,
    ImportMapping,
    Review,
    UpdateKind,
    User,
)
from sgreviews.services import audit
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.timescales import TimescaleError, parse_timescale
from sgreviews.services.editing import FieldError


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


# What an import command's write returns (the actions' or the reviews' import).
Written = TypeVar("Written")


class ImportConfigError(ValueError):
    """config/imports.toml is wrong; the message names the key."""


# The fields an imported row can fill: field -> label.
IMPORT_FIELDS: dict[str, str] = {
    "action_id": "Action id (from an export)",
    "reference": "Ref",
    "review": "Review reference",
    "finding": "Finding (number or text)",
    "outcome_sought": "Outcome",
    "action_text": "Action",
    "measure_of_success": "Measure",
    "agency": "Agency",
    "lead": "Lead",
    "lead_subgroup": "Lead subgroup",
    "board_sponsor": "Board sponsor",
    "due_date": "Timescale (due date)",
    "added_on": "Added to the plan on (a day)",
    "risk": "Risk",
    "status": "Status",
    "progress": "Progress/evidence",
    "version": "Version (from an export)",
}
REQUIRED_FIELDS = ("action_text", "agency", "due_date")
# The fields of a register of past reviews (services/reviews/register_import.py), whose
# headings are configured in the same file under [register_headers].
REGISTER_FIELD_NAMES = (
    "reference",
    "review_type",
    "subject_label",
    "partnership",
    "started_on",
    "aware_on",
    "notified_on",
    "decision_on",
    "commissioned_on",
    "completed_on",
    "published_on",
    "stage",
    "outcome",
)
# The app's own export headers always map, whatever the config says (round trip).
EXPORT_HEADERS = {
    "action id": "action_id",
    "version": "version",
    "ref": "reference",
    "outcome": "outcome_sought",
    "action": "action_text",
    "measure": "measure_of_success",
    "lead": "lead",
    "due date": "due_date",
    "risk": "risk",
    "status": "status",
    "agency": "agency",
    "review": "review",
    "finding": "finding",
    "lead subgroup": "lead_subgroup",
    "board sponsor": "board_sponsor",
}

# A file larger than this once unzipped is refused (a zip bomb), as is a sheet with more
# rows than MAX_ROWS: both say so and write nothing.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 20

STATUS_KEYS = {"not_started", "in_progress", "completed"}
EVIDENCE_TO_FOLLOW = "Reported complete in the tracker; evidence to follow"


@dataclass(frozen=True)
class ImportConfig:
    headers: dict[str, str]  # normalised header -> field
    agency_aliases: dict[str, str]  # normalised alias -> agency name
    status_words: dict[str, ActionStatus]
    ongoing_review_months: int = 3
    # normalised heading -> register field (the register of past reviews)
    register_headers: dict[str, str] = field(default_factory=dict)


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: "Ref. no." -> "ref no"."""
    text = text.lower().replace("_", " ").replace("\u2019", "'")
    text = re.sub(r"[^\w\s]", " ", text.replace("'", ""))
    return re.sub(r"\s+", " ", text).strip()


def load_config(path: Path) -> ImportConfig:
    with path.open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    known = (
        "ongoing_review_months",
        "headers",
        "agency_aliases",
        "status_words",
        "register_headers",
    )
    unknown = first_unknown_key(data, known)
    if unknown:
        raise ImportConfigError(f"{path.name}: unknown key {unknown!r}")
    headers_table = data.get("headers", {})
    unknown = first_unknown_key(headers_table, IMPORT_FIELDS)
    if unknown:
        raise ImportConfigError(f"{path.name}: headers.{unknown} is not an import field")
    headers = _synonyms(path, "headers", headers_table)
    register_table = data.get("register_headers", {})
    unknown = first_unknown_key(register_table, REGISTER_FIELD_NAMES)
    if unknown:
        raise ImportConfigError(
            f"{path.name}: register_headers.{unknown} is not a field of the register"
        )
    register_headers = _synonyms(path, "register_headers", register_table)
    aliases = {normalise(k): str(v) for k, v in data.get("agency_aliases", {}).items()}
    statuses: dict[str, ActionStatus] = {}
    for word, key in data.get("status_words", {}).items():
        if key not in STATUS_KEYS:
            raise ImportConfigError(
                f"{path.name}: status_words.{word} must be one of {sorted(STATUS_KEYS)}"
            )
        statuses[normalise(word)] = ActionStatus(key)
    months = data.get("ongoing_review_months", 3)
    if not isinstance(months, int) or not 1 <= months <= 24:
        raise ImportConfigError(f"{path.name}: ongoing_review_months must be 1 to 24")
    return ImportConfig(headers, aliases, statuses, months, register_headers)


def _synonyms(path: Path, table_name: str, table: dict[str, Any]) -> dict[str, str]:
    """normalised heading -> field, from a table of field = [headings]."""
    found: dict[str, str] = {}
    for field_name, names in table.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ImportConfigError(
                f"{path.name}: {table_name}.{field_name} must be a list of text"
            )
        for name in names:
            found.setdefault(normalise(name), field_name)
    return found


def current_config() -> ImportConfig:
    config = current_app.extensions.get("sgreviews.import_config")
    if config is None:
        settings = current_app.extensions["sgreviews.settings"]
        config = load_config(settings.config_dir / "imports.toml")
        current_app.extensions["sgreviews.import_config"] = config
    assert isinstance(config, ImportConfig)
    return config


# --- reading files ---------------------------------------------------------------------------


@dataclass
class Sheet:
    """The rows of a file with their own row numbers (1-based, blank rows counted)."""

    rows: list[tuple[int, list[str]]]
    header_index: int = 0  # index into rows of the header row

    @property
    def headers(self) -> list[str]:
        return self.rows[self.header_index][1]

    @property
    def header_number(self) -> int:
        return self.rows[self.header_index][0]

    @property
    def body(self) -> list[tuple[int, list[str]]]:
        return self.rows[self.header_index + 1 :]


def _check_zip(data: bytes, kind: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise SpreadsheetError(f"The file could not be read as {kind}") from error
    if total > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(
            f"The file unpacks to more than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB: it may "
            "be damaged or a zip bomb, so it was not read"
        )


def _too_many() -> SpreadsheetError:
    return SpreadsheetError(
        f"The file has more than {MAX_ROWS} rows; split it into smaller trackers"
    )


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    _check_zip(data, "an Excel workbook (XLSX)")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise SpreadsheetError("The file could not be read as an Excel workbook (XLSX)") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise _too_many()
            rows.append((number, [_cell_text(value) for value in values]))
    finally:
        workbook.close()
    return rows


def _read_docx(data: bytes) -> list[tuple[int, list[str]]]:
    """The rows of every table in a Word action plan, one after another; row numbers count
    across the tables (the first table's first row is 1)."""
    _check_zip(data, "a Word document (DOCX)")
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many types for a broken file
        raise SpreadsheetError("The file could not be read as a Word document (DOCX)") from error
    rows = []
    number = 0
    for table in document.tables:
        for table_row in table.rows:
            number += 1
            if number > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise _too_many()
            cells: list[str] = []
            previous = None
            for cell in table_row.cells:
                # A merged cell repeats across the columns it spans: keep it once.
                text = cell.text.strip() if cell._tc is not previous else ""
                previous = cell._tc
                cells.append(text)
            rows.append((number, cells))
    if not document.tables:
        raise SpreadsheetError("The Word document has no table to import")
    return rows


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise SpreadsheetError("The file is not a CSV text file")
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text))
    for values in reader:
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many()
        # The line the record started on: the sheet's own row number when opened.
        rows.append((reader.line_num - values_line_span(values), list(values)))
    return rows


def values_line_span(values: list[str]) -> int:
    """How many extra lines a record's quoted line breaks take (so its number is its
    first line)."""
    return sum(value.count("\n") for value in values)


def read_sheet(filename: str, data: bytes) -> Sheet:
    """The file's rows, with the header row found; raises SpreadsheetError with a clear
    message for a file that cannot be imported."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif name.endswith(".csv"):
        raw = _read_csv(data)
    elif name.endswith(".docx"):
        raw = _read_docx(data)
    else:
        raise SpreadsheetError(
            "The file must be an Excel workbook (.xlsx), a CSV file (.csv) or a Word "
            "document (.docx)"
        )
    rows = [(number, cells) for number, cells in raw if any(cell.strip() for cell in cells)]
    if not rows:
        raise SpreadsheetError("The file is empty")
    if len(rows) > MAX_ROWS + 1:
        raise _too_many()
    if len(rows) < 2:
        raise SpreadsheetError("The file has a header row but no actions")
    sheet = Sheet(rows, find_header(rows))
    if not sheet.body:
        raise SpreadsheetError("The file has a header row but no actions")
    return sheet


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of cell text from the header row down; empty rows dropped."""
    sheet = read_sheet(filename, data)
    return [cells for _, cells in sheet.rows[sheet.header_index :]]


def _header_score(cells: list[str], known: dict[str, str]) -> int:
    return len({known[normalise(cell)] for cell in cells if normalise(cell) in known})


def find_header(rows: list[tuple[int, list[str]]], extra: Iterable[str] = ()) -> int:
    """The index of the header row: of the first rows, the one naming the most import
    fields (title rows above it score nothing). The first row when none names any."""
    known = _known_headers()
    for header in extra:
        known.setdefault(normalise(header), "extra")
    best, best_score = 0, 0
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _header_score(cells, known)
        if score > best_score:
            best, best_score = index, score
    return best


def _known_headers() -> dict[str, str]:
    known = dict(current_config().headers)
    known.update(EXPORT_HEADERS)
    for saved in db.session.scalars(select(ImportMapping)):
        known.setdefault(normalise(saved.header), saved.field)
    return known


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


# --- mapping ---------------------------------------------------------------------------------


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """``--map "Column=field"`` options -> normalised header -> field; raises ValueError."""
    mapped: dict[str, str] = {}
    for option in options:
        column, sep, field_name = option.rpartition("=")
        field_name = field_name.strip()
        if not sep or not column.strip():
            raise ValueError(f'--map {option!r}: write it as "Column=field"')
        if field_name not in IMPORT_FIELDS:
            raise ValueError(
                f"--map {option!r}: {field_name!r} is not a field; use one of "
                + ", ".join(IMPORT_FIELDS)
            )
        mapped[normalise(column)] = field_name
    return mapped


def saved_mappings(partnership_id: int | None) -> dict[str, str]:
    query = select(ImportMapping).where(
        (ImportMapping.partnership_id == partnership_id)
        if partnership_id is not None
        else ImportMapping.partnership_id.is_(None)
    )
    return {normalise(saved.header): saved.field for saved in db.session.scalars(query)}


def guess_mapping(
    headers: list[str],
    explicit: dict[str, str] | None = None,
    partnership_id: int | None = None,
) -> dict[str, int | None]:
    """Field -> column index: the explicit mapping first, then the partnership's saved one,
    the app's own export headers, and the synonyms in config/imports.toml."""
    sources = [
        explicit or {},
        saved_mappings(partnership_id),
        EXPORT_HEADERS,
        current_config().headers,
    ]
    normalised = [normalise(header) for header in headers]
    mapping: dict[str, int | None] = dict.fromkeys(IMPORT_FIELDS)
    taken: set[int] = set()
    for source in sources:
        for index, header in enumerate(normalised):
            field_name = source.get(header)
            if field_name and mapping.get(field_name) is None and index not in taken:
                mapping[field_name] = index
                taken.add(index)
    return mapping


def save_mapping(
    headers: list[str], mapping: dict[str, int | None], partnership_id: int | None
) -> None:
    """Remember the confirmed mapping for the partnership's next tracker."""
    existing = {
        normalise(saved.header): saved
        for saved in db.session.scalars(
            select(ImportMapping).where(
                (ImportMapping.partnership_id == partnership_id)
                if partnership_id is not None
                else ImportMapping.partnership_id.is_(None)
            )
        )
    }
    for field_name, index in mapping.items():
        if index is None or index >= len(headers) or not headers[index].strip():
            continue
        key = normalise(headers[index])
        if key in EXPORT_HEADERS or current_config().headers.get(key) == field_name:
            continue  # already known to everyone
        saved = existing.get(key)
        if saved is None:
            saved = ImportMapping(partnership_id=partnership_id, header=headers[index][:200])
            db.session.add(saved)
            existing[key] = saved
        saved.field = field_name
    db.session.flush()


# --- preview ---------------------------------------------------------------------------------


@dataclass
class ImportRow:
    number: int  # the sheet's own row number
    values: dict[str, str]
    cells: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the import decided, not errors
    group: str = ""  # the banner row above it
    review: Review | None = None
    agency: Agency | None = None
    due_date: date | None = None
    due_precision: str | None = None
    due_as_written: str | None = None
    due_several: bool = False
    # The day the action joined the plan, when the tracker says (history: issue 18).
    added_on: date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    lead_user: User | None = None
    finding: Finding | None = None
    existing: Action | None = None  # a re-imported export row: update this action
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def outcome(self) -> str:
        if self.problems:
            return "rejected"
        if self.existing is not None:
            return "update" if self.changes else "unchanged"
        return "create"


@dataclass
class ImportPreview:
    headers: list[str]
    mapping: dict[str, int | None]
    rows: list[ImportRow]
    problems: list[str] = field(default_factory=list)  # about the file or mapping
    banners: list[tuple[int, str]] = field(default_factory=list)
    header_number: int = 1

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.valid]


def _agency_lookup() -> dict[str, Agency]:
    """Agencies by normalised current and former name and by configured alias: a tracker
    from before a rename, or writing "CSC", still finds the agency."""
    lookup = {normalise(agency.name): agency for agency in db.session.scalars(select(Agency))}
    for former in db.session.scalars(select(AgencyFormerName)):
        lookup.setdefault(normalise(former.name), former.agency)
    for alias, name in current_config().agency_aliases.items():
        agency = lookup.get(normalise(name))
        if agency is not None:
            lookup.setdefault(alias, agency)
    return lookup


def _as_sheet(rows: Sheet | list[list[str]]) -> Sheet:
    if isinstance(rows, Sheet):
        return rows
    return Sheet([(number, cells) for number, cells in enumerate(rows, start=1)], 0)


def _is_banner(cells: list[str], mapping: dict[str, int | None]) -> bool:
    filled = [cell for cell in cells if cell.strip()]
    action_index = mapping.get("action_text")
    has_action = action_index is not None and action_index < len(cells) and cells[action_index]
    return len(filled) == 1 and not has_action


def match_finding(text: str, findings: list[Finding]) -> tuple[Finding | None, str]:
    """The finding ``text`` names: its number, its text normalised, or a text at least 90%
    alike (reported, so a near-duplicate is never created in silence)."""
    if text.isdigit():
        match = next((f for f in findings if f.position == int(text)), None)
        if match is not None:
            return match, ""
    wanted = normalise(text)
    for finding in findings:
        if normalise(finding.text) == wanted:
            return finding, ""
    best, best_ratio = None, 0.0
    for finding in findings:
        ratio = difflib.SequenceMatcher(None, normalise(finding.text), wanted).ratio()
        if ratio > best_ratio:
            best, best_ratio = finding, ratio
    if best is not None and best_ratio >= 0.9:
        return best, f"Finding matched to finding {best.position} ({best_ratio:.0%} alike)"
    return None, ""


def preview(
    rows: Sheet | list[list[str]],
    mapping: dict[str, int | None] | None = None,
    default_review: Review | None = None,
    *,
    explicit: dict[str, str] | None = None,
) -> ImportPreview:
    """Check every row; write nothing."""
    sheet = _as_sheet(rows)
    headers = sheet.headers
    partnership_id = default_review.partnership_id if default_review is not None else None
    if not mapping or all(index is None for index in mapping.values()):
        mapping = guess_mapping(headers, explicit, partnership_id)
    config = current_config()
    today = london_today()
    result = ImportPreview(
        headers=headers, mapping=mapping, rows=[], header_number=sheet.header_number
    )
    if not any(index is not None for index in mapping.values()):
        result.problems.append(
            "No recognisable header row: no column heading names an import field; map the "
            "columns below"
        )
    for required in REQUIRED_FIELDS:
        if mapping.get(required) is None and mapping.get("action_id") is None:
            result.problems.append(
                f"No column is mapped to {IMPORT_FIELDS[required]}; choose one below"
            )
    if mapping.get("review") is None and default_review is None:
        result.problems.append("Choose the review the actions belong to, or map a Review column")
    agencies = _agency_lookup()
    reviews = {
        review.reference.lower(): review
        for review in db.session.scalars(select(Review).options(selectinload(Review.findings)))
    }
    users = {normalise(user.display_name): user for user in db.session.scalars(select(User))}
    existing_refs = set(db.session.scalars(select(Action.reference)))
    seen_refs: set[str] = set()
    group = ""
    for number, raw in sheet.body:
        if _is_banner(raw, mapping):
            group = next(cell.strip() for cell in raw if cell.strip())
            result.banners.append((number, group))
            continue
        values = {
            name: (raw[index].strip() if index is not None and index < len(raw) else "")
            for name, index in mapping.items()
        }
        row = ImportRow(number=number, values=values, cells=list(raw), group=group)
        _check_existing(row)
        _check_row(row, agencies, reviews, users, default_review, config, today)
        reference = values.get("reference", "")
        own_reference = row.existing is not None and row.existing.reference == reference
        if reference and not own_reference:
            if reference in existing_refs:
                row.problems.append(f"An action with the reference {reference} already exists")
            elif reference in seen_refs:
                row.problems.append(f"The reference {reference} appears twice in the file")
            if len(reference) > 40:
                row.problems.append("The reference is longer than 40 characters")
        if reference:
            seen_refs.add(reference)
        if row.existing is not None and row.valid:
            _changes(row)
        result.rows.append(row)
    return result


def _check_existing(row: ImportRow) -> None:
    action_id = row.values.get("action_id", "")
    if not action_id:
        return
    if not action_id.isdigit():
        row.problems.append(f"Action id {action_id} is not a number")
        return
    row.existing = db.session.get(Action, int(action_id))
    if row.existing is None:
        row.problems.append(f"No action has the id {action_id}")
        return
    version = row.values.get("version", "")
    if version and version != str(row.existing.version):
        row.problems.append(
            f"Action {row.existing.reference} was changed in the app after this export "
            f"(version {row.existing.version}, the file has {version}); export it again"
        )


def _check_row(
    row: ImportRow,
    agencies: dict[str, Agency],
    reviews: dict[str, Review],
    users: dict[str, User],
    default_review: Review | None,
    config: ImportConfig,
    today: date,
) -> None:
    values = row.values
    existing = row.existing
    if existing is not None:
        # A re-imported export: a blank cell keeps what the action has.
        for name, current in (
            ("action_text", existing.action_text),
            ("agency", existing.owning_agency.name),
        ):
            values[name] = values.get(name) or current
    if not values.get("action_text"):
        row.problems.append("Missing action text")
    agency_name = values.get("agency", "")
    if not agency_name:
        row.problems.append("Missing agency")
    else:
        row.agency = agencies.get(normalise(agency_name))
        if row.agency is None:
            row.problems.append(f"Unknown agency: {agency_name}")
    due_text = values.get("due_date", "")
    if not due_text and existing is not None:
        row.due_date = existing.due_date
        row.due_precision, row.due_as_written = existing.due_precision, existing.due_as_written
    elif not due_text:
        row.problems.append("Missing due date")
    else:
        try:
            timescale = parse_timescale(due_text, today, review_months=config.ongoing_review_months)
        except TimescaleError as error:
            row.problems.append(str(error))
        else:
            row.due_date = timescale.due_date
            row.due_precision = timescale.precision
            row.due_as_written = timescale.as_written
            row.due_several = timescale.several
            if timescale.several:
                row.notes.append(
                    f"{timescale.as_written}: several dates, the latest "
                    f"({timescale.due_date.strftime('%d/%m/%Y')}) is the due date"
                )
            if timescale.is_open_ended:
                row.notes.append(
                    f"{timescale.as_written}: open-ended, next review "
                    f"{timescale.due_date.strftime('%d/%m/%Y')}"
                )
    if existing is not None:
        # The review, finding and status of an existing action are not re-imported: a
        # status moves by recording progress (with evidence, and assurance), never by a
        # spreadsheet. The preview says so when the sheet's status differs.
        status_text = values.get("status", "").strip()
        if status_text and normalise(status_text) != normalise(existing.status.label):
            row.notes.append(
                f"Status {status_text!r} not imported: {existing.reference} stays "
                f"{existing.status.label.lower()}; record progress on the action to change it"
            )
        return
    review_ref = values.get("review", "")
    row.review = reviews.get(review_ref.lower()) if review_ref else default_review
    if review_ref and row.review is None:
        row.problems.append(f"Unknown review: {review_ref}")
    elif row.review is None:
        row.problems.append("No review for this row")
    if (
        row.review is not None
        and row.due_date is not None
        and row.due_precision == "day"
        and row.due_date < row.review.started_on
    ):
        row.problems.append(
            f"Due date {row.due_date.strftime('%d/%m/%Y')} is before the review started"
        )
    _added_on(row, values.get("added_on", ""), today)
    finding_text = values.get("finding", "") or row.group
    if row.review is not None:
        if finding_text:
            row.finding, note = match_finding(finding_text, list(row.review.findings))
            if note:
                row.notes.append(note)
            elif row.finding is None:
                row.notes.append(f"New finding: {finding_text}")
        elif not row.review.findings:
            row.problems.append("Missing finding: the review has no findings to link to")
    status_text = values.get("status", "")
    if status_text:
        status = config.status_words.get(normalise(status_text))
        if status is None:
            row.problems.append(
                f"Status {status_text!r} cannot be imported "
                "(use not started, in progress or completed, or a RAG word)"
            )
        elif status is ActionStatus.COMPLETED:
            # Never invent evidence: a tracker's "Complete" has none attached here.
            row.status = ActionStatus.IN_PROGRESS
            row.notes.append(f"{status_text}: imported as in progress, evidence to follow")
        else:
            row.status = status
    lead = values.get("lead", "")
    if lead and row.agency is not None:
        user = users.get(normalise(lead))
        if user is not None and user.agency_id == row.agency.id:
            row.lead_user = user


def _added_on(row: ImportRow, text: str, today: date) -> None:
    """The day a tracker says the action joined the plan: a day (not a month or a
    quarter), not after today and not before the review began; blank means today."""
    if not text.strip():
        return
    try:
        when = parse_timescale(text, today)
    except TimescaleError:
        row.problems.append(f"Date added not understood: {text}")
        return
    if when.precision != "day" or when.several:
        row.problems.append(f"Date added must be one day: {text}")
    elif when.due_date > today:
        row.problems.append(f"Date added {when.due_date.strftime('%d/%m/%Y')} is in the future")
    elif row.review is not None and when.due_date < row.review.started_on:
        row.problems.append(
            f"Date added {when.due_date.strftime('%d/%m/%Y')} is before the review started"
        )
    else:
        row.added_on = when.due_date


_TEXT_FIELDS = (
    "outcome_sought",
    "action_text",
    "measure_of_success",
    "risk",
    "lead_subgroup",
    "board_sponsor",
)


def _changes(row: ImportRow) -> None:
    action = row.existing
    assert action is not None and row.agency is not None
    changes: dict[str, tuple[Any, Any]] = {}
    for name in _TEXT_FIELDS:
        new = row.values.get(name, "").strip()
        old = getattr(action, name) or ""
        if new and new != old:
            changes[name] = (old, new)
    if row.agency.id != action.owning_agency_id:
        changes["owning_agency_id"] = (action.owning_agency_id, row.agency.id)
    if row.due_date != action.due_date:
        changes["due_date"] = (action.due_date, row.due_date)
        precise = row.due_precision == "day"
        written = None if precise else row.due_as_written
        if (action.due_precision, action.due_as_written) != (row.due_precision, written):
            changes["due_precision"] = (action.due_precision, row.due_precision)
            changes["due_as_written"] = (action.due_as_written, written)
    lead = row.values.get("lead", "").strip()
    if lead and lead != action.lead_display:
        if row.lead_user is not None:
            changes["lead_user_id"] = (action.lead_user_id, row.lead_user.id)
            changes["lead_name"] = (action.lead_name, None)
        else:
            changes["lead_user_id"] = (action.lead_user_id, None)
            changes["lead_name"] = (action.lead_name, lead)
    row.changes = changes


# --- apply -----------------------------------------------------------------------------------


def _finding_for(row: ImportRow, actor: User | None) -> Finding:
    assert row.review is not None
    if row.finding is not None:
        return row.finding
    text = row.values.get("finding", "") or row.group
    findings = list(row.review.findings)
    if text:
        match, _note = match_finding(text, findings)
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


@dataclass
class ApplyResult:
    created: list[Action] = field(default_factory=list)
    updated: list[Action] = field(default_factory=list)
    unchanged: int = 0

    def __len__(self) -> int:
        return len(self.created) + len(self.updated)

    def __iter__(self) -> Any:
        return iter(self.created + self.updated)

    def __getitem__(self, index: int) -> Action:
        return (self.created + self.updated)[index]

    @property
    def summary(self) -> str:
        return (
            f"Imported {len(self.created)} new actions, updated {len(self.updated)}, "
            f"{self.unchanged} unchanged."
        )


def apply(
    preview_result: ImportPreview,
    actor: User | None,
    *,
    only_valid: bool,
    progress: Callable[[ImportRow], None] | None = None,
) -> ApplyResult:
    """Write the rows. Refuses when any row is invalid unless ``only_valid``. The caller's
    transaction makes it all or nothing."""
    if preview_result.problems:
        raise FieldError("file", preview_result.problems[0])
    if preview_result.invalid_rows and not only_valid:
        raise FieldError(
            "file",
            f"{len(preview_result.invalid_rows)} rows have problems; fix the file or import "
            "only the valid rows",
        )
    result = ApplyResult()
    for row in preview_result.valid_rows:
        if row.existing is not None:
            if row.changes:
                result.updated.append(_update(row, actor))
            else:
                result.unchanged += 1
        else:
            result.created.append(_create(row, actor))
        if progress is not None:
            progress(row)
    return result


def _update(row: ImportRow, actor: User | None) -> Action:
    action = row.existing
    assert action is not None
    before = action_service.snapshot(action)
    before.update(due_as_written=action.due_as_written, due_precision=action.due_precision)
    for name, (_old, new) in row.changes.items():
        setattr(action, name, new)
    if "due_date" in row.changes and action.original_due_date == row.changes["due_date"][0]:
        action.original_due_date = action.due_date
    action.version += 1
    db.session.flush()
    audit.record(
        actor,
        "action",
        action.id,
        "import-update",
        before={name: _plain(old) for name, (old, _new) in row.changes.items()},
        after={name: _plain(new) for name, (_old, new) in row.changes.items()},
    )
    return action


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _create(row: ImportRow, actor: User | None) -> Action:
    assert row.agency is not None and row.due_date is not None
    finding = _finding_for(row, actor)
    outcome = row.values.get("outcome_sought") or row.group or "Not recorded in the tracker"
    action = action_service.create_action(
        actor=actor,
        findings=[finding],
        reference=row.values.get("reference") or None,
        fields=action_service.ActionFields(
            outcome_sought=outcome,
            action_text=row.values["action_text"],
            measure_of_success=row.values.get("measure_of_success")
            or "Not recorded in the tracker",
            owning_agency_id=row.agency.id,
            due_date=row.due_date,
            lead_user_id=row.lead_user.id if row.lead_user else None,
            lead_name=None if row.lead_user else (row.values.get("lead") or None),
            lead_subgroup=row.values.get("lead_subgroup") or None,
            board_sponsor=row.values.get("board_sponsor") or None,
            risk=row.values.get("risk") or None,
            added_on=row.added_on,
        ),
    )
    if row.due_precision and row.due_precision != "day":
        action.due_precision = row.due_precision
        action.due_as_written = (row.due_as_written or "")[:200]
    elif row.due_several and row.due_as_written:
        action.due_precision, action.due_as_written = "day", row.due_as_written[:200]
    progress = row.values.get("progress", "")
    status_text = normalise(row.values.get("status", ""))
    reported_complete = current_config().status_words.get(status_text) is ActionStatus.COMPLETED
    if row.status is not ActionStatus.NOT_STARTED or progress:
        # Imported progress is recorded as an update so the history shows its origin.
        previous = action.status
        action.status = row.status
        note = f"Imported from a tracker. {progress}".strip()
        if reported_complete:
            note = f"Imported from a tracker. {EVIDENCE_TO_FOLLOW}. {progress}".strip()
        db.session.add(
            ActionUpdate(
                action=action,
                author_id=actor.id if actor else None,
                status=row.status,
                previous_status=previous,
                note=note,
                kind=UpdateKind.PROGRESS,
            )
        )
    db.session.flush()
    return action


# --- rejected rows ---------------------------------------------------------------------------


def rejected_rows(result: ImportPreview) -> list[list[str]]:
    """The header and every rejected row as it was, with its sheet row number and reasons:
    fix them and upload the file again."""
    out = [["Sheet row", "Problems", *result.headers]]
    for row in result.invalid_rows:
        out.append([str(row.number), "; ".join(row.problems), *row.cells])
    return out


# --- the command -----------------------------------------------------------------------------


def finish_import_command(
    valid_rows: int,
    *,
    clean: bool,
    write: Callable[[Callable[[Any], None] | None], Written],
    dry_run: bool,
    progress: Callable[[int], Any] | None,
    echo: Callable[[str], None],
) -> tuple[Written | None, int]:
    """The end of an import command, after its rows were checked and listed: a dry run
    writes nothing (exit 0 when every row was clean, else 1); otherwise ``write`` runs
    (with a progress bar over the valid rows when given) in one transaction, committed, or
    rolled back with the reason when the write refuses (exit 1). Returns what ``write``
    returned (None when nothing was written) and the exit status."""
    if dry_run:
        echo("Dry run: nothing was written.")
        return None, 0 if clean else 1
    try:
        if progress is not None:
            with progress(valid_rows) as bar:
                written = write(lambda _row: bar.update(1))
        else:
            written = write(None)
    except FieldError as error:
        db.session.rollback()
        echo(f"Nothing imported: {error.message}")
        return None, 1
    db.session.commit()
    return written, 0


def import_file_command(
    path: str,
    *,
    dry_run: bool,
    review_reference: str | None,
    only_valid: bool,
    echo: Callable[[str], None],
    maps: Iterable[str] = (),
    progress: Callable[[int], Any] | None = None,
) -> int:
    """The ``sgreviews import actions`` command: the same checks as the web import.
    Returns the exit code (0 imported or all valid, 1 problems found, 2 unreadable).
    ``progress(total)`` returns a context manager with ``update(n)`` (click's progress bar)."""
    file_path = Path(path)
    try:
        explicit = parse_map_options(maps)
    except ValueError as error:
        echo(str(error))
        return 2
    try:
        sheet = read_sheet(file_path.name, file_path.read_bytes())
    except SpreadsheetError as error:
        echo(f"Cannot import {file_path.name}: {error}")
        return 2
    if explicit:
        sheet.header_index = find_header(sheet.rows, explicit)
    review = None
    if review_reference:
        review = db.session.scalar(select(Review).where(Review.reference == review_reference))
        if review is None:
            echo(f"No review has the reference {review_reference}")
            return 2
    result = preview(sheet, None, review, explicit=explicit)
    echo(f"Header row: {result.header_number}")
    for number, label in result.banners:
        echo(f"Row {number}: group label {label!r}")
    for problem in result.problems:
        echo(f"File: {problem}")
    for row in result.rows:
        state = row.outcome if row.valid else "rejected: " + "; ".join(row.problems)
        notes = f" ({'; '.join(row.notes)})" if row.notes and row.valid else ""
        echo(f"Row {row.number}: {state}{notes}")
    echo(f"{len(result.valid_rows)} rows valid, {len(result.invalid_rows)} with problems.")
    applied, code = finish_import_command(
        len(result.valid_rows),
        clean=not result.problems and not result.invalid_rows,
        write=lambda step: apply(result, None, only_valid=only_valid, progress=step),
        dry_run=dry_run,
        progress=progress,
        echo=echo,
    )
    if applied is not None:
        echo(applied.summary)
    return code
