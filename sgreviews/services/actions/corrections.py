"""Correcting a progress note (issue 20): the note takes the corrected text, and the text
it replaced is kept as a revision (who, when, why), shown in the action's history and
written to the audit trail. Only the note's text changes: its status move stays as it was
recorded (a wrong status is put right by a new update, which the history shows)."""

from __future__ import annotations

from sgreviews.extensions import db
from sgreviews.models import ActionUpdate, User
from sgreviews.models.action import ActionUpdateRevision, UpdateKind
from sgreviews.services import audit
from sgreviews.services.editing import FieldError


def get_update(update_id: int) -> ActionUpdate | None:
    return db.session.get(ActionUpdate, update_id)


def correct_update(*, actor: User, update: ActionUpdate, note: str, reason: str) -> None:
    """Replace a progress note's text, keeping the earlier text with the reason."""
    note, reason = note.strip(), reason.strip()
    if update.kind is not UpdateKind.PROGRESS:
        raise FieldError("note", "Only a progress note can be corrected")
    if not note:
        raise FieldError("note", "Enter the corrected note")
    if not reason:
        raise FieldError("reason", "Enter why the note is being corrected")
    if note == update.note:
        raise FieldError("note", "The corrected note is the same as the note recorded")
    earlier = update.note
    update.revisions.append(
        ActionUpdateRevision(note=earlier, reason=reason, replaced_by_id=actor.id)
    )
    update.note = note
    db.session.flush()
    audit.record(
        actor,
        "action",
        update.action_id,
        "progress_corrected",
        before={"update": update.id, "note": earlier},
        after={"update": update.id, "note": note, "reason": reason},
    )
