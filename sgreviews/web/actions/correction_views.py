"""Corrections with a trail (issue 20): removing or replacing an evidence file uploaded by
mistake, correcting a progress note, and the administrator's reading of removed files
during their retention period.

Views are thin: parse, one service call inside one transaction, redirect; a refused input
goes back beside its field."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.models import EvidenceFile
from sgreviews.policy import Permission, can_download_evidence
from sgreviews.services.actions import corrections as correction_service
from sgreviews.services.actions import evidence as evidence_service
from sgreviews.services.editing import FieldError
from sgreviews.services.storage import MissingFile, current_storage
from sgreviews.web.access import requires
from sgreviews.web.actions.common import action_or_404, blueprint, signed_in_user, update_or_403
from sgreviews.web.actions.forms import CorrectUpdateForm, RemoveEvidenceForm
from sgreviews.web.forms_common import add_error
from sgreviews.web.transactions import transaction


def _settings() -> Any:
    return current_app.extensions["sgreviews.settings"]


def _evidence_of(action_id: int, evidence_id: int) -> EvidenceFile:
    record = evidence_service.get(evidence_id)
    if record is None or record.action_id != action_id:
        abort(404)
    return record


@blueprint.route(
    "/actions/<int:action_id>/evidence/<int:evidence_id>/remove", methods=["GET", "POST"]
)
@requires(Permission.UPDATE_ACTIONS)
def remove_evidence(action_id: int, evidence_id: int) -> Response | str:
    action = action_or_404(action_id)
    update_or_403(action)
    record = _evidence_of(action.id, evidence_id)
    if record.removed_at is not None:
        abort(404)
    form = RemoveEvidenceForm()
    if form.validate_on_submit():
        settings = _settings()
        max_bytes = settings.evidence_max_mb * 1024 * 1024
        files = [f for f in request.files.getlist(form.replacement.name) if f and f.filename]
        replacement = (
            evidence_service.Upload(files[0].filename or "", files[0].stream.read(max_bytes + 1))
            if files
            else None
        )
        try:
            with transaction():
                evidence_service.remove(
                    actor=signed_in_user(),
                    record=record,
                    reason=form.reason.data or "",
                    replacement=replacement,
                    files=current_storage().evidence,
                    max_bytes=max_bytes,
                )
        except FieldError as error:
            field = "replacement" if error.field_name == "evidence" else error.field_name
            add_error(form, field, error.message)
        else:
            flash(
                "The file was removed and replaced." if replacement else "The file was removed.",
                "success",
            )
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "actions/remove_evidence.html",
        form=form,
        action=action,
        record=record,
        human_size=evidence_service.human_size,
        retention_days=_settings().removed_evidence_retention_days,
    )


@blueprint.route(
    "/actions/<int:action_id>/updates/<int:update_id>/correct", methods=["GET", "POST"]
)
@requires(Permission.UPDATE_ACTIONS)
def correct_update(action_id: int, update_id: int) -> Response | str:
    action = action_or_404(action_id)
    update_or_403(action)
    update = correction_service.get_update(update_id)
    if update is None or update.action_id != action.id:
        abort(404)
    form = CorrectUpdateForm()
    if request.method == "GET":
        form.note.data = update.note
    elif form.validate_on_submit():
        try:
            with transaction():
                correction_service.correct_update(
                    actor=signed_in_user(),
                    update=update,
                    note=form.note.data or "",
                    reason=form.reason.data or "",
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash("The progress note was corrected; the earlier text is kept.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/correct_update.html", form=form, action=action, update=update)


@blueprint.route("/admin/removed-evidence")
@requires(Permission.READ_REMOVED_EVIDENCE)
def removed_evidence() -> str:
    days = _settings().removed_evidence_retention_days
    return render_template(
        "actions/removed_evidence.html",
        files=evidence_service.removed_within_retention(days),
        retention_days=days,
        retention_ends=lambda record: evidence_service.retention_ends(record, days),
        human_size=evidence_service.human_size,
    )


@blueprint.route("/admin/removed-evidence/<int:evidence_id>")
@requires(Permission.READ_REMOVED_EVIDENCE)
def download_removed_evidence(evidence_id: int) -> Response:
    record = evidence_service.get(evidence_id)
    if record is None or record.removed_at is None:
        abort(404)
    days = _settings().removed_evidence_retention_days
    if not can_download_evidence(
        current_user,
        record.action,
        record,
        within_retention=evidence_service.within_retention(record, days),
    ):
        abort(404)
    try:
        data = evidence_service.read(record, current_storage().evidence)
    except MissingFile:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=record.content_type,
        as_attachment=True,
        download_name=record.file_name,
        max_age=0,
    )
