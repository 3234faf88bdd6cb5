"""Demo detail for findings and actions (fictional): the SMART fields the core demo does
not fill, agencies involved, off-track and pending extension examples, and text evidence
files, so every page has something to show."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    EvidenceFile,
    ExtensionRequest,
    ImpactMethod,
    ImpactStatus,
    User,
)
from sgreviews.services.storage import FileStore

SUBGROUPS = [
    "Case review subgroup",
    "Learning and development subgroup",
    "Quality assurance subgroup",
]
SPONSORS = [
    "Director of children's services",
    "Chief superintendent, public protection",
    "Chief nurse, ICB",
]
RISKS = [
    "Competing priorities in the agency may delay the change.",
    "Depends on a system supplier's release date.",
    "Low: the change is within the agency's control.",
]


def add_action_detail(today: date, files: FileStore | None = None) -> None:
    """Fill in the demo actions' extra fields and add a few history examples. Evidence
    files go to the running app's evidence store (a folder or a bucket)."""
    if files is None and has_app_context():
        files = current_app.extensions["sgreviews.storage"].evidence
    actions = list(
        db.session.scalars(
            select(Action)
            .options(selectinload(Action.findings), selectinload(Action.updates))
            .order_by(Action.id)
        )
    )
    for number, action in enumerate(actions):
        action.lead_subgroup = SUBGROUPS[number % len(SUBGROUPS)]
        action.board_sponsor = SPONSORS[number % len(SPONSORS)]
        action.risk = RISKS[number % len(RISKS)]
        for finding in action.findings:
            if action.owning_agency not in finding.agencies_involved:
                finding.agencies_involved.append(action.owning_agency)
        if action.status is ActionStatus.CLOSED_NOT_IMPLEMENTED:
            action.closure_reason = "Overtaken by the new national procedure."
        if action.status is ActionStatus.SUPERSEDED:
            action.closure_reason = "Superseded by the thematic action plan."
        if action.impact_status is ImpactStatus.PLANNED:
            action.impact_method = ImpactMethod.AUDIT
            action.impact_assessment_on = today + timedelta(days=90)
        for update in action.updates:
            update.previous_status = ActionStatus.NOT_STARTED
        if action.status is ActionStatus.IN_PROGRESS and number % 5 == 0:
            action.off_track = True
    leads = {
        user.agency_id: user
        for user in db.session.scalars(select(User).where(User.agency_id.is_not(None)))
    }
    open_actions = [action for action in actions if action.status.is_open]
    for action in open_actions[1:12:4]:
        db.session.add(
            ExtensionRequest(
                action=action,
                requested_by_id=leads[action.owning_agency_id].id
                if action.owning_agency_id in leads
                else None,
                due_date_at_request=action.due_date,
                requested_due_date=action.due_date + timedelta(days=60),
                reason="The audit needs a full quarter of data; the system change went live late.",
            )
        )
    if files is not None:
        completed = [
            a for a in actions if a.status in (ActionStatus.COMPLETED, ActionStatus.ASSURED)
        ]
        for action in completed:
            content = (
                f"Evidence note for action {action.reference} (fictional demo data).\n"
                "Dip sample completed; results shared with the subgroup.\n"
            ).encode()
            stored = secrets.token_hex(20)
            files.put(stored, content)
            db.session.add(
                EvidenceFile(
                    action=action,
                    update=action.updates[-1] if action.updates else None,
                    uploaded_by_id=leads[action.owning_agency_id].id
                    if action.owning_agency_id in leads
                    else None,
                    file_name=f"evidence-{action.reference.replace('/', '-')}.txt",
                    stored_name=stored,
                    content_type="text/plain",
                    size_bytes=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            )
    db.session.flush()


__all__ = ["add_action_detail"]
