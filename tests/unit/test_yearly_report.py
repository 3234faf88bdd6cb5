"""The yearly report's sentences and its public version, against a hand-built year."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from docx import Document
from pypdf import PdfReader

from sgreviews.models import ActionStatus, ActionUpdate, ImpactStatus, Theme
from sgreviews.models.review import ReviewDecision
from sgreviews.review_types import load_review_types
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports import formats as report_formats
from sgreviews.services.reports.yearly import build_yearly_report
from sgreviews.settings import PROJECT_ROOT
from tests import factories

TYPES = load_review_types(PROJECT_ROOT / "config" / "review_types.toml")
YEAR = BusinessYear(2021)


@pytest.fixture
def year_of_reviews(ctx: None) -> None:
    home = factories.partnership(short_name="HOME")
    for reference, started in (("RR-2021-01", date(2021, 5, 3)), ("RR-2021-02", date(2022, 2, 1))):
        rapid = factories.review(
            home, reference=reference, review_type="rapid_review", started_on=started
        )
        rapid.decisions.append(
            ReviewDecision(decided_on=started, outcome="lcspr", rationale="Met the criteria")
        )
    lcspr = factories.review(
        home, reference="LCSPR-2021-01", review_type="lcspr", stage="published",
        started_on=date(2021, 6, 1), published_on=date(2022, 1, 20),
    )  # fmt: skip
    factories.review(
        home, reference="SCR-2019-01", review_type="scr", stage="final_report",
        started_on=date(2019, 9, 1),
    )  # fmt: skip
    factories.review(home, reference="SAR-2022-01", review_type="sar", started_on=date(2022, 4, 1))
    theme = Theme(key="fathers_t", name="Fathers and male carers")
    finding = factories.finding(lcspr, themes=[theme])
    police = factories.agency(name="Police")
    in_year = datetime(2021, 9, 1, 12, tzinfo=UTC)
    factories.action(
        police, finding, status=ActionStatus.ASSURED, impact_status=ImpactStatus.EVIDENCED,
        created_at=in_year, updated_at=in_year,
    )  # fmt: skip
    closed = factories.action(
        police, finding, status=ActionStatus.CLOSED_NOT_IMPLEMENTED,
        action_text="Buy a new case system", created_at=in_year,
    )  # fmt: skip
    closed.updates.append(
        ActionUpdate(
            status=ActionStatus.CLOSED_NOT_IMPLEMENTED, note="Replaced by the regional system",
            created_at=datetime(2022, 1, 10, 12, tzinfo=UTC),
        )
    )  # fmt: skip


def test_full_report_in_plain_sentences(year_of_reviews: None) -> None:
    report = build_yearly_report(YEAR, TYPES, today=date(2022, 5, 1))
    text = report_formats.to_markdown(report)
    assert (
        "Between 1 April 2021 and 31 March 2022 the partnership undertook "
        "two rapid reviews and one LCSPR; in both, an LCSPR was commissioned." in text
    )
    assert "One review started before 1 April 2021 continued into the year" in text
    assert "SCR-2019-01" in text
    assert "One review report was published." in text
    assert "LCSPR-2021-01" in text
    assert "Fathers and male carers" in text
    assert "Replaced by the regional system" in text
    assert "SAR-2022-01" not in text  # started after the year ended


def test_public_version_hides_small_numbers_and_references(year_of_reviews: None) -> None:
    text = report_formats.to_markdown(
        build_yearly_report(YEAR, TYPES, public=True, today=date(2022, 5, 1))
    )
    assert (
        "undertook fewer than 5 rapid reviews and fewer than 5 LCSPRs; "
        "in fewer than 5 of them, an LCSPR was commissioned." in text
    )
    for identifying in ("RR-2021-01", "LCSPR-2021-01", "SCR-2019-01", "Child"):
        assert identifying not in text
    assert "two" not in text.split("## Reviews undertaken")[1].split("##")[0]


def test_pdf_and_word_carry_the_sentences(year_of_reviews: None, app: object) -> None:
    report = build_yearly_report(YEAR, TYPES, today=date(2022, 5, 1))
    pdf_text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(report_formats.to_pdf(report))).pages
    )
    assert "the partnership undertook two rapid reviews and one LCSPR" in " ".join(pdf_text.split())
    document = Document(io.BytesIO(report_formats.to_docx(report)))
    paragraphs = " ".join(paragraph.text for paragraph in document.paragraphs)
    assert "the partnership undertook two rapid reviews and one LCSPR" in paragraphs
    assert any(
        "Fathers and male carers" in cell.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    )


def test_report_command_shows_progress_then_a_summary(app: object, tmp_path: object) -> None:
    from pathlib import Path

    from flask import Flask

    assert isinstance(app, Flask) and isinstance(tmp_path, Path)
    output = tmp_path / "yearly.md"
    result = app.test_cli_runner().invoke(
        args=["report", "yearly", "--year", "2025", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert f"to {output}: " in result.output and " sections, " in result.output
    assert output.stat().st_size > 0
