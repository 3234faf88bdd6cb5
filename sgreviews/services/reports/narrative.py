"""The yearly report's narrative: the chair's foreword and a commentary under each
generated section, written in the app (what the partnership did and its impact, the
context the figures cannot give).

Texts are stored per scope (``"all"`` or ``"partnership-<id>"``, the keys of signed-off
reports), business year and section key; the foreword has the reserved key
:data:`FOREWORD`. The report service reads them all in one query. Saving refuses a section
someone else changed since the form was opened (its version moved on), keeps nothing of
that save, and audits each changed section with its text before and after. Signed-off
versions keep their own copy, so an edit here changes the live report and the next
version only.

This module reads no report: the report reads it (no import circle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sgreviews.extensions import db
from sgreviews.models import Partnership, ReportNarrative, User
from sgreviews.services import audit

FOREWORD = "foreword"
FOREWORD_TITLE = "Foreword by the chair"
# Long enough for a foreword of several pages; a bound so one paste cannot fill the table.
MAX_LENGTH = 20_000


def scope_of(partnership: Partnership | None) -> str:
    """The key of a report's scope: every partnership (``"all"``) or one."""
    return scope_key(partnership.id if partnership is not None else None)


def scope_key(partnership_id: int | None) -> str:
    """The key of a report's scope, from the partnership's id (None: every partnership)."""
    return "all" if partnership_id is None else f"partnership-{partnership_id}"


def stored(scope: str, year_start: int) -> dict[str, ReportNarrative]:
    """The stored narrative of one report, by section key (one query)."""
    rows = db.session.scalars(
        select(ReportNarrative)
        .options(joinedload(ReportNarrative.updated_by))
        .where(ReportNarrative.scope == scope, ReportNarrative.year_start == year_start)
    )
    return {row.section_key: row for row in rows}


def texts(scope: str, year_start: int) -> dict[str, str]:
    """The narrative texts of one report by section key, the empty ones left out (one
    query, whatever the number of sections)."""
    rows = db.session.execute(
        select(ReportNarrative.section_key, ReportNarrative.text).where(
            ReportNarrative.scope == scope, ReportNarrative.year_start == year_start
        )
    )
    return {key: text for key, text in rows if text}


def normalised(text: str | None) -> str:
    """The text as stored: one kind of line ending, no trailing blank space."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()


@dataclass(frozen=True)
class Entry:
    """One section's text as submitted, with the version it had when the form was opened
    (0: nothing was stored then)."""

    key: str
    text: str
    version: int


class StaleNarrative(Exception):
    """Someone else saved one or more of these sections after the form was opened."""

    def __init__(self, current: dict[str, ReportNarrative]) -> None:
        super().__init__("the report's narrative was changed by someone else")
        self.current = current


def _snapshot(scope: str, year_start: int, key: str, text: str) -> dict[str, object]:
    return {"scope": scope, "year": year_start, "section": key, "text": text}


def save(scope: str, year_start: int, entries: Sequence[Entry], actor: User) -> list[str]:
    """Save the sections whose text changed; the keys saved. Refuses the whole save
    (:class:`StaleNarrative`) when a changed section was saved by someone else since its
    version was read: nothing is written, so the writer can compare and save again."""
    current = stored(scope, year_start)
    changed = []
    stale = {}
    for entry in entries:
        text = normalised(entry.text)
        row = current.get(entry.key)
        if text == (row.text if row is not None else ""):
            continue  # unchanged, whatever version the form had
        if row is not None and row.version != entry.version:
            stale[entry.key] = row
            continue
        changed.append((entry.key, text, row))
    if stale:
        raise StaleNarrative(stale)
    for key, text, row in changed:
        before = row.text if row is not None else None
        if row is None:
            row = ReportNarrative(
                scope=scope, year_start=year_start, section_key=key, updated_by_id=actor.id
            )
            row.text = text
            db.session.add(row)
        else:
            row.text = text
            row.updated_by_id = actor.id
        db.session.flush()
        audit.record(
            actor,
            "report_narrative",
            row.id,
            "create" if before is None else "update",
            before=_snapshot(scope, year_start, key, before) if before is not None else None,
            after=_snapshot(scope, year_start, key, text),
        )
    return [key for key, _text, _row in changed]
