"""Every download of non-public data is kept out of caches: `Cache-Control: no-store` on
evidence, spreadsheet exports, dashboard tables, the yearly report, the audit trail, briefing
PDFs and the calendar feed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sgreviews.extensions import db
from sgreviews.models import EvidenceFile, Role
from sgreviews.services.notifications import preferences
from tests import factories
from tests.briefing_helpers import published_briefing

Clients = Callable[..., FlaskClient]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclasses.dataclass(frozen=True)
class Downloads:
    action_id: int
    evidence_id: int
    briefing_id: int
    calendar_token: str


@pytest.fixture
def downloads(app: Flask, transaction: object) -> Downloads:
    with app.app_context():
        agency = factories.agency(name="Cache Testshire Agency")
        review = factories.review(reference="LCSPR-2025-77", started_on=date(2025, 1, 1))
        action = factories.action(agency, factories.finding(review))
        db.session.flush()
        stored_name = "cache-test-evidence.pdf"
        evidence_dir = app.extensions["sgreviews.settings"].evidence_dir
        evidence_dir.mkdir(parents=True, exist_ok=True)
        (evidence_dir / stored_name).write_bytes(PDF)
        evidence = EvidenceFile(
            action_id=action.id,
            file_name="Audit.pdf",
            stored_name=stored_name,
            content_type="application/pdf",
            size_bytes=len(PDF),
            sha256="0" * 64,
        )
        db.session.add(evidence)
        briefing = published_briefing()
        lead = factories.user(Role.AGENCY_LEAD, agency)
        db.session.flush()
        token = preferences.enable_calendar(lead)
        db.session.commit()
        return Downloads(action.id, evidence.id, briefing.id, token)


DOWNLOADS: list[tuple[Role | None, str]] = [
    (Role.SECRETARIAT, "/actions/{action}/evidence/{evidence}"),
    (Role.SECRETARIAT, "/actions/export.csv"),
    (Role.SECRETARIAT, "/actions/export.xlsx"),
    (Role.SECRETARIAT, "/master-action-plan/export.csv"),
    (Role.SECRETARIAT, "/master-action-plan/export.xlsx"),
    (Role.CHAIR, "/dashboard/export/actions-by-agency.csv"),
    (Role.CHAIR, "/dashboard/export/reviews-by-stage.xlsx"),
    (Role.CHAIR, "/dashboard/yearly-report.md"),
    (Role.CHAIR, "/dashboard/yearly-report.docx"),
    (Role.CHAIR, "/dashboard/yearly-report.pdf"),
    (Role.ADMINISTRATOR, "/admin/audit/export.csv"),
    (Role.PRACTITIONER, "/briefings/{briefing}.pdf"),
    (None, "/calendar/{token}.ics"),
]


@pytest.mark.parametrize(("role", "path"), DOWNLOADS)
def test_downloads_are_not_stored_by_any_cache(
    app: Flask, client_for: Clients, downloads: Downloads, role: Role | None, path: str
) -> None:
    client = app.test_client() if role is None else client_for(role)
    url = path.format(
        action=downloads.action_id,
        evidence=downloads.evidence_id,
        briefing=downloads.briefing_id,
        token=downloads.calendar_token,
    )
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == "no-store", url
