"""Actions: the action page with its history, creating an action from a review's findings,
and editing it (a stale edit shows what changed).

The blueprint's other pages: `progress_views` (progress and evidence), `extension_views`
(extension requests and decisions), `assurance_views` (assurance, closing, impact) and
`workspace_views` (the agency lead's list and bulk update); all register on the one
blueprint of `common`.

Views are thin: parse the form, call one service inside one transaction, redirect; a refused
input goes back beside its field."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import Finding
from sgreviews.policy import Permission, can_assure_action, can_manage_findings, can_update_action
from sgreviews.services.accounts import users
from sgreviews.services.actions import evidence as evidence_service
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.learning import action_hints
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews import findings as finding_service
from sgreviews.web.access import requires
from sgreviews.web.actions.common import (
    action_or_404,
    blueprint,
    rag_for,
    signed_in_user,
    view_or_403,
)
from sgreviews.web.actions.forms import ActionForm
from sgreviews.web.forms_common import add_error, choices_of, comparison
from sgreviews.web.transactions import transaction

# --- the action page -------------------------------------------------------------------------


@blueprint.route("/actions/<int:action_id>")
@requires(Permission.VIEW_ACTION)
def show(action_id: int) -> str:
    action = action_or_404(action_id, history=True)
    view_or_403(action)
    rules = current_rules()
    return render_template(
        "actions/show.html",
        action=action,
        rag=rag_for(action),
        rules=rules,
        history=action_reads.history(action),
        pending=action_service.pending_extension(action),
        can_update=can_update_action(current_user, action),
        can_assure=can_assure_action(current_user, action),
        can_manage=can_manage_findings(current_user),
        hints=action_hints.hints_for_action(action) if action.status.is_open else [],
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


def _draft_hints(form: ActionForm) -> list[action_hints.Hint]:
    """The quality hints for the action as typed (the form need not be valid)."""
    return action_hints.hints(
        action_hints.Draft(
            outcome=form.outcome_sought.data or "",
            action_text=form.action_text.data or "",
            measure=form.measure_of_success.data or "",
            due_date=form.due_date.data if not form.due_date.errors else None,
            lead_named=bool(form.lead_user_id.data) or bool((form.lead_name.data or "").strip()),
        )
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
        added_on=form.added_on.data,
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
        form.added_on.data = london_today()
        finding_id = request.args.get("finding", type=int)
        if finding_id:
            form.findings.data = [finding_id]
    if form.check.data and request.method == "POST":
        form.validate()
        for field in form:
            field.errors = []
        return render_template(
            "actions/edit.html", form=form, review=review, action=None, hints=_draft_hints(form)
        )
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
                    actor=signed_in_user(),
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
    action = action_or_404(action_id)
    form = ActionForm(obj=action if request.method == "GET" else None)
    _fill_choices(form, list(action.findings))
    # The findings an action answers are fixed once created (they may span reviews).
    del form.findings
    del form.other_findings
    del form.reference
    stale: StaleEdit | None = None
    hints: list[action_hints.Hint] | None = None
    if request.method == "GET":
        form.version.data = str(action.version)
    elif form.check.data:
        form.validate()
        hints = _draft_hints(form)
        for field in form:
            field.errors = []
    elif form.validate_on_submit():
        try:
            with transaction():
                action_service.update_action(
                    actor=signed_in_user(),
                    action=action,
                    expected_version=int(form.version.data or 0),
                    fields=_fields_from(form),
                )
        except StaleEdit as error:
            stale = error
            action = action_or_404(action_id)
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
        hints=hints,
    )


def _agency_name(value: Any) -> str:
    return organisations.agency_name(int(value)) or str(value)


def _user_name(value: Any) -> str:
    user = users.get_user(int(value))
    return user.display_name if user is not None else str(value)
