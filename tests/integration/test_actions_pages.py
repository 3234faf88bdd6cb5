"""Action, finding, workspace, Master Action Plan and import pages, per role."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import event, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Agency,
    AuditEvent,
    EvidenceFile,
    ExtensionRequest,
    Finding,
    Role,
)
from sgreviews.services.editing import FieldError
from tests import factories
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclasses.dataclass
class World:
    own: Agency
    other: Agency
    own_id: int
    other_id: int
    review_id: int
    finding_id: int
    action_id: int
    other_action_id: int


@pytest.fixture
def world(app: Flask, transaction: object) -> World:
    with app.app_context():
        own = factories.agency(name="Own Testshire Agency")
        other = factories.agency(name="Other Testshire Agency")
        review = factories.review(reference="LCSPR-2025-90", started_on=date(2025, 1, 1))
        finding = factories.finding(review, text="The father was **never** seen")
        action = factories.action(
            own, finding, action_text="Own agency's action", status=ActionStatus.IN_PROGRESS
        )
        other_action = factories.action(other, finding, action_text="Other agency's action")
        db.session.commit()
        return World(
            own, other, own.id, other.id, review.id, finding.id, action.id, other_action.id
        )


def _denials(app: Flask, action_id: int) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "action",
                    AuditEvent.entity_id == action_id,
                    AuditEvent.event == "denied",
                )
            )
        )


@pytest.mark.parametrize(
    ("role", "own_agency", "expected"),
    [
        (None, False, 302),
        (Role.ADMINISTRATOR, False, 403),
        (Role.SECRETARIAT, False, 200),
        (Role.CHAIR, False, 200),
        (Role.AGENCY_LEAD, True, 200),
        (Role.AGENCY_LEAD, False, 403),
        (Role.PRACTITIONER, True, 403),
    ],
)
def test_action_page_per_role(
    app: Flask,
    client_for: Clients,
    world: World,
    role: Role | None,
    own_agency: bool,
    expected: int,
) -> None:
    if role is None:
        client = app.test_client()
    else:
        client = client_for(role, world.own if own_agency else None)
    response = client.get(f"/actions/{world.action_id}")
    assert response.status_code == expected
    if expected == 200:
        text = page_text(response)
        assert "Own agency's action" in text
        assert "RAG rating: Green" in text or "RAG rating: Amber" in text


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/actions/{id}", "get"),
        ("/actions/{id}/progress", "get"),
        ("/actions/{id}/progress", "post"),
        ("/actions/{id}/extension", "post"),
    ],
)
def test_agency_lead_touching_another_agencys_action_is_refused_and_audited(
    app: Flask, client_for: Clients, world: World, path: str, method: str
) -> None:
    client = client_for(Role.AGENCY_LEAD, world.own)
    url = path.format(id=world.other_action_id)
    data = {
        "status": "in_progress",
        "note": "Sneaky",
        "new_due_date": ["1", "1", "2030"],
        "reason": "x",
    }
    response = client.get(url) if method == "get" else client.post(url, data=data)
    assert response.status_code == 403
    (denial,) = _denials(app, world.other_action_id)
    assert denial.after is not None and denial.after["attempted"] == url
    with app.app_context():
        action = db.session.get(Action, world.other_action_id)
        assert action is not None and action.status is ActionStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("role", "path", "expected"),
    [
        (Role.AGENCY_LEAD, "/actions/{id}/edit", 403),
        (Role.AGENCY_LEAD, "/actions/{id}/assurance", 403),
        (Role.AGENCY_LEAD, "/actions/{id}/impact", 403),
        (Role.CHAIR, "/actions/{id}/edit", 403),
        (Role.CHAIR, "/actions/{id}/assurance", 200),
        (Role.CHAIR, "/actions/{id}/progress", 403),
        (Role.SECRETARIAT, "/actions/{id}/edit", 200),
        (Role.SECRETARIAT, "/actions/{id}/progress", 200),
        (Role.SECRETARIAT, "/actions/{id}/impact", 200),
        (Role.SECRETARIAT, "/reviews/{review}/actions/new", 200),
        (Role.SECRETARIAT, "/reviews/{review}/findings/new", 200),
        (Role.CHAIR, "/reviews/{review}/findings/new", 403),
        (Role.PRACTITIONER, "/reviews/{review}/findings", 403),
        (Role.ADMINISTRATOR, "/reviews/{review}/findings", 403),
        (Role.CHAIR, "/reviews/{review}/findings", 200),
    ],
)
def test_pages_with_arguments_per_role(
    client_for: Clients, world: World, role: Role, path: str, expected: int
) -> None:
    agency = world.own if role is Role.AGENCY_LEAD else None
    url = path.format(id=world.action_id, review=world.review_id)
    assert client_for(role, agency).get(url).status_code == expected


def test_agency_lead_records_progress_with_evidence_and_secretariat_downloads_it(
    app: Flask, client_for: Clients, world: World
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    page = lead.get(f"/actions/{world.action_id}/progress")
    version = page_text(page) and _version(page.get_data(as_text=True))
    response = lead.post(
        f"/actions/{world.action_id}/progress",
        data={
            "status": "completed",
            "note": "Prompt added; audit of 20 records attached",
            "version": version,
            "evidence": (io.BytesIO(PDF), "../Audit results Q3.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        (record,) = db.session.scalars(select(EvidenceFile))
        assert record.file_name == "Audit_results_Q3.pdf"
        stored = app.extensions["sgreviews.settings"].evidence_dir / record.stored_name
        assert stored.read_bytes() == PDF
        evidence_id = record.id
    text = page_text(lead.get(f"/actions/{world.action_id}"))
    assert "Completed with evidence" in text and "RAG rating: Blue Completed and evidenced" in text
    assert "Prompt added; audit of 20 records attached" in text
    download = client_for(Role.SECRETARIAT).get(
        f"/actions/{world.action_id}/evidence/{evidence_id}"
    )
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    stranger = client_for(Role.AGENCY_LEAD, world.other)
    assert stranger.get(f"/actions/{world.action_id}/evidence/{evidence_id}").status_code == 403
    # The evidence id does not open another action's file either.
    other_url = f"/actions/{world.other_action_id}/evidence/{evidence_id}"
    assert client_for(Role.SECRETARIAT).get(other_url).status_code == 404


def _version(html: str) -> str:
    marker = 'name="version" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_disguised_upload_is_refused_beside_the_field_and_the_note_is_kept(
    app: Flask, client_for: Clients, world: World
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    version = _version(lead.get(f"/actions/{world.action_id}/progress").get_data(as_text=True))
    response = lead.post(
        f"/actions/{world.action_id}/progress",
        data={
            "status": "in_progress",
            "note": "My careful update",
            "version": version,
            "evidence": (io.BytesIO(b"MZ\x90\x00binary"), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "The file report.pdf is not a real PDF file" in text
    assert "My careful update" in text
    with app.app_context():
        assert db.session.scalars(select(EvidenceFile)).first() is None
        action = db.session.get(Action, world.action_id)
        assert action is not None and not action.updates


def test_upload_over_the_size_limit_is_refused(
    app: Flask, client_for: Clients, world: World
) -> None:
    settings = app.extensions["sgreviews.settings"]
    app.extensions["sgreviews.settings"] = dataclasses.replace(settings, evidence_max_mb=1)
    try:
        lead = client_for(Role.AGENCY_LEAD, world.own)
        response = lead.post(
            f"/actions/{world.action_id}/progress",
            data={
                "status": "in_progress",
                "note": "Big file",
                "evidence": (io.BytesIO(b"a" * (1024 * 1024 + 10)), "big.txt"),
            },
            content_type="multipart/form-data",
        )
    finally:
        app.extensions["sgreviews.settings"] = settings
    assert "The file big.txt must be smaller than 1 MB" in page_text(response)


def test_stale_second_edit_is_refused_showing_both_versions_and_keeping_text(
    app: Flask, client_for: Clients, world: World
) -> None:
    first = client_for(Role.SECRETARIAT)
    second = client_for(Role.SECRETARIAT)
    url = f"/actions/{world.action_id}/edit"
    version = _version(first.get(url).get_data(as_text=True))
    assert _version(second.get(url).get_data(as_text=True)) == version
    base = {
        "outcome_sought": "Accounts are tested against history",
        "measure_of_success": "Audit",
        "owning_agency_id": str(world.own_id),
        "lead_user_id": "",
        "due_date": ["31", "12", "2026"],
        "version": version,
    }
    saved = first.post(url, data={**base, "action_text": "The first editor's wording"})
    assert saved.status_code == 302
    refused = second.post(url, data={**base, "action_text": "The second editor's careful text"})
    assert refused.status_code == 200
    text = page_text(refused)
    assert "Someone else changed this while you were editing" in text
    assert "Test Secretariat" in text and "action text" in text
    assert "The first editor's wording" in text  # theirs
    assert "The second editor's careful text" in text  # yours, still in the form
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None and action.action_text == "The first editor's wording"
    # Saving again, now against the current version, works.
    again = second.post(
        url,
        data={
            **base,
            "version": _version(refused.get_data(as_text=True)),
            "action_text": "The second editor's careful text",
        },
    )
    assert again.status_code == 302


def test_edit_refuses_due_date_before_review_start(client_for: Clients, world: World) -> None:
    client = client_for(Role.SECRETARIAT)
    url = f"/actions/{world.action_id}/edit"
    response = client.post(
        url,
        data={
            "outcome_sought": "o",
            "action_text": "a",
            "measure_of_success": "m",
            "owning_agency_id": str(world.own_id),
            "due_date": ["1", "6", "2024"],
            "version": _version(client.get(url).get_data(as_text=True)),
        },
    )
    assert "The due date must be on or after the review started (1 January 2025)" in page_text(
        response
    )
    bad = client.post(url, data={"due_date": ["31", "2", "2026"]})
    assert "Due date must be a real date" in page_text(bad)


def test_extension_request_and_secretariat_decision(
    app: Flask, client_for: Clients, world: World
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    url = f"/actions/{world.action_id}/extension"
    no_reason = lead.post(url, data={"new_due_date": ["1", "1", "2030"], "reason": ""})
    assert "Enter why the action needs more time" in page_text(no_reason)
    assert (
        lead.post(
            url, data={"new_due_date": ["1", "1", "2030"], "reason": "Data arrives late"}
        ).status_code
        == 302
    )
    with app.app_context():
        (request,) = db.session.scalars(select(ExtensionRequest))
        request_id = request.id
    decide = f"/actions/{world.action_id}/extensions/{request_id}"
    assert lead.get(decide).status_code == 403
    secretariat = client_for(Role.SECRETARIAT)
    assert "Approve or decline the extension" in page_text(secretariat.get(decide))
    assert secretariat.post(decide, data={"decision": "approve", "note": ""}).status_code == 302
    text = page_text(secretariat.get(f"/actions/{world.action_id}"))
    assert "1 January 2030 (extended; originally" in text
    assert "Extension requested to 1 January 2030" in text and "Extension approved" in text


def test_chair_assures_completed_action(app: Flask, client_for: Clients, world: World) -> None:
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None
        action.status = ActionStatus.COMPLETED
        db.session.commit()
    chair = client_for(Role.CHAIR)
    url = f"/actions/{world.action_id}/assurance"
    missing = chair.post(url, data={"decision": "assure", "note": ""})
    assert "Enter the note or reason" in page_text(missing)
    assert chair.post(url, data={"decision": "assure", "note": "Audit seen"}).status_code == 302
    text = page_text(chair.get(f"/actions/{world.action_id}"))
    assert "Assured by Test Chair" in text and "Audit seen" in text


def test_findings_page_renders_sanitised_markdown_and_adds_findings(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    page = secretariat.get(f"/reviews/{world.review_id}/findings")
    assert "<strong>never</strong>" in page.get_data(as_text=True)
    response = secretariat.post(
        f"/reviews/{world.review_id}/findings/new",
        data={
            "kind": "learning_point",
            "text": "Schools *were not* told <script>alert(1)</script>",
            "themes": ["information_sharing", "early_help"],
            "agencies": [str(world.own_id)],
        },
    )
    assert response.status_code == 302
    html = secretariat.get(f"/reviews/{world.review_id}/findings").get_data(as_text=True)
    assert "<em>were not</em>" in html and "<script>alert" not in html
    assert "Working together: Information sharing" in html
    empty = secretariat.post(
        f"/reviews/{world.review_id}/findings/new", data={"kind": "strength", "text": ""}
    )
    assert "Enter the finding" in page_text(empty)


def test_agency_lead_sees_review_findings_with_only_own_actions(
    client_for: Clients, world: World
) -> None:
    text = page_text(
        client_for(Role.AGENCY_LEAD, world.own).get(f"/reviews/{world.review_id}/findings")
    )
    assert "Own agency's action" in text and "Other agency's action" not in text
    outsider = client_for(Role.AGENCY_LEAD)
    assert outsider.get(f"/reviews/{world.review_id}/findings").status_code == 403


def test_mark_addressed_is_guarded(app: Flask, client_for: Clients, world: World) -> None:
    chair = client_for(Role.CHAIR)
    response = chair.post(
        f"/reviews/{world.review_id}/findings/{world.finding_id}/addressed",
        follow_redirects=True,
    )
    assert "cannot be marked addressed yet" in page_text(response)
    with app.app_context():
        finding = db.session.get(Finding, world.finding_id)
        assert finding is not None and finding.addressed_at is None


def test_workspace_filters_and_bulk_update(app: Flask, client_for: Clients, world: World) -> None:
    with app.app_context():
        overdue = factories.action(
            world.own,
            action_text="Overdue one",
            due_date=london_today() - timedelta(days=3),
            original_due_date=london_today() - timedelta(days=40),
        )
        overdue_id = overdue.id
        db.session.commit()
    lead = client_for(Role.AGENCY_LEAD, world.own)
    text = page_text(lead.get("/agency/actions"))
    assert "Own agency's action" in text and "Overdue one" in text
    assert "Other agency's action" not in text
    assert "Extended from" in text
    red = page_text(lead.get("/agency/actions?rag=red"))
    assert "Overdue one" in red and "Own agency's action" not in red
    status = page_text(lead.get("/agency/actions?status=not_started&due=overdue"))
    assert "Overdue one" in status and "Own agency's action" not in status
    response = lead.post(
        "/agency/actions",
        data={
            "selected": [str(world.action_id), str(overdue_id)],
            "status": "in_progress",
            "note": "Discussed at the agency board",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        for action_id in (world.action_id, overdue_id):
            action = db.session.get(Action, action_id)
            assert action is not None and action.updates[-1].note == "Discussed at the agency board"
    # Another agency's action cannot be chosen.
    refused = lead.post(
        "/agency/actions",
        data={"selected": [str(world.other_action_id)], "status": "in_progress", "note": "x"},
    )
    assert refused.status_code == 200
    assert "Select at least one action to update" in page_text(refused)
    with app.app_context():
        other = db.session.get(Action, world.other_action_id)
        assert other is not None and not other.updates


def test_master_action_plan_groups_filters_and_prints(
    app: Flask, client_for: Clients, world: World
) -> None:
    with app.app_context():
        factories.action(
            world.other, action_text="Long overdue", due_date=london_today() - timedelta(days=10)
        )
        factories.action(world.other, action_text="Assured one", status=ActionStatus.ASSURED)
        db.session.commit()
    chair = client_for(Role.CHAIR)
    text = page_text(chair.get("/master-action-plan"))
    assert "LCSPR-2025-90" in text and "Own agency's action" in text and "Long overdue" in text
    assert "Assured one" not in text
    by_agency = page_text(chair.get("/master-action-plan?group=agency&overdue=1"))
    assert "Other Testshire Agency" in by_agency and "Long overdue" in by_agency
    assert "Own agency's action" not in by_agency
    future = (london_today() + timedelta(days=5)).isoformat()
    assert "No open actions match" in page_text(
        chair.get(f"/master-action-plan?changed_since={future}")
    )
    bad = page_text(chair.get("/master-action-plan?due_before=31-02-2026"))
    assert "Due before must be a real date" in bad
    printed = chair.get("/master-action-plan?layout=print")
    assert "Printed" in page_text(printed)
    assert "govuk-service-navigation" not in printed.get_data(as_text=True)


def test_exports_respect_agency_boundaries(client_for: Clients, world: World) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    own = lead.get("/actions/export.csv").get_data(as_text=True)
    assert "Own agency's action" in own and "Other agency's action" not in own
    assert own.lstrip("\ufeff").startswith("Ref,Outcome,Action,Measure,Lead,Timescale,Risk")
    assert lead.get(f"/actions/export.csv?agency={world.other_id}").status_code == 403
    secretariat = client_for(Role.SECRETARIAT)
    everything = secretariat.get(f"/actions/export.xlsx?review={world.review_id}")
    assert everything.status_code == 200 and everything.data[:2] == b"PK"
    assert client_for(Role.PRACTITIONER).get("/actions/export.csv").status_code == 403
    outsider = client_for(Role.AGENCY_LEAD)
    assert outsider.get(f"/actions/export.csv?review={world.review_id}").status_code == 403


def test_web_import_preview_then_confirm_valid_rows(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    csv_data = (
        b"Ref,Finding,Action,Agency,Timescale\n"
        b"IMP-1,1,Relaunch the escalation procedure,Own Testshire Agency,31/12/2026\n"
        b"IMP-2,1,,Unknown Agency,not a date\n"
    )
    bad = secretariat.post(
        "/actions/import",
        data={"file": (io.BytesIO(b"\x00\x01"), "tracker.pdf")},
        content_type="multipart/form-data",
    )
    assert "must be an Excel workbook (.xlsx), a CSV file (.csv) or a Word" in page_text(bad)
    response = secretariat.post(
        "/actions/import",
        data={"file": (io.BytesIO(csv_data), "tracker.csv"), "review": str(world.review_id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    text = page_text(secretariat.get(preview_url))
    assert "2 rows: 1 ready to import, 1 with problems" in text
    assert "Missing action text" in text and "Unknown agency: Unknown Agency" in text
    assert "Timescale not understood: not a date" in text
    with app.app_context():
        assert db.session.scalar(select(Action).where(Action.reference == "IMP-1")) is None
    form = {
        "review": str(world.review_id),
        "map-reference": "0",
        "map-finding": "1",
        "map-action_text": "2",
        "map-agency": "3",
        "map-due_date": "4",
    }
    refused = secretariat.post(preview_url.split("?")[0], data={**form, "confirm": "all"})
    assert "1 rows have problems" in page_text(refused)
    done = secretariat.post(preview_url.split("?")[0], data={**form, "confirm": "valid"})
    assert done.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(Action).where(Action.reference == "IMP-1"))
        assert created is not None and created.owning_agency_id == world.own_id


@pytest.fixture
def count_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    yield statements
    event.remove(engine, "before_cursor_execute", listener)


def test_list_pages_do_not_run_more_queries_with_more_actions(
    app: Flask, client_for: Clients, world: World, count_queries: list[str]
) -> None:
    lead = client_for(Role.AGENCY_LEAD, world.own)
    chair = client_for(Role.CHAIR)
    pages = [
        (lead, "/agency/actions"),
        (chair, "/master-action-plan"),
        (chair, f"/reviews/{world.review_id}/findings"),
    ]
    counts = []
    for round_number in range(2):
        if round_number:
            with app.app_context():
                finding = db.session.get(Finding, world.finding_id)
                for number in range(6):
                    factories.action(
                        world.own,
                        finding,
                        action_text=f"More {number}",
                        lead_user=factories.user(Role.AGENCY_LEAD, world.own),
                    )
                db.session.commit()
        measured = []
        for client, url in pages:
            count_queries.clear()
            assert client.get(url).status_code == 200
            measured.append(len(count_queries))
        counts.append(measured)
    assert counts[0] == counts[1], counts


def test_stale_finding_edit_shows_the_differences_in_words(
    app: Flask, client_for: Clients, world: World
) -> None:
    first = client_for(Role.SECRETARIAT)
    second = client_for(Role.SECRETARIAT)
    url = f"/reviews/{world.review_id}/findings/{world.finding_id}/edit"
    version = _version(first.get(url).get_data(as_text=True))
    second.get(url)
    saved = first.post(
        url,
        data={
            "kind": "recommendation",
            "level": "local",
            "addressed_to": "partnership",
            "text": "Reworded by the first editor",
            "agencies": [str(world.own_id)],
            "version": version,
        },
    )
    assert saved.status_code == 302
    refused = second.post(
        url, data={"kind": "learning_point", "text": "My own wording", "version": version}
    )
    text = page_text(refused)
    assert "Someone else changed this while you were editing" in text
    assert "Kind Recommendation Learning point" in text
    assert "Agencies involved Own Testshire Agency Blank" in text
    assert "My own wording" in text


def test_secretariat_creates_a_thematic_action_across_reviews(
    app: Flask, client_for: Clients, world: World
) -> None:
    with app.app_context():
        other_review = factories.review(reference="SAR-2024-77", started_on=date(2024, 1, 1))
        factories.finding(other_review, text="Self-neglect")
        db.session.commit()
    secretariat = client_for(Role.SECRETARIAT)
    url = f"/reviews/{world.review_id}/actions/new"
    form = {
        "findings": [str(world.finding_id)],
        "outcome_sought": "Fathers are seen",
        "action_text": "Procedure requires fathers to be seen",
        "measure_of_success": "Re-audit",
        "owning_agency_id": str(world.own_id),
        "lead_user_id": "",
        "lead_name": "Named officer",
        "due_date": ["30", "9", "2026"],
    }
    unknown = secretariat.post(url, data={**form, "other_findings": "SAR-2024-77 finding 9"})
    assert "No finding is called SAR-2024-77 finding 9" in page_text(unknown)
    assert "Procedure requires fathers to be seen" in page_text(unknown)
    created = secretariat.post(url, data={**form, "other_findings": "sar-2024-77 finding 1"})
    assert created.status_code == 302
    with app.app_context():
        action = db.session.scalar(
            select(Action).where(Action.action_text == "Procedure requires fathers to be seen")
        )
        assert action is not None
        assert action.reference == "LCSPR-2025-90/1.1"
        assert sorted(f.review.reference for f in action.findings) == [
            "LCSPR-2025-90",
            "SAR-2024-77",
        ]
        assert action.lead_name == "Named officer"


def _plan_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_web_import_of_a_real_plan_with_banners_rejects_and_saved_mapping(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    plan = [
        ["Testshire Business Plan 2026/27"],
        ["Ref. no.", "To achieve this, we will:", "Lead body", "Timescale", "Status"],
        ["Priority 1: Neglect"],
        ["WP-1", "Relaunch the neglect toolkit", "Own Testshire Agency", "March 2027", "Amber"],
        [],
        ["WP-2", "Train staff", "Nowhere Trust", "Q3 2026/27", ""],
        ["WP-3", "Audit supervision", "Own Testshire Agency", "Ongoing", "Complete"],
    ]
    response = secretariat.post(
        "/actions/import",
        data={
            "file": (io.BytesIO(_plan_xlsx(plan)), "plan.xlsx"),
            "review": str(world.review_id),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    text = page_text(secretariat.get(preview_url))
    # "Lead body" is not a known heading: agency unmapped until chosen.
    assert "No column is mapped to Agency" in text
    assert "The header is row 2 of the sheet" in text and "Row 3: Priority 1: Neglect" in text
    form = {
        "review": str(world.review_id),
        "map-reference": "0",
        "map-action_text": "1",
        "map-agency": "2",
        "map-due_date": "3",
        "map-status": "4",
    }
    checked = secretariat.post(preview_url.split("?")[0], data=form)
    html = checked.get_data(as_text=True)
    text = page_text(checked)
    assert "3 rows: 2 ready to import, 1 with problems" in text
    assert "Unknown agency: Nowhere Trust" in text
    assert "imported as in progress, evidence to follow" in text
    # The rejected rows, with the sheet's own row numbers and the reasons.
    link = html.split('href="')[
        next(i for i, part in enumerate(html.split('href="')) if "rejected.csv" in part)
    ].split('"')[0]
    rejected = secretariat.get(link.replace("&amp;", "&"))
    assert rejected.status_code == 200
    lines = list(csv.reader(io.StringIO(rejected.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][:3] == ["Sheet row", "Problems", "Ref. no."]
    assert lines[1][0] == "6" and "Unknown agency: Nowhere Trust" in lines[1][1]
    assert len(lines) == 2
    done = secretariat.post(preview_url.split("?")[0], data={**form, "confirm": "valid"})
    assert done.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(Action).where(Action.reference == "WP-1"))
        assert made is not None and made.due_as_written == "March 2027"
        assert made.due_date == date(2027, 3, 31)
        audit_ok = db.session.scalar(select(Action).where(Action.reference == "WP-3"))
        assert audit_ok is not None and audit_ok.status is ActionStatus.IN_PROGRESS
        assert db.session.scalar(select(Action).where(Action.reference == "WP-2")) is None
    # Lists show the timescale as the tracker wrote it, under the date it was read as.
    listed = page_text(secretariat.get("/master-action-plan?q=WP-1"))
    assert "31 Mar 2027 Written as “March 2027”" in listed
    # The partnership's mapping is remembered: the next tracker maps "Lead body" itself.
    again = secretariat.post(
        "/actions/import",
        data={
            "file": (
                io.BytesIO(
                    _plan_xlsx([plan[1], ["WP-9", "Act", "Own Testshire Agency", "May 2027", ""]])
                ),
                "next.xlsx",
            ),
            "review": str(world.review_id),
        },
        content_type="multipart/form-data",
    )
    text = page_text(secretariat.get(again.headers["Location"]))
    assert "No column is mapped to Agency" not in text
    assert "1 rows: 1 ready to import, 0 with problems" in text


def test_web_import_of_a_word_action_plan(app: Flask, client_for: Clients, world: World) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Business plan (fictional)")
    rows = [
        ["Ref. no.", "To achieve this, we will:", "Agency", "Timescale"],
        ["WD-1", "Relaunch the escalation procedure", "Own Testshire Agency", "Q4 2026/27"],
        ["WD-2", "Audit supervision", "Own Testshire Agency", "31st March 2027"],
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.rows[r].cells[c].text = value
    buffer = io.BytesIO()
    document.save(buffer)
    secretariat = client_for(Role.SECRETARIAT)
    response = secretariat.post(
        "/actions/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "plan.docx"), "review": str(world.review_id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page_text(response)
    preview_url = response.headers["Location"]
    assert "2 rows: 2 ready to import, 0 with problems" in page_text(secretariat.get(preview_url))
    done = secretariat.post(
        preview_url.split("?")[0], data={"review": str(world.review_id), "confirm": "all"}
    )
    assert done.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(Action).where(Action.reference == "WD-1"))
        assert made is not None and made.due_date == date(2027, 3, 31)
        assert made.due_precision == "quarter"


def test_a_confirmed_import_is_one_transaction(
    app: Flask, client_for: Clients, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second row fails while it is written (after the first was flushed): the whole
    import is refused and the first row is not left behind."""
    from sgreviews.services.actions import tracker_import

    secretariat = client_for(Role.SECRETARIAT)
    csv_data = (
        b"Ref,Action,Agency,Timescale\n"
        b"TX-1,Relaunch the procedure,Own Testshire Agency,March 2027\n"
        b"TX-2,Audit supervision,Own Testshire Agency,Q4 2026/27\n"
    )
    response = secretariat.post(
        "/actions/import",
        data={"file": (io.BytesIO(csv_data), "t.csv"), "review": str(world.review_id)},
        content_type="multipart/form-data",
    )
    preview_url = response.headers["Location"].split("?")[0]
    create = tracker_import._create
    written: list[str] = []

    def failing_create(row: tracker_import.ImportRow, actor: object) -> Action:
        if row.values["reference"] == "TX-2":
            raise FieldError("file", "The database refused row 3")
        action = create(row, actor)  # type: ignore[arg-type]
        written.append(action.reference)
        return action

    monkeypatch.setattr(tracker_import, "_create", failing_create)
    refused = secretariat.post(preview_url, data={"review": str(world.review_id), "confirm": "all"})
    assert refused.status_code == 200
    assert "The database refused row 3" in page_text(refused)
    assert written == ["TX-1"]  # it was flushed...
    with app.app_context():  # ...and rolled back with the rest
        assert db.session.scalar(select(Action).where(Action.reference == "TX-1")) is None
