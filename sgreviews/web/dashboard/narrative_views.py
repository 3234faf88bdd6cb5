"""The yearly report's narrative: the chair (or the business office drafting for them)
writes a foreword and a commentary under each section, beside that section's generated
figures. The text is published as written, in the full and public versions alike.

Signed-off versions are frozen snapshots: an edit here changes the live report and the
next version, never a signed one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from sgreviews.clock import london_today
from sgreviews.models import Partnership, ReportNarrative
from sgreviews.policy import Permission
from sgreviews.review_types import ReviewType
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reports import narrative
from sgreviews.services.reports import signoff as report_signoff
from sgreviews.services.reports.yearly import Section, build_yearly_report
from sgreviews.web.access import requires
from sgreviews.web.dashboard.forms import narrative_field_name, narrative_form_class
from sgreviews.web.dashboard.signoff_views import year_and_partnership
from sgreviews.web.dashboard.views import blueprint
from sgreviews.web.transactions import attempts


def _review_types() -> Mapping[str, ReviewType]:
    types: Mapping[str, ReviewType] = current_app.extensions["sgreviews.review_types"]
    return types


def _version_name(key: str) -> str:
    return "version_" + key.replace("-", "_")


def _partnership_or_404(partnership_id: int | None) -> Partnership | None:
    if partnership_id is None:
        return None
    found = next((p for p in organisations.list_partnerships() if p.id == partnership_id), None)
    if found is None:
        abort(404)
    return found


@blueprint.route("/dashboard/yearly-report/narrative", methods=["GET", "POST"])
@requires(Permission.WRITE_REPORT_NARRATIVE)
def report_narrative() -> str | WerkzeugResponse:
    year, partnership_id = year_and_partnership()
    partnership = _partnership_or_404(partnership_id)
    scope = narrative.scope_of(partnership)
    # The full version's figures, shown beside each box as the writer's hint.
    report = build_yearly_report(
        year, _review_types(), partnership=partnership, today=london_today()
    )
    # One box per key (two sections of one title would share a key, and so a commentary).
    titles = {narrative.FOREWORD: narrative.FOREWORD_TITLE}
    hints: dict[str, Section] = {}
    for section in report.sections:
        titles.setdefault(section.key, section.title)
        hints.setdefault(section.key, section)
    boxes = list(titles.items())
    form: Any = narrative_form_class(boxes)()
    saved = narrative.stored(scope, year.start_year)
    conflicts: dict[str, ReportNarrative] = {}
    if not form.is_submitted():
        for key, _title in boxes:
            row = saved.get(key)
            form[narrative_field_name(key)].data = row.text if row is not None else ""
            form[_version_name(key)].data = str(row.version if row is not None else 0)
    elif form.validate():
        entries = [
            narrative.Entry(
                key,
                form[narrative_field_name(key)].data or "",
                _int(form[_version_name(key)].data),
            )
            for key, _title in boxes
        ]
        try:
            # A save re-checks every version, so it may run again after losing a race:
            # two first saves of one section (both inserts) meet at the unique key, and
            # the second try sees the winner's text and refuses as a stale edit.
            changed: list[str] = []
            for attempt in attempts():
                with attempt:
                    changed = narrative.save(scope, year.start_year, entries, current_user)
        except narrative.StaleNarrative as stale:
            conflicts = stale.current
            for key, row in conflicts.items():
                # Saving again now keeps this writer's text: they have seen the other one.
                form[_version_name(key)].data = str(row.version)
                form[narrative_field_name(key)].errors = [
                    f"Someone else saved “{titles[key]}” after you opened this page. "
                    "Your text has not been saved: compare it with theirs, then save again"
                ]
        else:
            flash(
                "Foreword and commentary saved" if changed else "Nothing had changed",
                "success",
            )
            query: dict[str, Any] = {"year": year.start_year, "live": "1"}
            if partnership is not None:
                query["partnership"] = partnership.id
            return redirect(url_for("dashboard.yearly_report", **query))
    return render_template(
        "dashboard/report_narrative.html",
        form=form,
        year=year,
        partnership=partnership,
        hints=hints,
        boxes=[(key, title, narrative_field_name(key), _version_name(key)) for key, title in boxes],
        saved=saved,
        conflicts=conflicts,
        signed=report_signoff.latest(year, partnership),
    )


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0
