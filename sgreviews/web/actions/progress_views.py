"""Progress on an action: the lead's update with its evidence files, and downloading and
deleting evidence (the files live in the evidence store: a folder or an S3 bucket).

Views are thin: parse the form, call one service inside one transaction, redirect; a refused
input goes back beside its field."""

from __future__ import annotations

import io
import logging
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from sgreviews.models import ActionStatus
from sgreviews.policy import Permission
from sgreviews.services.actions import evidence as evidence_service
from sgreviews.services.actions import writes as action_service
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.storage import MissingFile, StorageError, current_storage
from sgreviews.web.access import requires
from sgreviews.web.actions.common import (
    action_or_404,
    blueprint,
    signed_in_user,
    update_or_403,
    view_or_403,
)
from sgreviews.web.actions.forms import ProgressForm
from sgreviews.web.forms_common import add_error, comparison
from sgreviews.web.transactions import attempts

log = logging.getLogger(__name__)
STORAGE_DOWN = (
    "The evidence store cannot be reached just now, so nothing was saved: try again in a "
    "few minutes"
)


def _settings() -> Any:
    return current_app.extensions["sgreviews.settings"]


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
    action = action_or_404(action_id, history=True)
    update_or_403(action)
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
                        actor=signed_in_user(),
                        action=action,
                        status=ActionStatus(form.status.data),
                        note=form.note.data or "",
                        off_track=bool(form.off_track.data),
                        has_new_evidence=bool(uploads),
                        expected_version=int(form.version.data or 0),
                        effective_on=form.effective_on.data,
                    )
                    for upload in uploads:
                        evidence_service.store(
                            actor=signed_in_user(),
                            action=action,
                            update=update,
                            upload=upload,
                            files=current_storage().evidence,
                            max_bytes=max_bytes,
                        )
        except StaleEdit as error:
            stale = error
            action = action_or_404(action_id, history=True)
            form.version.data = str(action.version)
        except FieldError as error:
            action = action_or_404(action_id, history=True)
            add_error(form, error.field_name, error.message)
        except StorageError:
            log.exception("evidence could not be stored")
            action = action_or_404(action_id, history=True)
            add_error(form, "evidence", STORAGE_DOWN)
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


def _evidence_or_404(action_id: int, evidence_id: int) -> Any:
    record = evidence_service.get(evidence_id)
    if record is None or record.action_id != action_id:
        abort(404)
    return record


@blueprint.route("/actions/<int:action_id>/evidence/<int:evidence_id>")
@requires(Permission.VIEW_ACTION)
def download_evidence(action_id: int, evidence_id: int) -> Response:
    action = action_or_404(action_id)
    view_or_403(action)
    record = _evidence_or_404(action.id, evidence_id)
    if record.removed_at is not None:
        # Removed (issue 20): gone for everyone here; administrators read it, during the
        # retention period, from the removed-evidence page.
        abort(410)
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
