"""Action pages: the action and its history, editing, progress with evidence, extension
requests and decisions, assurance, impact, and the agency lead workspace."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import (
    Action,
    ActionStatus,
    Finding,
    ImpactMethod,
    ImpactStatus,
    User,
)
from sgreviews.policy import (
    Permission,
    can_assure_action,
    can_manage_findings,
    can_update_action,
    can_view_action,
)
from sgreviews.services.accounts import users
from sgreviews.services.actions import evidence as evidence_service
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.rag import Rag, current_rules
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews import findings as finding_service
from sgreviews.web.access import requires
from sgreviews.web.actions.forms import (
    ActionForm,
    AssuranceForm,
    BulkUpdateForm,
    ExtensionDecisionForm,
    ExtensionForm,
    ImpactForm,
    ProgressForm,
)
from sgreviews.web.forms_common import add_error, choices_of, comparison
from sgreviews.web.paging import govuk_pagination
from sgreviews.web.transactions import attempts, transaction

blueprint = Blueprint("actions", __name__)


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def _settings() -> Any:
    return current_app.extensions["sgreviews.settings"]


def _action_or_404(action_id: int, *, history: bool = False) -> Action:
    if history:
        action = action_reads.get_action_with_history(action_id)
    else:
        action = action_reads.get_action(action_id)
    if action is None:
        abort(404)
    return action


def _record_denied(action: Action) -> None:
    """Keep the refusal in the audit trail. An append: while others write (SQLite lets one
    writer at a time) it is simply tried again, never answered with an error page."""
    for attempt in attempts():
        with attempt:
            action_service.record_denied(_user(), action, request.path)


def _view_or_403(action: Action) -> None:
    if not can_view_action(current_user, action):
        _record_denied(action)
        abort(403)


def _update_or_403(action: Action) -> None:
    if not can_update_action(current_user, action):
        _record_denied(action)
        abort(403)


def _rag_for(action: Action) -> Rag:
    return action_lists.ratings([action], london_today(), current_rules())[action.id]


# --- the action page -------------------------------------------------------------------------


@blueprint.route("/actions/<int:action_id>")
@requires(Permission.VIEW_ACTION)
def show(action_id: int) -> str:
    action = _action_or_404(action_id, history=True)
    _view_or_403(action)
    rules = current_rules()
    return render_template(
        "actions/show.html",
        action=action,
        rag=_rag_for(action),
        rules=rules,
        history=action_reads.history(action),
        pending=action_service.pending_extension(action),
        can_update=can_update_action(current_user, action),
        can_assure=can_assure_action(current_user, action),
        can_manage=can_manage_findings(current_user),
        human_size=evidence_service.human_size,
        today=london_today(),
    )


# --- create and edit -----------------------------------------------------------------------


def _fill_choices(form: ActionForm, findings: list[Finding]) -> None:
    form.findings.choices = choices_of(
        [(finding.id, f"{finding.label}: {finding.text[:120]}") for finding in findings]
    )
    agencies = organisations.list_agencies()
    form.owning_agency_id.choices = choices_of(
        [("", "Choose an agency")]
        + [(agency.id, agency.name) for agency in agencies if agency.is_active]
    )
    leads = action_reads.users_with_agencies()
    form.lead_user_id.choices = choices_of(
        [("", "No account: name below")]
        + [
            (user.id, f"{user.display_name} ({user.agency.name if user.agency else ''})")
            for user in leads
        ]
    )


def _fields_from(form: ActionForm) -> action_service.ActionFields:
    return action_service.ActionFields(
        outcome_sought=form.outcome_sought.data or "",
        action_text=form.action_text.data or "",
        measure_of_success=form.measure_of_success.data or "",
        owning_agency_id=form.owning_agency_id.data or 0,
        due_date=form.due_date.data,
        lead_user_id=form.lead_user_id.data,
        lead_name=form.lead_name.data,
        lead_subgroup=form.lead_subgroup.data,
        board_sponsor=form.board_sponsor.data,
        risk=form.risk.data,
    )


@blueprint.route("/reviews/<int:review_id>/actions/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_FINDINGS)
def create(review_id: int) -> Response | str:
    review = finding_service.review_with_findings(review_id)
    if review is None:
        abort(404)
    form = ActionForm()
    _fill_choices(form, list(review.findings))
    if request.method == "GET":
        finding_id = request.args.get("finding", type=int)
        if finding_id:
            form.findings.data = [finding_id]
    if form.validate_on_submit():
        chosen = [finding for finding in review.findings if finding.id in form.findings.data]
        try:
            with transaction():
                chosen += [
                    finding
                    for finding in finding_service.findings_by_labels(
                        form.other_findings.data or ""
                    )
                    if finding not in chosen
                ]
                action = action_service.create_action(
                    actor=_user(),
                    findings=chosen,
                    fields=_fields_from(form),
                    reference=form.reference.data,
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Action {action.reference} added.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/edit.html", form=form, review=review, action=None)


@blueprint.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_FINDINGS)
def edit(action_id: int) -> Response | str:
    action = _action_or_404(action_id)
    form = ActionForm(obj=action if request.method == "GET" else None)
    _fill_choices(form, list(action.findings))
    # The findings an action answers are fixed once created (they may span reviews).
    del form.findings
    del form.other_findings
    del form.reference
    stale: StaleEdit | None = None
    if request.method == "GET":
        form.version.data = str(action.version)
    elif form.validate_on_submit():
        try:
            with transaction():
                action_service.update_action(
                    actor=_user(),
                    action=action,
                    expected_version=int(form.version.data or 0),
                    fields=_fields_from(form),
                )
        except StaleEdit as error:
            stale = error
            action = _action_or_404(action_id)
            # The next save is against what is there now; the typed text stays in the form.
            form.version.data = str(action.version)
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Action {action.reference} saved.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    rows = []
    if stale is not None:
        rows = comparison(
            stale.current,
            form,
            [
                ("outcome_sought", "Outcome we want"),
                ("action_text", "Action we will take"),
                ("measure_of_success", "How we will measure it"),
                ("owning_agency_id", "Owning agency"),
                ("lead_user_id", "Named lead"),
                ("lead_name", "Named lead without an account"),
                ("lead_subgroup", "Lead subgroup"),
                ("board_sponsor", "Board sponsor"),
                ("due_date", "Due date"),
                ("risk", "Risk"),
            ],
            {
                "owning_agency_id": _agency_name,
                "lead_user_id": _user_name,
            },
        )
    return render_template(
        "actions/edit.html",
        form=form,
        review=None,
        action=action,
        stale=stale,
        comparison_rows=rows,
    )


def _agency_name(value: Any) -> str:
    return organisations.agency_name(int(value)) or str(value)


def _user_name(value: Any) -> str:
    user = users.get_user(int(value))
    return user.display_name if user is not None else str(value)


# --- progress and evidence ------------------------------------------------------------------


def _uploads(files: list[FileStorage]) -> list[evidence_service.Upload]:
    max_bytes = _settings().evidence_max_mb * 1024 * 1024
    uploads = []
    for storage in files:
        if not storage or not storage.filename:
            continue
        # Read one byte past the limit: enough to know it is too big without reading it all.
        data = storage.stream.read(max_bytes + 1)
        uploads.append(evidence_service.Upload(storage.filename, data))
    return uploads


@blueprint.route("/actions/<int:action_id>/progress", methods=["GET", "POST"])
@requires(Permission.UPDATE_ACTIONS)
def progress(action_id: int) -> Response | str:
    action = _action_or_404(action_id, history=True)
    _update_or_403(action)
    form = ProgressForm()
    stale: StaleEdit | None = None
    if request.method == "GET":
        form.status.data = (
            action.status.value
            if action.status.value in {choice.value for choice in form.status.choices}
            else ActionStatus.IN_PROGRESS.value
        )
        form.off_track.data = action.off_track
        form.version.data = str(action.version)
    elif form.validate_on_submit():
        settings = _settings()
        max_bytes = settings.evidence_max_mb * 1024 * 1024
        uploads = _uploads(request.files.getlist(form.evidence.name))
        try:
            # A note is an append: one that lost a race to another is simply added again.
            for attempt in attempts():
                with attempt:
                    for upload in uploads:
                        evidence_service.validate(upload, max_bytes)
                    update = action_service.record_progress(
                        actor=_user(),
                        action=action,
                        status=ActionStatus(form.status.data),
                        note=form.note.data or "",
                        off_track=bool(form.off_track.data),
                        has_new_evidence=bool(uploads),
                        expected_version=int(form.version.data or 0),
                    )
                    for upload in uploads:
                        evidence_service.store(
                            actor=_user(),
                            action=action,
                            update=update,
                            upload=upload,
                            evidence_dir=settings.evidence_dir,
                            max_bytes=max_bytes,
                        )
        except StaleEdit as error:
            stale = error
            action = _action_or_404(action_id, history=True)
            form.version.data = str(action.version)
        except FieldError as error:
            action = _action_or_404(action_id, history=True)
            add_error(form, error.field_name, error.message)
        else:
            flash("Progress update saved.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "actions/progress.html",
        form=form,
        action=action,
        stale=stale,
        comparison_rows=comparison(
            stale.current if stale else {},
            form,
            [("status", "Status")],
            {"status": lambda value: ActionStatus(value).label},
        )
        if stale
        else [],
        max_mb=_settings().evidence_max_mb,
    )


@blueprint.route("/actions/<int:action_id>/evidence/<int:evidence_id>")
@requires(Permission.VIEW_ACTION)
def download_evidence(action_id: int, evidence_id: int) -> Response:
    action = _action_or_404(action_id)
    _view_or_403(action)
    record = evidence_service.get(evidence_id)
    if record is None or record.action_id != action.id:
        abort(404)
    path = evidence_service.path_of(record, _settings().evidence_dir)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=record.content_type,
        as_attachment=True,
        download_name=record.file_name,
        max_age=0,
    )


# --- extensions ------------------------------------------------------------------------------


@blueprint.route("/actions/<int:action_id>/extension", methods=["GET", "POST"])
@requires(Permission.UPDATE_ACTIONS)
def request_extension(action_id: int) -> Response | str:
    action = _action_or_404(action_id, history=True)
    _update_or_403(action)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                action_service.request_extension(
                    actor=_user(),
                    action=action,
                    new_due_date=form.new_due_date.data,
                    reason=form.reason.data or "",
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash("Extension requested. The secretariat will approve or decline it.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/extension.html", form=form, action=action)


@blueprint.route("/actions/<int:action_id>/extensions/<int:request_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_FINDINGS)
def decide_extension(action_id: int, request_id: int) -> Response | str:
    action = _action_or_404(action_id, history=True)
    # The action came with its extension requests.
    extension = next((r for r in action.extension_requests if r.id == request_id), None)
    if extension is None or extension.action_id != action.id:
        abort(404)
    form = ExtensionDecisionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                action_service.decide_extension(
                    actor=_user(),
                    request=extension,
                    approve=form.decision.data == "approve",
                    note=form.note.data or "",
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Extension {extension.status.label.lower()}.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "actions/extension_decision.html", form=form, action=action, extension=extension
    )


# --- assurance and impact --------------------------------------------------------------------


@blueprint.route("/actions/<int:action_id>/assurance", methods=["GET", "POST"])
@requires(Permission.ASSURE_ACTIONS)
def assurance(action_id: int) -> Response | str:
    action = _action_or_404(action_id, history=True)
    form = AssuranceForm()
    if form.validate_on_submit():
        actor, note = _user(), form.note.data or ""
        try:
            with transaction():
                if form.decision.data == "assure":
                    action_service.assure(actor=actor, action=action, note=note)
                elif form.decision.data == "send_back":
                    action_service.send_back(actor=actor, action=action, reason=note)
                else:
                    action_service.close_action(
                        actor=actor,
                        action=action,
                        superseded=form.decision.data == "supersede",
                        reason=note,
                    )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Action {action.reference} is now {action.status.label.lower()}.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "actions/assurance.html",
        form=form,
        action=action,
        rag=_rag_for(action),
        rules=current_rules(),
    )


@blueprint.route("/actions/<int:action_id>/impact", methods=["GET", "POST"])
@requires(Permission.ASSURE_ACTIONS)
def impact(action_id: int) -> Response | str:
    action = _action_or_404(action_id)
    form = ImpactForm()
    if request.method == "GET":
        form.impact_status.data = action.impact_status.value
        form.method.data = action.impact_method.value if action.impact_method else ""
        form.assessment_on.process_data(action.impact_assessment_on)
        form.note.data = action.impact_note
    if form.validate_on_submit():
        try:
            with transaction():
                action_service.record_impact(
                    actor=_user(),
                    action=action,
                    impact_status=ImpactStatus(form.impact_status.data),
                    method=ImpactMethod(form.method.data) if form.method.data else None,
                    assessment_on=form.assessment_on.data,
                    note=form.note.data or "",
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash("Impact saved.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/impact.html", form=form, action=action)


# --- the agency lead workspace ----------------------------------------------------------------

DUE_WINDOWS = {
    "overdue": "Overdue",
    "30": "Due in the next 30 days",
    "90": "Due in the next 90 days",
    "later": "Due later than 90 days",
}


def workspace_filter(args: Any, agency_id: int, today: date) -> action_lists.ActionFilter:
    filters = action_lists.ActionFilter(agency_id=agency_id)
    for value in args.getlist("status"):
        try:
            filters.statuses.append(ActionStatus(value))
        except ValueError:
            continue
    for value in args.getlist("rag"):
        try:
            filters.rags.append(Rag(value))
        except ValueError:
            continue
    window = args.get("due", "")
    if window == "overdue":
        filters.overdue = True
    elif window in ("30", "90"):
        filters.due_after = today
        filters.due_before = today + timedelta(days=int(window))
    elif window == "later":
        filters.due_after = today + timedelta(days=91)
    filters.review_id = args.get("review", type=int)
    return filters


@blueprint.route("/agency/actions", methods=["GET", "POST"])
@requires(Permission.VIEW_AGENCY_ACTIONS)
def agency_actions() -> Response | str:
    user = _user()
    agency = user.agency
    if agency is None:
        abort(403)
    today = london_today()
    rules = current_rules()
    form = BulkUpdateForm()
    filters = workspace_filter(request.args, agency.id, today)
    listed = action_lists.list_actions_page(
        filters, today, rules, page=request.args.get("page", 1, type=int) or 1
    )
    actions, rag = listed.actions, listed.rag
    form.selected.choices = choices_of([(action.id, action.reference) for action in actions])
    if request.method == "POST":
        # Bulk update: only actions of the user's own agency can be chosen at all.
        form.selected.choices = choices_of(
            [
                (action.id, action.reference)
                for action in action_lists.list_actions(
                    action_lists.ActionFilter(agency_id=agency.id), today, rules
                )[0]
            ]
        )
        if form.validate_on_submit():
            chosen = action_reads.actions_by_ids(form.selected.data or [])
            if not chosen:
                add_error(form, "selected", "Select at least one action to update")
            else:
                try:
                    with transaction():
                        result = action_service.bulk_progress(
                            actor=user,
                            actions=chosen,
                            status=ActionStatus(form.status.data) if form.status.data else None,
                            note=form.note.data or "",
                        )
                except FieldError as error:
                    add_error(form, error.field_name, error.message)
                else:
                    if result.updated:
                        flash(f"Updated {', '.join(result.updated)}.", "success")
                    for refused in result.refused:
                        flash(f"Not updated: {refused}", "info")
                    return redirect(request.full_path)
        elif "selected" in form.errors:
            form.selected.errors = ["Select at least one action to update"]
    return render_template(
        "actions/workspace.html",
        agency=agency,
        actions=actions,
        rag=rag,
        rules=rules,
        form=form,
        today=today,
        statuses=list(ActionStatus),
        rags=list(Rag),
        windows=DUE_WINDOWS,
        reviews=action_reads.reviews_for_agency(agency.id),
        pending=action_reads.pending_extension_counts([action.id for action in actions]),
        args=request.args,
        bulk_statuses=form.status.choices,
        listed=listed,
        pagination=_workspace_pagination(listed),
    )


def _workspace_pagination(listed: action_lists.ActionPage) -> dict[str, Any] | None:
    """Page links that keep the filters (the query string, less the page)."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]

    def href(number: int) -> str:
        return url_for("actions.agency_actions") + "?" + urlencode([*kept, ("page", number)])

    return govuk_pagination(listed.page, listed.pages, href, "Pages of your agency's actions")
