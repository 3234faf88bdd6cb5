"""Extensions of an action's due date: the lead asks, the secretariat approves or
declines.

Views are thin: parse the form, call one service inside one transaction, redirect; a refused
input goes back beside its field."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from sgreviews.policy import Permission
from sgreviews.services.actions import writes as action_service
from sgreviews.services.editing import FieldError
from sgreviews.web.access import requires
from sgreviews.web.actions.common import action_or_404, blueprint, signed_in_user, update_or_403
from sgreviews.web.actions.forms import ExtensionDecisionForm, ExtensionForm
from sgreviews.web.forms_common import add_error
from sgreviews.web.transactions import transaction


@blueprint.route("/actions/<int:action_id>/extension", methods=["GET", "POST"])
@requires(Permission.UPDATE_ACTIONS)
def request_extension(action_id: int) -> Response | str:
    action = action_or_404(action_id, history=True)
    update_or_403(action)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                action_service.request_extension(
                    actor=signed_in_user(),
                    action=action,
                    new_due_date=form.new_due_date.data,
                    reason=form.reason.data or "",
                    effective_on=form.effective_on.data,
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
    action = action_or_404(action_id, history=True)
    # The action came with its extension requests.
    extension = next((r for r in action.extension_requests if r.id == request_id), None)
    if extension is None or extension.action_id != action.id:
        abort(404)
    form = ExtensionDecisionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                action_service.decide_extension(
                    actor=signed_in_user(),
                    request=extension,
                    approve=form.decision.data == "approve",
                    note=form.note.data or "",
                    effective_on=form.effective_on.data,
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Extension {extension.status.label.lower()}.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "actions/extension_decision.html", form=form, action=action, extension=extension
    )
