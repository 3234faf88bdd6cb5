"""The chair's dashboard in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from sgreviews.clock import london_today
from sgreviews.services.periods import BusinessYear
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in


def test_chair_filters_the_dashboard_and_downloads_a_table(page: Page) -> None:
    sign_in(page, "chair@sgreviews.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1, name="Progress dashboard")).to_be_visible()
    page.get_by_label("Partnership").select_option(
        label="Northshire Safeguarding Children Partnership"
    )
    page.get_by_label("Quarter").select_option("3")
    page.get_by_role("button", name="Apply filters").click()
    year = BusinessYear.containing(london_today())
    expect(page.get_by_text(f"Q3 {year.label}")).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(5)
    screenshot(page, "dashboard")
    assert axe_violations(page) == []
    page.get_by_text("Actions by agency and status as a table").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV file of Actions by agency and status").click()
    download = download_info.value
    assert download.suggested_filename.startswith("actions-by-agency-")
    assert "Northshire Police" in download.path().read_text(encoding="utf-8-sig")


def test_scorecard_and_challenge_log_are_accessible(page: Page) -> None:
    sign_in(page, "chair@sgreviews.example")
    page.goto("/dashboard/scorecard")
    expect(page.get_by_role("heading", name="Agency scorecard")).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/challenges/new")
    page.get_by_role("button", name="Save challenge").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter who the challenge was raised with")
    screenshot(page, "challenge-error")
    assert axe_violations(page) == []


def test_chair_downloads_the_yearly_report_in_each_format(page: Page) -> None:
    import io

    from docx import Document
    from pypdf import PdfReader

    sign_in(page, "chair@sgreviews.example")
    page.goto("/dashboard")
    page.get_by_role("link", name="Yearly report").click()
    last_year = BusinessYear.containing(london_today()).start_year - 1
    page.get_by_label("Business year").select_option(str(last_year))
    page.get_by_role("button", name="Show report").click()
    sentence = page.locator("p", has_text="the partnership undertook").first
    expect(sentence).to_be_visible()
    expected = " ".join(sentence.inner_text().split())
    screenshot(page, "yearly-report")
    assert axe_violations(page) == []
    downloads = {}
    for name in ("PDF", "Word", "Markdown"):
        with page.expect_download() as info:
            page.get_by_role("link", name=name, exact=True).click()
        downloads[name] = info.value.path().read_bytes()
    pdf = PdfReader(io.BytesIO(downloads["PDF"]))
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert expected in pdf_text
    word = " ".join(p.text for p in Document(io.BytesIO(downloads["Word"])).paragraphs)
    assert expected in " ".join(word.split())
    assert expected in " ".join(downloads["Markdown"].decode().split())
