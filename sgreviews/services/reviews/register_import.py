"""Importing a register of past reviews (XLSX or CSV): reference, type, subject pseudonym,
partnership, key dates, stage and outcome, under the headings configured in
``config/imports.toml`` (``[register_headers]``). Each review is created as a historical record
(``Review.historical``): its statutory deadlines are long past, and no reminder fires for
them (services/reminders/sources.py leaves historical reviews out).

Like the tracker import: ``preview`` checks every row and writes nothing; ``apply`` writes
the valid rows inside the caller's transaction; ``import_register_command`` is the
``sgreviews import reviews`` command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Partnership, Review, SubjectKind, User
from sgreviews.models.review import ReviewDecision
from sgreviews.services import audit
from sgreviews.services.actions.timescales import TimescaleError, parse_timescale
from sgreviews.services.actions.tracker_import import (
    REGISTER_FIELD_NAMES,
    SpreadsheetError,
    current_config,
    finish_import_command,
    normalise,
    read_sheet,
)
from sgreviews.services.editing import FieldError
from sgreviews.services.reviews.creation import create_review
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import ReviewError, review_types

REQUIRED = ("reference", "review_type", "subject_label", "partnership", "started_on")
DATE_FIELDS = (
    "started_on",
    "aware_on",
    "notified_on",
    "decision_on",
    "commissioned_on",
    "completed_on",
    "published_on",
)
SUBJECT_KINDS = {"child": SubjectKind.CHILD, "adult": SubjectKind.ADULT}


@dataclass
class RegisterRow:
    number: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    partnership: Partnership | None = None
    review_type: str = ""
    stage: str = ""
    outcome: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class RegisterPreview:
    rows: list[RegisterRow]
    problems: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[RegisterRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid_rows(self) -> list[RegisterRow]:
        return [row for row in self.rows if not row.valid]


def _mapping(headers: list[str]) -> dict[str, int | None]:
    """Each register field -> the column whose heading is one of its synonyms
    (``[register_headers]`` in config/imports.toml; a field's own name always matches)."""
    synonyms = current_config().register_headers
    fields = [synonyms.get(normalise(header), normalise(header)) for header in headers]
    return {
        name: next(
            (
                i
                for i, found in enumerate(fields)
                if found == name.replace("_", " ") or found == name
            ),
            None,
        )
        for name in REGISTER_FIELD_NAMES
    }


def _subject_kind(label: str) -> SubjectKind:
    first = normalise(label).split(" ")[0] if label.strip() else ""
    return SUBJECT_KINDS.get(first, SubjectKind.CHILD)


def preview(filename: str, data: bytes) -> RegisterPreview:
    sheet = read_sheet(filename, data)
    # The register's header: the first row naming two or more register fields.
    for index, (_number, cells) in enumerate(sheet.rows[:20]):
        if sum(index_ is not None for index_ in _mapping(cells).values()) >= 2:
            sheet.header_index = index
            break
    mapping = _mapping(sheet.headers)
    result = RegisterPreview(rows=[])
    for name in REQUIRED:
        if mapping[name] is None:
            result.problems.append(f"No column for {name.replace('_', ' ')}")
    partnerships: dict[str, Partnership] = {}
    for partnership in db.session.scalars(select(Partnership)):
        partnerships[normalise(partnership.name)] = partnership
        partnerships[normalise(partnership.short_name)] = partnership
    types = review_types()
    today = london_today()
    seen: set[tuple[int, str]] = set()
    for number, cells in sheet.body:
        values = {
            name: (cells[index].strip() if index is not None and index < len(cells) else "")
            for name, index in mapping.items()
        }
        row = RegisterRow(number, values)
        for name in REQUIRED:
            if not values[name]:
                row.problems.append(f"Missing {name.replace('_', ' ')}")
        row.partnership = partnerships.get(normalise(values["partnership"]))
        if values["partnership"] and row.partnership is None:
            row.problems.append(f"Unknown partnership: {values['partnership']}")
        type_text = normalise(values["review_type"])
        rtype = next(
            (
                t
                for key, t in types.items()
                if type_text in (normalise(key), normalise(t.name), normalise(t.short_name))
            ),
            None,
        )
        if values["review_type"] and rtype is None:
            row.problems.append(f"Unknown review type: {values['review_type']}")
        if rtype is not None:
            row.review_type = rtype.key
            stage_text = normalise(values["stage"])
            row.stage = next(
                (
                    stage
                    for stage in rtype.stages
                    if stage_text in (normalise(stage), normalise(rtype.stage_label(stage)))
                ),
                "",
            )
            if stage_text and not row.stage:
                row.problems.append(f"Unknown stage for {rtype.short_name}: {values['stage']}")
            outcome_text = normalise(values["outcome"])
            if outcome_text:
                outcome = next(
                    (
                        o
                        for o in rtype.outcomes
                        if outcome_text in (normalise(o.key), normalise(o.label))
                    ),
                    None,
                )
                if outcome is None:
                    row.problems.append(
                        f"Unknown outcome for {rtype.short_name}: {values['outcome']}"
                    )
                else:
                    row.outcome = outcome.key
        for name in DATE_FIELDS:
            text = values[name]
            row.dates[name] = None
            if not text:
                continue
            try:
                timescale = parse_timescale(text, today)
            except TimescaleError:
                row.problems.append(f"Bad date for {name.replace('_', ' ')}: {text}")
                continue
            if timescale.precision != "day":
                row.problems.append(f"{name.replace('_', ' ').capitalize()} must be a day: {text}")
            elif timescale.due_date > today:
                row.problems.append(f"{name.replace('_', ' ').capitalize()} is in the future")
            row.dates[name] = timescale.due_date
        if row.partnership is not None and values["reference"]:
            key = (row.partnership.id, values["reference"].lower())
            taken = db.session.scalar(
                select(Review.id).where(
                    Review.partnership_id == row.partnership.id,
                    Review.reference == values["reference"],
                )
            )
            if taken is not None:
                row.problems.append(f"{values['reference']} is already recorded")
            elif key in seen:
                row.problems.append(f"{values['reference']} appears twice in the file")
            seen.add(key)
        result.rows.append(row)
    return result


def apply(
    result: RegisterPreview,
    actor: User | None,
    *,
    only_valid: bool,
    progress: Callable[[RegisterRow], None] | None = None,
) -> list[Review]:
    if result.problems:
        raise FieldError("file", result.problems[0])
    if result.invalid_rows and not only_valid:
        raise FieldError(
            "file", f"{len(result.invalid_rows)} rows have problems; fix the file first"
        )
    created = []
    for row in result.valid_rows:
        assert row.partnership is not None and row.dates["started_on"] is not None
        try:
            review = create_review(
                actor,
                review_type=row.review_type,
                partnership=row.partnership,
                subject_label=row.values["subject_label"],
                subject_kind=_subject_kind(row.values["subject_label"]),
                started_on=row.dates["started_on"],
                reference=row.values["reference"],
                aware_on=row.dates.get("aware_on"),
                notified_on=row.dates.get("notified_on"),
                decision_on=row.dates.get("decision_on"),
                commissioned_on=row.dates.get("commissioned_on"),
                note="Imported from a register of past reviews",
            )
        except ReviewError as error:
            raise FieldError("file", f"Row {row.number}: {error}") from error
        review.historical = True
        if row.stage:
            review.stage = row.stage
        review.completed_on = row.dates.get("completed_on")
        review.published_on = row.dates.get("published_on")
        refresh_deadlines(review)  # a completed or published review's clocks are met
        if row.outcome:
            db.session.add(
                ReviewDecision(
                    review=review,
                    decided_on=row.dates.get("completed_on") or row.dates["started_on"],
                    outcome=row.outcome,
                    rationale="Imported from a register of past reviews",
                    recorded_by_id=actor.id if actor else None,
                )
            )
        db.session.flush()
        audit.record(
            actor,
            "review",
            review.id,
            "import-historical",
            after={"historical": True, "stage": review.stage, "outcome": row.outcome or None},
        )
        created.append(review)
        if progress is not None:
            progress(row)
    return created


def import_register_command(
    path: str,
    *,
    dry_run: bool,
    only_valid: bool,
    echo: Callable[[str], None],
    progress: Callable[[int], Any] | None = None,
) -> int:
    """``sgreviews import reviews``: 0 imported (or all valid), 1 problems, 2 unreadable."""
    file_path = Path(path)
    try:
        result = preview(file_path.name, file_path.read_bytes())
    except SpreadsheetError as error:
        echo(f"Cannot import {file_path.name}: {error}")
        return 2
    for problem in result.problems:
        echo(f"File: {problem}")
    for row in result.rows:
        echo(f"Row {row.number}: " + ("ok" if row.valid else "; ".join(row.problems)))
    echo(f"{len(result.valid_rows)} rows valid, {len(result.invalid_rows)} with problems.")
    created, code = finish_import_command(
        len(result.valid_rows),
        clean=not result.problems and not result.invalid_rows,
        write=lambda step: apply(result, None, only_valid=only_valid, progress=step),
        dry_run=dry_run,
        progress=progress,
        echo=echo,
    )
    if created is not None:
        echo(f"Imported {len(created)} past reviews as historical records (no reminders).")
    return code
