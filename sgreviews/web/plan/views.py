"""The Master Action Plan, action-plan exports, and importing an existing tracker."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import User
from sgreviews.policy import PARTNERSHIP_WIDE_ROLES, Permission, can_view_review, has_permission
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions import plan as plan_service
from sgreviews.services.actions import spreadsheet_export, staged_imports, tracker_import
from sgreviews.services.actions.rag import Rag, current_rules
from sgreviews.services.editing import FieldError
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews import findings as finding_service
from sgreviews.services.reviews.choices import reviews_by_reference
from sgreviews.services.storage import StorageError, current_storage
from sgreviews.web.access import requires
from sgreviews.web.paging import govuk_pagination
from sgreviews.web.paging import with_page as _with_page
from sgreviews.web.transactions import transaction

blueprint = Blueprint("plan", __name__)
log = logging.getLogger(__name__)


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


# --- Master Action Plan -----------------------------------------------------------------------


def _date_arg(name: str, errors: dict[str, str], label: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label} must be a real date, like 2026-03-31"
        return None


def _plan_filters(errors: dict[str, str]) -> action_lists.ActionFilter:
    statuses = {status.value: status for status in action_lists.PLAN_STATUSES}
    rags = {rag.value: rag for rag in Rag}
    return action_lists.ActionFilter(
        open_only=True,
        changed_since=_date_arg("changed_since", errors, "Changed since"),
        due_before=_date_arg("due_before", errors, "Due before"),
        overdue=request.args.get("overdue") == "1",
        # Issue 20: agency, status, RAG and words. An unknown value is no filter.
        agency_id=request.args.get("agency", type=int),
        statuses=[statuses[v] for v in request.args.getlist("status") if v in statuses],
        rags=[rags[v] for v in request.args.getlist("rag") if v in rags],
        text=request.args.get("q", "").strip()[:200],
    )


@blueprint.route("/master-action-plan")
@requires(Permission.VIEW_MASTER_ACTION_PLAN)
def master_action_plan() -> str:
    """One page of the plan (filters and grouping kept in the links), or the print layout:
    the filtered plan from the start, up to plan_service.PRINT_LIMIT entries."""
    today = london_today()
    rules = current_rules()
    errors: dict[str, str] = {}
    filters = _plan_filters(errors)
    by = "agency" if request.args.get("group") == "agency" else "review"
    printing = request.args.get("layout") == "print"
    result = plan_service.plan_page(
        filters,
        by,
        today,
        rules,
        page=1 if printing else request.args.get("page", 1, type=int) or 1,
        per_page=plan_service.PRINT_LIMIT if printing else plan_service.PAGE_SIZE,
    )
    template = "plan/print.html" if printing else "plan/master.html"
    kept = {key: value for key, value in request.args.items() if key not in ("layout", "page")}
    pagination = govuk_pagination(
        result.page,
        result.pages,
        lambda number: url_for("plan.master_action_plan", **_with_page(kept, number)),
        "Pages of the Master Action Plan",
    )
    return render_template(
        template,
        result=result,
        groups=result.groups,
        rag=result.rag,
        rules=rules,
        counts=result.counts,
        by=by,
        args=request.args,
        errors=errors,
        today=today,
        print_args={**kept, "layout": "print"},
        screen_args=kept,
        pagination=pagination,
        print_limit=plan_service.PRINT_LIMIT,
        can_import=has_permission(current_user, Permission.IMPORT_ACTIONS),
        agencies=organisations.agency_choices(),
        plan_statuses=action_lists.PLAN_STATUSES,
        rags=list(Rag),
    )


@blueprint.route("/master-action-plan/export.<format>")
@requires(Permission.VIEW_MASTER_ACTION_PLAN)
def plan_export(format: str) -> Response:
    """The whole filtered plan (every page) as a spreadsheet, ordered by due date."""
    if format not in ("xlsx", "csv"):
        abort(404)
    errors: dict[str, str] = {}
    filters = _plan_filters(errors)
    if errors:
        abort(400)
    actions = spreadsheet_export.actions_for_export(None, None, filters=filters)
    rules = current_rules()
    rag = action_lists.ratings(actions, london_today(), rules)
    if filters.rags:
        actions = [action for action in actions if rag[action.id] in filters.rags]
    return _spreadsheet(
        spreadsheet_export.export_rows(actions, rag, rules), "master-action-plan", format
    )


def _spreadsheet(rows: list[list[Any]], name: str, format: str) -> Response:
    filename = re.sub(r"[^A-Za-z0-9.-]+", "-", name) + f".{format}"
    if format == "csv":
        body, mimetype = spreadsheet_export.to_csv(rows), "text/csv"
    else:
        body = spreadsheet_export.to_xlsx(rows, "Action plan")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- exports ---------------------------------------------------------------------------------


@blueprint.route("/actions/export.<format>")
@requires(Permission.VIEW_ACTION)
def export(format: str) -> Response:
    """All actions, one review's, or one agency's. An agency lead gets only their own
    agency's actions whatever they ask for."""
    if format not in ("xlsx", "csv"):
        abort(404)
    user = _user()
    review_id = request.args.get("review", type=int)
    agency_id = request.args.get("agency", type=int)
    if user.role not in PARTNERSHIP_WIDE_ROLES:
        if agency_id is not None and agency_id != user.agency_id:
            abort(403)
        agency_id = user.agency_id
    name_parts = ["action-plan"]
    if review_id is not None:
        review = finding_service.review_with_findings(review_id)
        if review is None:
            abort(404)
        if not can_view_review(user, review):
            abort(403)
        name_parts.append(review.reference)
    if agency_id is not None and user.role in PARTNERSHIP_WIDE_ROLES:
        name_parts.append(f"agency-{agency_id}")
    actions = spreadsheet_export.actions_for_export(review_id, agency_id)
    rules = current_rules()
    rag = action_lists.ratings(actions, london_today(), rules)
    rows = spreadsheet_export.export_rows(actions, rag, rules)
    return _spreadsheet(rows, "-".join(name_parts), format)


