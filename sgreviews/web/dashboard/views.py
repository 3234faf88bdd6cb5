"""The chair's dashboard, agency scorecard, exports and log of challenge."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from sgreviews import charts
from sgreviews.clock import london_today
from sgreviews.models import ChallengeStatus
from sgreviews.policy import Permission, has_permission
from sgreviews.review_types import ReviewType
from sgreviews.services.dashboard import budgets, challenges
from sgreviews.services.dashboard.filters import Filters, agency_choices
from sgreviews.services.dashboard.tables import PAGE_ROWS, TABLES, page_tables
from sgreviews.services.learning import tables as learning_tables
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reminders import report_sources
from sgreviews.services.reminders.wiring import current_rules as current_reminder_rules
from sgreviews.services.reports import formats as report_formats
from sgreviews.services.reports import signoff as report_signoff
from sgreviews.services.reports.yearly import YearlyReport, build_yearly_report
from sgreviews.services.tabular import Table, to_csv, to_xlsx
from sgreviews.web.access import requires
from sgreviews.web.dashboard.forms import (
    BudgetYearForm,
    ChallengeFilterForm,
    ChallengeForm,
    DashboardFilterForm,
    YearlyReportForm,
    budget_form_class,
)
from sgreviews.web.forms_common import choices_of
from sgreviews.web.transactions import transaction

blueprint = Blueprint("dashboard", __name__)


EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


def _review_types() -> Mapping[str, ReviewType]:
    types: Mapping[str, ReviewType] = current_app.extensions["sgreviews.review_types"]
    return types


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters_from_request() -> tuple[DashboardFilterForm, Filters]:
    today = london_today()
    form = DashboardFilterForm(request.args)
    if "partnership" not in request.args:
        # A chair or secretariat who serves one partnership opens on its figures; "All
        # partnerships" stays one choice away. National users (and those serving several
        # partnerships) open on everything they may see.
        served = current_user.partnerships
        if len(served) == 1:
            form.partnership.data = str(served[0].id)
    partnerships = organisations.partnership_choices()
    partnership_id = _int_or_none(form.partnership.data)
    agency_id = _agency_from_request(form, partnership_id)
    form.set_choices(
        partnerships,
        agency_choices(partnership_id, keep=agency_id) if partnership_id else [],
        today,
    )
    valid_years = {choice.value for choice in form.year.choices}
    if form.year.data not in valid_years:
        form.year.data = str(BusinessYear.containing(today).start_year)
    quarter = _int_or_none(form.quarter.data)
    filters = Filters(
        year=BusinessYear(int(form.year.data)),
        quarter=quarter if quarter in (1, 2, 3, 4) else None,
        partnership_id=partnership_id,
        agency_id=agency_id,
        today=today,
    )
    return form, filters


def _agency_from_request(form: DashboardFilterForm, partnership_id: int | None) -> int | None:
    """The agency filter: chosen from the partnership's drop-down (``agency``, an id) or,
    for all partnerships, typed (``agency_name``, an agency's current name, any case). A
    name that matches no agency is an error on the field; the figures are then for all
    agencies. The one field not shown keeps the other's value, so switching between a
    partnership and all partnerships keeps the agency."""
    typed = (form.agency_name.data or "").strip()
    agency_id = _int_or_none(form.agency.data)
    if typed and (partnership_id is None or agency_id is None):
        agency = organisations.find_agency(typed)
        if agency is None:
            form.agency_name.errors = [
                f"No agency is called {typed}. Enter an agency's full name, or leave it blank "
                "for all agencies"
            ]
            return None
        form.agency.data, form.agency_name.data = str(agency.id), agency.name
        return agency.id
    if agency_id is not None:
        form.agency_name.data = organisations.agency_name(agency_id) or ""
    return agency_id


def _short(label: str, length: int = 36) -> str:
    """A chart label that fits the label column (the table beside it has the full name)."""
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


def _charts(tables: Mapping[str, Table]) -> dict[str, object]:
    by_agency = tables["actions-by-agency"]
    status_names = list(by_agency.headers[1:-2])
    trend = tables["monthly-trend"]
    themes = tables["themes-by-year"]
    return {
        "reviews": charts.bar_chart(
            "chart-reviews",
            "Reviews started in the period, by type",
            "Horizontal bars, one per review type, labelled with the number started.",
            [(str(row[0]), float(row[1])) for row in tables["reviews-started"].rows],
        ),
        "actions": charts.stacked_bar_chart(
            "chart-actions",
            "Actions by agency and status",
            "One bar per agency split into patterned segments by status, total at the end.",
            [str(row[0]) for row in by_agency.rows],
            [
                charts.Series(name, [float(row[1 + index]) for row in by_agency.rows])
                for index, name in enumerate(status_names)
            ],
        ),
        "trend": charts.line_chart(
            "chart-trend",
            "Open, overdue and completed actions at each month end",
            "Three lines across the months of the business year so far.",
            [row[0].strftime("%b") for row in trend.rows],
            [
                charts.Series(name, [float(row[1 + index]) for row in trend.rows])
                for index, name in enumerate(["Open", "Overdue", "Completed"])
            ],
        ),
        "recurring": charts.bar_chart(
            "chart-recurring",
            "Themes recurring across reviews and years: business years with the theme",
            "Horizontal bars, one per recurring theme, labelled with the number of business years.",
            [
                (_short(str(row[0])), float(row[2]))
                for row in tables["recurring-themes"].rows[:PAGE_ROWS]
            ],
        ),
        "themes": charts.heat_map(
            "chart-themes",
            "Findings by theme and business year",
            "A grid of themes by business year; each cell shows the number of findings.",
            [str(row[0]) for row in themes.rows],
            [str(column) for column in themes.headers[1:]],
            [[float(value) for value in row[1:]] for row in themes.rows],
        ),
    }


@blueprint.route("/dashboard")
@requires(Permission.VIEW_DASHBOARD)
def index() -> str:
    form, filters = _filters_from_request()
    types = _review_types()
    tables = page_tables(filters, types)
    tables.update(learning_tables.page_tables(filters, types, PAGE_ROWS + 1))
    # The per-agency table and chart show PAGE_ROWS agencies at a time, most overdue first
    # (1,950 agencies nationally made a 4 MB page); the downloads keep every agency.
    by_agency = tables["actions-by-agency"]
    agency_count = len(by_agency.rows)
    pages = max((agency_count + PAGE_ROWS - 1) // PAGE_ROWS, 1)
    agency_page = min(max(_int_or_none(request.args.get("agency_page")) or 1, 1), pages)
    first = (agency_page - 1) * PAGE_ROWS
    tables["actions-by-agency"] = Table(
        by_agency.key, by_agency.title, by_agency.headers, by_agency.rows[first : first + PAGE_ROWS]
    )
    query = {key: value for key, value in request.args.items() if key != "agency_page"}

    def agency_page_url(number: int) -> str | None:
        if not 1 <= number <= pages or number == agency_page:
            return None
        params: dict[str, Any] = {**query, "agency_page": number}
        return url_for("dashboard.index", _anchor="actions", **params)

    return render_template(
        "dashboard/index.html",
        filter_form=form,
        form=form,  # its errors (an agency name that matches none) in the summary
        filters=filters,
        tables=tables,
        charts=_charts(tables),
        query=query,
        page_rows=PAGE_ROWS,
        agencies={
            "first": first + 1,
            "last": first + len(tables["actions-by-agency"].rows),
            "count": agency_count,
            "previous_url": agency_page_url(agency_page - 1),
            "next_url": agency_page_url(agency_page + 1),
        },
        can_set_budgets=has_permission(current_user, Permission.SET_BUDGETS),
    )


@blueprint.route("/dashboard/scorecard")
@requires(Permission.VIEW_DASHBOARD)
def scorecard() -> str:
    form, filters = _filters_from_request()
    table = TABLES["agency-scorecard"](filters, _review_types())
    return render_template(
        "dashboard/scorecard.html",
        filter_form=form,
        form=form,  # its errors (an agency name that matches none) in the summary
        filters=filters,
        table=table,
        query=request.args.to_dict(),
    )


@blueprint.route("/dashboard/export/<key>.<file_type>")
@requires(Permission.VIEW_DASHBOARD)
def export(key: str, file_type: str) -> Response:
    builders = {**TABLES, **learning_tables.LEARNING_TABLES}
    if key not in builders or file_type not in EXPORT_TYPES:
        abort(404)
    _form, filters = _filters_from_request()
    table = builders[key](filters, _review_types())
    mimetype, render = EXPORT_TYPES[file_type]
    filename = f"{key}-{filters.year.label.replace('/', '-')}"
    if filters.quarter:
        filename += f"-q{filters.quarter}"
    return Response(
        render(table),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{file_type}"'},
    )


def _challenge_choices(form: ChallengeForm) -> None:
    form.partnership.choices = choices_of(
        [(str(p.id), p.name) for p in organisations.list_partnerships()]
    )
    form.agency.choices = choices_of(
        [("", "No agency (a person or other body)")]
        + [(str(agency_id), name) for agency_id, name in organisations.agency_choices()]
    )


def _challenge_values(form: ChallengeForm) -> challenges.ChallengeValues:
    raised_on: date | None = form.raised_on.data
    assert raised_on is not None  # the field's InputRequired validator saw to that
    return challenges.ChallengeValues(
        partnership_id=int(form.partnership.data),
        raised_on=raised_on,
        agency_id=_int_or_none(form.agency.data),
        raised_with=form.raised_with.data.strip(),
        issue=form.issue.data.strip(),
        response=(form.response.data or "").strip(),
        outcome=(form.outcome.data or "").strip(),
        follow_up_on=form.follow_up_on.data,
        status=ChallengeStatus(form.status.data),
    )


@blueprint.route("/challenges")
@requires(Permission.RECORD_CHALLENGE)
def challenge_list() -> str:
    form = ChallengeFilterForm(request.args)
    form.partnership.choices = choices_of(
        [("", "All partnerships")]
        + [(str(p.id), p.name) for p in organisations.list_partnerships()]
    )
    form.agency.choices = choices_of(
        [("", "All agencies")]
        + [(str(agency_id), name) for agency_id, name in organisations.agency_choices()]
    )
    status = form.status.data if form.status.data in {s.value for s in ChallengeStatus} else None
    items = challenges.list_challenges(
        partnership_id=_int_or_none(form.partnership.data),
        agency_id=_int_or_none(form.agency.data),
        status=ChallengeStatus(status) if status else None,
    )
    return render_template(
        "dashboard/challenges.html", filter_form=form, challenges=items, today=london_today()
    )


@blueprint.route("/challenges/new", methods=["GET", "POST"])
@requires(Permission.RECORD_CHALLENGE)
def challenge_new() -> str | WerkzeugResponse:
    form = ChallengeForm()
    _challenge_choices(form)
    if form.validate_on_submit():
        with transaction():
            challenges.record_challenge(_challenge_values(form), current_user)
        flash("Challenge recorded", "success")
        return redirect(url_for("dashboard.challenge_list"))
    return render_template("dashboard/challenge_form.html", form=form, challenge=None)


@blueprint.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@requires(Permission.RECORD_CHALLENGE)
def challenge_edit(challenge_id: int) -> str | WerkzeugResponse:
    challenge = challenges.get_challenge(challenge_id)
    if challenge is None:
        abort(404)
    form = ChallengeForm(obj=None if request.method == "POST" else challenge)
    _challenge_choices(form)
    if request.method == "GET":
        form.partnership.data = str(challenge.partnership_id)
        form.agency.data = str(challenge.agency_id or "")
        form.status.data = challenge.status.value
        form.version.data = str(challenge.version)
    conflict = None
    if form.validate_on_submit():
        try:
            with transaction():
                challenges.update_challenge(
                    challenge, _challenge_values(form), int(form.version.data or 0), current_user
                )
        except challenges.StaleChallenge as stale:
            conflict = stale.current
            form.version.data = str(conflict.version)
        else:
            flash("Challenge updated", "success")
            return redirect(url_for("dashboard.challenge_list"))
    return render_template(
        "dashboard/challenge_form.html", form=form, challenge=challenge, conflict=conflict
    )


def _yearly_report_from_request() -> tuple[YearlyReportForm, YearlyReport]:
    today = london_today()
    form = YearlyReportForm(request.args)
    partnerships = organisations.list_partnerships()
    form.partnership.choices = choices_of(
        [("", "All partnerships")] + [(str(p.id), p.name) for p in partnerships]
    )
    current = BusinessYear.containing(today).start_year
    # The report is usually for the year just finished.
    form.year.choices = choices_of(
        [(str(year), BusinessYear(year).label) for year in range(current, current - 10, -1)]
    )
    if form.year.data not in {choice.value for choice in form.year.choices}:
        form.year.data = str(current - 1)
    if form.version.data not in ("full", "public"):
        form.version.data = "full"
    chosen = _int_or_none(form.partnership.data)
    partnership = next((p for p in partnerships if p.id == chosen), None)
    report = build_yearly_report(
        BusinessYear(int(form.year.data)),
        _review_types(),
        partnership=partnership,
        public=form.version.data == "public",
        today=today,
    )
    return form, report


@blueprint.route("/dashboard/yearly-report")
@requires(Permission.VIEW_DASHBOARD)
def yearly_report() -> str | WerkzeugResponse:
    form, report = _yearly_report_from_request()
    # A signed-off period shows its signed-off version; "live=1" shows today's recomputation.
    signed = report_signoff.latest_for(report.year.start_year, _int_or_none(form.partnership.data))
    if signed is not None and request.args.get("live") != "1":
        return redirect(
            url_for("dashboard.signed_report", signed_id=signed.id, version=form.version.data)
        )
    rules = current_reminder_rules()
    return render_template(
        "dashboard/yearly_report.html",
        filter_form=form,
        report=report,
        query=request.args.to_dict(),
        signed=signed,
        can_sign_off=has_permission(current_user, Permission.SIGN_OFF_REPORTS),
        can_write_narrative=has_permission(current_user, Permission.WRITE_REPORT_NARRATIVE),
        clock=report_sources.publication_clock(
            report.year,
            _int_or_none(form.partnership.data),
            rules.yearly_report.publication_months,
            rules.default_go_live_on,
        ),
        today=london_today(),
    )


REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}


@blueprint.route("/dashboard/yearly-report.<file_type>")
@requires(Permission.VIEW_DASHBOARD)
def yearly_report_file(file_type: str) -> Response:
    if file_type not in REPORT_TYPES:
        abort(404)
    _form, report = _yearly_report_from_request()
    content: bytes
    if file_type == "pdf":
        content = report_formats.to_pdf(report)
    elif file_type == "docx":
        content = report_formats.to_docx(report)
    else:
        content = report_formats.to_markdown(report).encode("utf-8")
    name = f"yearly-report-{report.year.label.replace('/', '-')}"
    if report.public:
        name += "-public"
    return Response(
        content,
        mimetype=REPORT_TYPES[file_type],
        headers={"Content-Disposition": f'attachment; filename="{name}.{file_type}"'},
    )


@blueprint.route("/dashboard/budgets", methods=["GET", "POST"])
@requires(Permission.SET_BUDGETS)
def budget_page() -> str | WerkzeugResponse:
    partnerships = organisations.list_partnerships()
    if not partnerships:
        return render_template("dashboard/budgets.html", chooser=None)
    chooser = BudgetYearForm(request.args)
    chooser.partnership.choices = choices_of([(str(p.id), p.name) for p in partnerships])
    current = BusinessYear.containing(london_today()).start_year
    chooser.year.choices = choices_of(
        [(str(year), BusinessYear(year).label) for year in range(current + 1, current - 6, -1)]
    )
    if chooser.partnership.data not in {str(p.id) for p in partnerships}:
        chooser.partnership.data = str(partnerships[0].id)
    if chooser.year.data not in {choice.value for choice in chooser.year.choices}:
        chooser.year.data = str(current)
    partnership_id, year = int(chooser.partnership.data), int(chooser.year.data)
    types = [(key, review_type.display_name) for key, review_type in _review_types().items()]
    form = budget_form_class(types)()
    if request.method == "GET":
        for key, amount in budgets.budgets_for(partnership_id, year).items():
            field = getattr(form, f"budget_{key}", None)
            if field is not None:
                field.data = amount
    if form.validate_on_submit():
        with transaction():
            budgets.set_budgets(
                partnership_id,
                year,
                {key: getattr(form, f"budget_{key}").data for key, _name in types},
                current_user,
            )
        flash(f"Budgets for {BusinessYear(year).label} saved", "success")
        return redirect(url_for("dashboard.budget_page", partnership=partnership_id, year=year))
    return render_template(
        "dashboard/budgets.html",
        chooser=chooser,
        form=form,
        type_keys=[key for key, _name in types],
        year=BusinessYear(year),
    )
