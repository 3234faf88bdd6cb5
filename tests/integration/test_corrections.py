"""Corrections with a trail (issue 20): evidence removed or replaced with a reason, a
progress note corrected keeping its earlier text."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import ActionUpdate, AuditEvent, EvidenceFile, Role
from tests.conftest import page_text
from tests.integration.test_actions_pages import PDF, World
from tests.integration.test_actions_pages import world as actions_world

Clients = Callable[..., FlaskClient]
world = actions_world  # the same two agencies, review, finding and actions


def _upload(app: Flask, lead: FlaskClient, action_id: int, name: str) -> int:
    page = lead.get(f"/actions/{action_id}/progress").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = lead.post(
        f"/actions/{action_id}/progress",
        data={
            "status": "in_progress",
            "note": "Audit started; first sample attached",
            "version": version,
            "evidence": (io.BytesIO(PDF), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        return db.session.scalars(select(EvidenceFile.id).order_by(EvidenceFile.id.desc())).first()  # type: ignore[return-value]


def test_evidence_removed_with_a_reason_is_gone_except_to_administrators(
    app: Flask, client_for: Clients, world: World
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    evidence_id = _upload(app, lead, world.action_id, "Sample with a real name.pdf")
    remove_url = f"/actions/{world.action_id}/evidence/{evidence_id}/remove"
    # No reason: refused beside the field, and the file is still there.
    refused = lead.post(remove_url, data={"reason": ""})
    assert refused.status_code == 200
    assert "Error: " in page_text(refused) and "Enter why the file is being removed" in page_text(
        refused
    )
    assert lead.get(f"/actions/{world.action_id}/evidence/{evidence_id}").status_code == 200
    # Another agency's lead cannot remove it.
    stranger = client_for(Role.AGENCY_LEAD, world.other)
    assert stranger.post(remove_url, data={"reason": "Not mine"}).status_code == 403

    response = lead.post(remove_url, data={"reason": "It names a family member"})
    assert response.status_code == 302, page_text(response)
    for client in (lead, client_for(Role.SECRETARIAT), client_for(Role.CHAIR)):
        assert client.get(f"/actions/{world.action_id}/evidence/{evidence_id}").status_code == 410
    shown = page_text(lead.get(f"/actions/{world.action_id}"))
    assert "It names a family member" in shown
    assert "Sample_with_a_real_name.pdf" not in shown
    # Removing twice is refused (the page is gone).
    assert lead.get(remove_url).status_code == 404
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "evidence_removed")
        )
        assert event.entity_id == world.action_id
        assert event.after and event.after["reason"] == "It names a family member"
    # The administrator reads it during the retention period; nobody else does.
    admin = client_for(Role.ADMINISTRATOR)
    listing = page_text(admin.get("/admin/removed-evidence"))
    assert "Sample_with_a_real_name.pdf" in listing and "It names a family member" in listing
    download = admin.get(f"/admin/removed-evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF
    for role in (Role.SECRETARIAT, Role.CHAIR, Role.AGENCY_LEAD, Role.PRACTITIONER):
        assert client_for(role).get(f"/admin/removed-evidence/{evidence_id}").status_code == 403


def test_removed_evidence_is_unreadable_after_the_retention_period_and_purged(
    app: Flask, client_for: Clients, world: World
) -> None:
    from datetime import timedelta

    from sgreviews.services.actions import evidence

    lead = client_for(Role.AGENCY_LEAD, world.own)
    evidence_id = _upload(app, lead, world.action_id, "Old.pdf")
    lead.post(
        f"/actions/{world.action_id}/evidence/{evidence_id}/remove", data={"reason": "Wrong file"}
    )
    settings = app.extensions["sgreviews.settings"]
    with app.app_context():
        record = db.session.get(EvidenceFile, evidence_id)
        assert record is not None and record.removed_at is not None
        record.removed_at -= timedelta(days=settings.removed_evidence_retention_days + 1)
        db.session.commit()
    admin = client_for(Role.ADMINISTRATOR)
    assert admin.get(f"/admin/removed-evidence/{evidence_id}").status_code == 404
    with app.app_context():
        record = db.session.get(EvidenceFile, evidence_id)
        assert record is not None
        store = app.extensions["sgreviews.storage"].evidence
        assert store.exists(record.stored_name)
        days = settings.removed_evidence_retention_days
        assert evidence.purge_removed(store, days) == 1
        assert not store.exists(record.stored_name)
        assert evidence.purge_removed(store, days) == 0


def test_evidence_replaced_keeps_the_trail(app: Flask, client_for: Clients, world: World) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    evidence_id = _upload(app, lead, world.action_id, "Draft.pdf")
    response = lead.post(
        f"/actions/{world.action_id}/evidence/{evidence_id}/remove",
        data={"reason": "Wrong version", "replacement": (io.BytesIO(PDF), "Final.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        files = list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))
        assert [(f.file_name, f.removed_at is None) for f in files] == [
            ("Draft.pdf", False),
            ("Final.pdf", True),
        ]
        assert files[0].update_id == files[1].update_id
    shown = page_text(lead.get(f"/actions/{world.action_id}"))
    assert "Final.pdf" in shown and "Wrong version" in shown


def test_replacement_that_is_not_what_it_claims_is_refused_and_nothing_removed(
    app: Flask, client_for: Clients, world: World
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    evidence_id = _upload(app, lead, world.action_id, "Draft.pdf")
    response = lead.post(
        f"/actions/{world.action_id}/evidence/{evidence_id}/remove",
        data={"reason": "Wrong version", "replacement": (io.BytesIO(b"MZ\x00"), "Final.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "is not a real PDF file" in page_text(response)
    with app.app_context():
        record = db.session.get(EvidenceFile, evidence_id)
        assert record is not None and record.removed_at is None


def test_progress_note_corrected_keeps_the_earlier_text(
    app: Flask, client_for: Clients, world: World
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    _upload(app, lead, world.action_id, "Sample.pdf")
    with app.app_context():
        update_id = db.session.scalar(select(ActionUpdate.id))
    url = f"/actions/{world.action_id}/updates/{update_id}/correct"
    assert "Audit started; first sample attached" in page_text(lead.get(url))
    refused = lead.post(url, data={"note": "Audit started; 20 records sampled", "reason": ""})
    assert "Enter why the note is being corrected" in page_text(refused)
    stranger = client_for(Role.AGENCY_LEAD, world.other)
    assert stranger.post(url, data={"note": "x", "reason": "y"}).status_code == 403
    response = lead.post(
        url, data={"note": "Audit started; 20 records sampled", "reason": "Wrong count"}
    )
    assert response.status_code == 302, page_text(response)
    shown = page_text(lead.get(f"/actions/{world.action_id}"))
    assert "Audit started; 20 records sampled" in shown
    assert "Audit started; first sample attached" in shown and "Wrong count" in shown
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "progress_corrected")
        )
        assert event.before == {"update": update_id, "note": "Audit started; first sample attached"}


def test_briefing_reflections_accumulate_with_their_dates(app: Flask, client_for: Clients) -> None:
    from tests import factories
    from tests.briefing_helpers import published_briefing

    with app.app_context():
        briefing_id = published_briefing(factories.user(Role.SECRETARIAT)).id
        db.session.commit()
    practitioner = client_for(Role.PRACTITIONER)
    path = f"/briefings/{briefing_id}"
    practitioner.post(path, data={"reflection": "Ask who else lives there."})
    practitioner.post(path, data={"reflection": "Test the account against the history."})
    # A double submit of the same text is kept once.
    practitioner.post(path, data={"reflection": "Test the account against the history."})
    text = page_text(practitioner.get(path))
    assert "Your reflection: Ask who else lives there." in text
    assert "Your reflection: Test the account against the history." in text
    assert text.count("Test the account against the history.") == 1
    reach = page_text(client_for(Role.CHAIR).get(f"/briefings/{briefing_id}/reach"))
    assert "Ask who else lives there." in reach
    assert "Test the account against the history." in reach


def test_master_action_plan_filters_by_agency_status_rag_and_words(
    app: Flask, client_for: Clients, world: World
) -> None:
    from datetime import timedelta

    from sgreviews.clock import london_today
    from sgreviews.models import ActionStatus
    from tests import factories

    with app.app_context():
        factories.action(
            world.other,
            action_text="Long overdue relaunch of the escalation procedure",
            due_date=london_today() - timedelta(days=10),
            status=ActionStatus.IN_PROGRESS,
        )
        db.session.commit()
    chair = client_for(Role.CHAIR)

    def plan(query: str) -> str:
        return page_text(chair.get(f"/master-action-plan?{query}"))

    everything = plan("")
    assert "Own agency's action" in everything and "Long overdue relaunch" in everything
    own = plan(f"agency={world.own_id}")
    assert "Own agency's action" in own and "Long overdue relaunch" not in own
    red = plan("rag=red")
    assert "Long overdue relaunch" in red and "Own agency's action" not in red
    assert "1 open action" in red
    in_progress = plan("status=in_progress")
    assert "Long overdue relaunch" in in_progress and "Own agency's action" in in_progress
    assert "Other agency's action" not in in_progress  # not started
    words = plan("q=ESCALATION+relaunch")
    assert "Long overdue relaunch" in words and "Own agency's action" not in words
    assert "No open actions match" in plan("q=100%25_")
    assert "No open actions match" in plan(f"agency={world.own_id}&rag=red")
    # The download holds the same filtered plan.
    download = chair.get("/master-action-plan/export.csv?rag=red")
    assert b"Long overdue relaunch" in download.data and b"Own agency" not in download.data
