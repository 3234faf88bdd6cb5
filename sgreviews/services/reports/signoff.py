"""Signing off a yearly report: the chair's name on a frozen, versioned snapshot.

The snapshot is generic: whatever :func:`~sgreviews.services.reports.yearly.build_yearly_report`
returns is stored as data (the full and the public version), together with the print
documents rendered from it and its Markdown. Later changes to reviews, findings or actions
therefore never alter a signed-off report; a new version supersedes it (never edits it),
and :func:`differences` shows what changed between two versions, line by line.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sgreviews.clock import to_london, utcnow
from sgreviews.extensions import db
from sgreviews.models import Partnership, SignedReport, User
from sgreviews.review_types import ReviewType
from sgreviews.services import audit
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports import formats
from sgreviews.services.reports.narrative import scope_key, scope_of
from sgreviews.services.reports.yearly import (
    ReportTable,
    Section,
    YearlyReport,
    build_yearly_report,
)


def publication_due(year: BusinessYear, months: int) -> date:
    """The last day the report should be published by: ``months`` whole months after the
    year ends (31 March + 6 months = 30 September)."""
    month_index = year.end.month + months  # counted from the month after the year ends
    first_after = date(year.end.year + month_index // 12, month_index % 12 + 1, 1)
    return first_after - timedelta(days=1)


def signed_scopes(years: list[int]) -> set[tuple[str, int]]:
    """The (scope, year) pairs of ``years`` that have a signed-off version (one query)."""
    if not years:
        return set()
    rows = db.session.execute(
        select(SignedReport.scope, SignedReport.year_start)
        .where(SignedReport.year_start.in_(years))
        .distinct()
    ).all()
    return {(scope, year) for scope, year in rows}


def report_to_data(report: YearlyReport) -> dict[str, Any]:
    """The report as JSON-ready data: every field of its dataclasses, whatever they are."""
    return dataclasses.asdict(report)


def report_from_data(data: Mapping[str, Any]) -> YearlyReport:
    """The report a snapshot's data describes, for the same templates and files as a live
    one. Unknown keys (from a later shape of the report) are ignored, missing ones defaulted
    (an older version has no foreword, and its sections no commentary or key)."""
    section_fields = {field.name for field in dataclasses.fields(Section)}
    sections = []
    for stored in data.get("sections", []):
        values = {key: value for key, value in stored.items() if key in section_fields}
        table = values.get("table")
        values["table"] = ReportTable(**table) if table else None
        sections.append(Section(**values))
    return YearlyReport(
        title=str(data["title"]),
        year=BusinessYear(int(data["year"]["start_year"])),
        partnership=str(data["partnership"]),
        public=bool(data["public"]),
        sections=sections,
        # Versions signed off before the narrative existed have none.
        foreword=str(data.get("foreword") or ""),
    )


def sign_off(
    year: BusinessYear,
    partnership: Partnership | None,
    review_types: Mapping[str, ReviewType],
    actor: User,
    note: str = "",
    today: date | None = None,
) -> SignedReport:
    """Freeze the report of ``year`` (and ``partnership``, or all) as the next version."""
    full = build_yearly_report(year, review_types, partnership=partnership, today=today)
    public = build_yearly_report(
        year, review_types, partnership=partnership, public=True, today=today
    )
    scope = scope_of(partnership)
    last = db.session.scalar(
        select(func.max(SignedReport.number)).where(
            SignedReport.scope == scope, SignedReport.year_start == year.start_year
        )
    )
    number = (last or 0) + 1
    signed_at = utcnow()
    line = (
        f"Signed off on {to_london(signed_at):%-d %B %Y} by {actor.display_name}"
        f" (version {number})."
    )
    signed = SignedReport(
        scope=scope,
        partnership_id=partnership.id if partnership is not None else None,
        year_start=year.start_year,
        number=number,
        report=report_to_data(full),
        public_report=report_to_data(public),
        html=formats.to_print_html(full, signed_off=line),
        public_html=formats.to_print_html(public, signed_off=line),
        markdown=formats.to_markdown(full),
        note=note.strip(),
        signed_by_id=actor.id,
        signed_at=signed_at,
    )
    db.session.add(signed)
    db.session.flush()
    audit.record(
        actor,
        "yearly_report",
        signed.id,
        "sign_off",
        after={
            "scope": scope,
            "year": year.label,
            "version": signed.number,
            "note": signed.note,
            "supersedes": last,
        },
    )
    return signed


def versions(year: BusinessYear, partnership: Partnership | None) -> list[SignedReport]:
    """Every signed-off version of a report, the newest first."""
    return list(
        db.session.scalars(
            select(SignedReport)
            .options(joinedload(SignedReport.signed_by))
            .where(
                SignedReport.scope == scope_of(partnership),
                SignedReport.year_start == year.start_year,
            )
            .order_by(SignedReport.number.desc())
        )
    )


def latest(year: BusinessYear, partnership: Partnership | None) -> SignedReport | None:
    found = versions(year, partnership)
    return found[0] if found else None


def latest_for(year_start: int, partnership_id: int | None) -> SignedReport | None:
    """The newest signed-off version of a year's report (a partnership's, or all)."""
    scope = scope_key(partnership_id)
    return db.session.scalar(
        select(SignedReport)
        .options(joinedload(SignedReport.signed_by))
        .where(SignedReport.scope == scope, SignedReport.year_start == year_start)
        .order_by(SignedReport.number.desc())
        .limit(1)
    )


def get(signed_id: int) -> SignedReport | None:
    return db.session.get(SignedReport, signed_id, options=[joinedload(SignedReport.signed_by)])


def versions_of(signed: SignedReport) -> list[SignedReport]:
    """Every version of the same report as ``signed``, the newest first."""
    return list(
        db.session.scalars(
            select(SignedReport)
            .options(joinedload(SignedReport.signed_by))
            .where(SignedReport.scope == signed.scope, SignedReport.year_start == signed.year_start)
            .order_by(SignedReport.number.desc())
        )
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same" or "gap"
    text: str


def differences(older: SignedReport, newer: SignedReport) -> list[DiffLine]:
    """What changed from ``older`` to ``newer``: the Markdown lines removed and added, each
    with a line of context around it."""
    lines: list[DiffLine] = []
    diff = difflib.unified_diff(
        older.markdown.splitlines(), newer.markdown.splitlines(), lineterm="", n=1
    )
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("gap", "…"))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines


def signed_pdf(signed: SignedReport, public: bool) -> bytes:
    """The PDF of the stored print document (never re-rendered from today's data)."""
    return formats.html_to_pdf(signed.public_html if public else signed.html)


def signed_docx(signed: SignedReport, public: bool, today: date) -> bytes:
    report = report_from_data(signed.public_report if public else signed.report)
    return formats.to_docx(report, today=today)


def signed_markdown(signed: SignedReport, public: bool) -> str:
    if public:
        return formats.to_markdown(report_from_data(signed.public_report))
    return signed.markdown