# --- import ----------------------------------------------------------------------------------


def _stored_import(token: str) -> tuple[str, bytes]:
    data = staged_imports.load(current_storage().imports, token)
    if data is None:
        abort(400)
    return token, data


def _mapping_from_form(headers: list[str]) -> dict[str, int | None]:
    mapping: dict[str, int | None] = {}
    for name in tracker_import.IMPORT_FIELDS:
        raw = request.form.get(f"map-{name}", "")
        mapping[name] = int(raw) if raw.isdigit() and int(raw) < len(headers) else None
    return mapping


@blueprint.route("/actions/import", methods=["GET", "POST"])
@requires(Permission.IMPORT_ACTIONS)
def import_upload() -> Response | str:
    error = ""
    review_error = ""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = "Choose an XLSX, CSV or Word (DOCX) file to import"
        else:
            data = upload.stream.read(10 * 1024 * 1024 + 1)
            extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
            if len(data) > 10 * 1024 * 1024:
                error = "The file must be smaller than 10 MB"
            elif extension not in ("xlsx", "csv", "docx"):
                error = (
                    "The file must be an Excel workbook (.xlsx), a CSV file (.csv) or a Word "
                    "document (.docx)"
                )
            else:
                try:
                    tracker_import.read_sheet(upload.filename, data)
                except tracker_import.SpreadsheetError as problem:
                    error = str(problem)
                else:
                    try:
                        token = staged_imports.stage(current_storage().imports, extension, data)
                    except StorageError:
                        log.exception("a staged import could not be stored")
                        error = "The file could not be kept just now: try again in a few minutes"
                    else:
                        return redirect(
                            url_for(
                                "plan.import_preview",
                                token=token,
                                review=request.form.get("review", ""),
                            )
                        )
    return render_template(
        "plan/import.html", error=error, review_error=review_error, reviews=reviews_by_reference()
    )


@blueprint.route("/actions/import/<token>", methods=["GET", "POST"])
@requires(Permission.IMPORT_ACTIONS)
def import_preview(token: str) -> Response | str:
    token, data = _stored_import(token)
    sheet = tracker_import.read_sheet(token, data)
    headers = sheet.headers
    review_id = (
        request.form.get("review") if request.method == "POST" else None
    ) or request.args.get("review", "")
    default_review = (
        finding_service.get_review(int(review_id)) if str(review_id).isdigit() else None
    )
    mapping = _mapping_from_form(headers) if request.method == "POST" else None
    result = tracker_import.preview(sheet, mapping, default_review)
    confirm = request.form.get("confirm", "") if request.method == "POST" else ""
    problem = ""
    if confirm in ("all", "valid"):
        try:
            with transaction():
                applied = tracker_import.apply(result, _user(), only_valid=confirm == "valid")
                tracker_import.save_mapping(
                    headers,
                    result.mapping,
                    default_review.partnership_id if default_review is not None else None,
                )
        except FieldError as refused:
            problem = refused.message
        else:
            staged_imports.discard(current_storage().imports, token)
            flash(applied.summary, "success")
            if default_review is not None:
                return redirect(url_for("findings.list_findings", review_id=default_review.id))
            return redirect(url_for("plan.master_action_plan"))
    return render_template(
        "plan/preview.html",
        token=token,
        result=result,
        fields=tracker_import.IMPORT_FIELDS,
        required=tracker_import.REQUIRED_FIELDS,
        reviews=reviews_by_reference(),
        default_review=default_review,
        problem=problem,
        rejected_args={"token": token, "review": review_id or "", **_mapping_args(result)},
    )


def _mapping_args(result: tracker_import.ImportPreview) -> dict[str, str]:
    return {
        f"map-{name}": str(index) for name, index in result.mapping.items() if index is not None
    }


@blueprint.route("/actions/import/<token>/rejected.<format>")
@requires(Permission.IMPORT_ACTIONS)
def import_rejected(token: str, format: str) -> Response:
    """The rejected rows with their sheet row numbers and reasons, to fix and upload again."""
    if format not in ("xlsx", "csv"):
        abort(404)
    token, data = _stored_import(token)
    sheet = tracker_import.read_sheet(token, data)
    mapping: dict[str, int | None] = {}
    for name in tracker_import.IMPORT_FIELDS:
        raw = request.args.get(f"map-{name}", "")
        mapping[name] = int(raw) if raw.isdigit() and int(raw) < len(sheet.headers) else None
    review_id = request.args.get("review", "")
    default_review = finding_service.get_review(int(review_id)) if review_id.isdigit() else None
    result = tracker_import.preview(
        sheet, mapping if any(v is not None for v in mapping.values()) else None, default_review
    )
    return _spreadsheet(tracker_import.rejected_rows(result), "rejected-rows", format)
