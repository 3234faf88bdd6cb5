"""Assurance of a completed action (assure, send back, close or supersede) and the record
of its impact.

Views are thin: parse the form, call one service inside one transaction, redirect; a refused
input goes back beside its field."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sgreviews.models import ImpactMethod, ImpactStatus
from sgreviews.policy import Permission
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.editing import FieldError
from sgreviews.web.access import requires
from sgreviews.web.actions.common import action_or_404, blueprint, rag_for, signed_in_user
from sgreviews.web.actions.forms import AssuranceForm, ImpactForm
from sgreviews.web.forms_common import add_error
from sgreviews.web.transactions import transaction


@blueprint.route("/actions/<int:action_id>/assurance", methods=["GET", "POST"])
@requires(Permission.ASSURE_ACTIONS)
def assurance(action_id: int) -> Response | str:
    action = action_or_404(action_id, history=True)
    form = AssuranceForm()
    if form.validate_on_submit():
        actor, note = signed_in_user(), form.note.data or ""
        effective_on = form.effective_on.data
        try:
            with transaction():
                if form.decision.data == "assure":
                    action_service.assure(
                        actor=actor, action=action, note=note, effective_on=effective_on
                    )
                elif form.decision.data == "send_back":
                    action_service.send_back(
                        actor=actor, action=action, reason=note, effective_on=effective_on
                    )
                else:
                    action_service.close_action(
                        actor=actor,
                        action=action,
                        superseded=form.decision.data == "supersede",
                        reason=note,
                        effective_on=effective_on,
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
        rag=rag_for(action),
        rules=current_rules(),
    )


@blueprint.route("/actions/<int:action_id>/impact", methods=["GET", "POST"])
@requires(Permission.ASSURE_ACTIONS)
def impact(action_id: int) -> Response | str:
    action = action_or_404(action_id)
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
                    actor=signed_in_user(),
                    action=action,
                    impact_status=ImpactStatus(form.impact_status.data),
                    method=ImpactMethod(form.method.data) if form.method.data else None,
                    assessment_on=form.assessment_on.data,
                    note=form.note.data or "",
                    effective_on=form.effective_on.data,
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash("Impact saved.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/impact.html", form=form, action=action)
