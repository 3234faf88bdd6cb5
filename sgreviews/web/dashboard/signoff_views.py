"""Signing off the yearly report and reading its signed-off versions: the version itself
(with who signed it and when), its files, and what changed from the version before.

A signed-off version is never edited: signing off again makes a new version that
supersedes it. The live report (``views.yearly_report``) sends a signed-off period here.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from werkzeug.wrappers import Response as WerkzeugResponse

from sgreviews.clock import london_today, to_london
from sgreviews.models import SignedReport
from sgreviews.policy import Permission, has_permission
from sgreviews.review_types import ReviewType
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reminders import report_sources
from sgreviews.services.reminders.wiring import current_rules
from sgreviews.services.reports import signoff
from sgreviews.web.access import requires
from sgreviews.web.dashboard.forms import SignOffForm
from sgreviews.web.dashboard.views import REPORT_TYPES, blueprint
from sgreviews.web.transactions import transaction


def _review_types() -> Mapping[str, ReviewType]:
    types: Mapping[str, ReviewType] = current_app.extensions["sgreviews.review_types"]
    return types


def year_and_partnership() -> tuple[BusinessYear, int | None]:
    """The business year and partnership a yearly-report page is about, from the query
    (404 for a year out of range or a malformed partnership)."""
    current = BusinessYear.containing(london_today()).start_year
    # Like the live report: the year just finished unless another is chosen.
    year_text = request.args.get("year", "") or str(current - 1)
    if not year_text.isdigit() or not current - 10 < int(year_text) <= current:
        abort(404)
    partnership_text = request.args.get("partnership", "")
    if not partnership_text:
        return BusinessYear(int(year_text)), None
    if not partnership_text.isdigit():
        abort(404)
    return BusinessYear(int(year_text)), int(partnership_text)


@blueprint.route("/dashboard/yearly-report/sign-off", methods=["GET", "POST"])
@requires(Permission.SIGN_OFF_REPORTS)
def sign_off_report() -> str | WerkzeugResponse:
    year, partnership_id = year_and_partnership()
    partnership = None
    if partnership_id is not None:
        partnership = next(
            (p for p in organisations.list_partnerships() if p.id == partnership_id), None
        )
        if partnership is None:
            abort(404)
    latest = signoff.latest(year, partnership)
    form = SignOffForm(superseding=latest is not None)
    if latest is not None:
        form.submit.label.text = "Sign off a new version"
    if form.validate_on_submit():
        with transaction():
            signed = signoff.sign_off(
                year,
                partnership,
                _review_types(),
                current_user,
                note=form.note.data or "",
                today=london_today(),
            )
            signed_id = signed.id
            number = signed.number
        flash(f"Yearly report {year.label} signed off as version {number}", "success")
        return redirect(url_for("dashboard.signed_report", signed_id=signed_id))
    return render_template(
        "dashboard/sign_off_report.html",
        form=form,
        year=year,
        partnership=partnership,
        latest=latest,
        publication_due=signoff.publication_due(
            year, current_rules().yearly_report.publication_months
        ),
    )


def _signed_or_404(signed_id: int) -> SignedReport:
    signed = signoff.get(signed_id)
    if signed is None:
        abort(404)
    return signed


def _public() -> bool:
    return request.args.get("version") == "public"


@blueprint.route("/dashboard/yearly-report/signed/<int:signed_id>")
@requires(Permission.VIEW_SIGNED_REPORTS)
def signed_report(signed_id: int) -> str:
    signed = _signed_or_404(signed_id)
    public = _public()
    all_versions = signoff.versions_of(signed)
    year = BusinessYear(signed.year_start)
    months = current_rules().yearly_report.publication_months
    live_query = {"year": str(signed.year_start), "live": "1"}
    if signed.partnership_id is not None:
        live_query["partnership"] = str(signed.partnership_id)
    if public:
        live_query["version"] = "public"
    return render_template(
        "dashboard/signed_report.html",
        signed=signed,
        report=signoff.report_from_data(signed.public_report if public else signed.report),
        public=public,
        versions=all_versions,
        newer=[version for version in all_versions if version.number > signed.number],
        live_query=live_query,
        can_sign_off=has_permission(current_user, Permission.SIGN_OFF_REPORTS),
        can_write_narrative=has_permission(current_user, Permission.WRITE_REPORT_NARRATIVE),
        clock=report_sources.publication_clock(
            year, signed.partnership_id, months, current_rules().default_go_live_on
        ),
        # The clock is met by the first sign-off; a later version supersedes, not re-meets.
        first_signed_on=to_london(all_versions[-1].signed_at).date(),
    )


@blueprint.route("/dashboard/yearly-report/signed/<int:signed_id>.<file_type>")
@requires(Permission.VIEW_SIGNED_REPORTS)
def signed_report_file(signed_id: int, file_type: str) -> Response:
    if file_type not in REPORT_TYPES:
        abort(404)
    signed = _signed_or_404(signed_id)
    public = _public()
    content: bytes
    if file_type == "pdf":
        content = signoff.signed_pdf(signed, public)
    elif file_type == "docx":
        content = signoff.signed_docx(signed, public, london_today())
    else:
        content = signoff.signed_markdown(signed, public).encode("utf-8")
    name = f"yearly-report-{BusinessYear(signed.year_start).label.replace('/', '-')}"
    name += f"-signed-v{signed.number}" + ("-public" if public else "")
    return Response(
        content,
        mimetype=REPORT_TYPES[file_type],
        headers={"Content-Disposition": f'attachment; filename="{name}.{file_type}"'},
    )


@blueprint.route("/dashboard/yearly-report/signed/<int:signed_id>/changes")
@requires(Permission.VIEW_SIGNED_REPORTS)
def signed_report_changes(signed_id: int) -> str:
    signed = _signed_or_404(signed_id)
    earlier = [v for v in signoff.versions_of(signed) if v.number < signed.number]
    if not earlier:
        abort(404)
    previous = earlier[0]
    return render_template(
        "dashboard/signed_report_changes.html",
        signed=signed,
        previous=previous,
        year=BusinessYear(signed.year_start),
        lines=signoff.differences(previous, signed),
    )
