"""Outputs fit for publication (issue 18, item 7): the yearly report's and the briefings'
PDFs are tagged (PDF/UA-1), checked with poppler's ``pdfinfo``; the Word version is A4, in
British English, with the partnership as its author and today's date."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from flask import Flask
from flask.testing import FlaskClient

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Role
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.briefing_helpers import published_briefing

LAST_YEAR = BusinessYear(BusinessYear.containing(london_today()).start_year - 1)
Clients = Callable[..., FlaskClient]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    assert shutil.which("pdfinfo"), "poppler-utils is needed (.ci/run installs it)"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in output.splitlines())
    }


@pytest.fixture
def partnership_id(app: Flask) -> int:
    with app.app_context():
        partnership = factories.partnership(short_name="PUBL", name="Publishire Partnership")
        factories.review(
            partnership, reference="PUBL-1", started_on=LAST_YEAR.start + timedelta(days=5)
        )
        db.session.commit()
        return partnership.id


def test_yearly_report_pdfs_are_tagged_live_and_signed(
    partnership_id: int, client_for: Clients, tmp_path: Path
) -> None:
    chair = client_for(Role.CHAIR)
    query = f"year={LAST_YEAR.start_year}&partnership={partnership_id}"
    live = chair.get(f"/dashboard/yearly-report.pdf?{query}&version=public")
    info = _pdfinfo(live.data, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Page size"].endswith("(A4)")
    assert info["Title"].startswith(f"Yearly report {LAST_YEAR.label}")

    signed = chair.post(f"/dashboard/yearly-report/sign-off?{query}", data={})
    location = signed.headers["Location"].split("?")[0]
    pdf = chair.get(f"{location}.pdf").data
    assert _pdfinfo(pdf, tmp_path)["Tagged"] == "yes"
    # The first page as a picture, for a person to look at.
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "signed-yearly-report.pdf").write_bytes(pdf)
    pdf_path = ARTIFACTS / "signed-yearly-report.pdf"
    page_one = ARTIFACTS / "signed-yearly-report-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf_path), str(page_one)],
        check=True,
    )
    assert (ARTIFACTS / "signed-yearly-report-page1.png").stat().st_size > 0
    text = subprocess.run(
        ["pdftotext", str(ARTIFACTS / "signed-yearly-report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Signed off on" in text and "(version 1)" in text


def test_briefing_pdf_is_tagged(app: Flask, client_for: Clients, tmp_path: Path) -> None:
    with app.app_context():
        briefing_id = published_briefing().id
        db.session.commit()
    response = client_for(Role.PRACTITIONER).get(f"/briefings/{briefing_id}.pdf")
    assert response.status_code == 200
    assert _pdfinfo(response.data, tmp_path)["Tagged"] == "yes"


@pytest.mark.parametrize("signed", [False, True])
def test_word_version_is_a4_british_english_by_the_partnership(
    signed: bool, partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    query = f"year={LAST_YEAR.start_year}&partnership={partnership_id}"
    if signed:
        location = chair.post(f"/dashboard/yearly-report/sign-off?{query}", data={})
        path = location.headers["Location"].split("?")[0] + ".docx"
    else:
        path = f"/dashboard/yearly-report.docx?{query}"
    document = Document(io.BytesIO(chair.get(path).data))
    properties = document.core_properties
    assert properties.author == "Publishire Partnership"
    assert properties.language == "en-GB"
    assert properties.created is not None
    assert properties.created.date() == london_today()
    for section in document.sections:
        assert section.page_width is not None and section.page_height is not None
        assert round(section.page_width.mm) == 210
        assert round(section.page_height.mm) == 297
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"Yearly report {LAST_YEAR.label}" in text
