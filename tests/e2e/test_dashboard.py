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


STATUTORY_HEADINGS = [
    "Reviews undertaken",
    "Decisions on reviews and their reasons",
    "Reviews carried over",
    "Reviews completed",
    "Reviews published",
    "Timeliness against each clock",
    "What we learned",
    "Good practice",
    "Learning that recurred",
    "National reviews tabled",
    "Action plans and evidence of impact",
    "Areas of little or no progress",
    "Findings not implemented",
    "Safeguarding Adults Review findings not implemented (Care Act 2014 section 44)",
    "How learning was shared and its reach",
    "Feedback from children and families",
]


def test_yearly_report_carries_the_statutory_sections(page: Page) -> None:
    """The current year's report for all partnerships, full and public: every statutory
    section in its order, and no one named in the public version's family section."""
    sign_in(page, "chair@sgreviews.example")
    last_year = BusinessYear.containing(london_today()).start_year - 1
    page.goto(f"/dashboard/yearly-report?year={last_year}")
    headings = page.locator("main h2.govuk-heading-m")
    expect(headings.first).to_be_visible()
    shown = [" ".join(text.split()) for text in headings.all_inner_texts()]
    assert [title for title in shown if title in STATUTORY_HEADINGS] == STATUTORY_HEADINGS
    # The full version lists the family involvement per review, never the people.
    family = page.locator("h2", has_text="Feedback from children and families")
    reference = family.locator("xpath=following-sibling::table[1]//td[1]").first.inner_text()
    assert reference.count("-") >= 2  # a review reference such as LCSPR-2025-02
    assert "Mother of" not in page.locator("main").inner_text()
    screenshot(page, "yearly-report-statutory")
    assert axe_violations(page) == []
    page.get_by_label("Version").select_option("public")
    page.get_by_role("button", name="Show report").click()
    family = page.locator("h2", has_text="Feedback from children and families")
    expect(family).to_be_visible()
    main = page.locator("main").inner_text()
    for private in ("Mother of", "Child M", reference):
        assert private not in main
    screenshot(page, "yearly-report-statutory-public")
    assert axe_violations(page) == []
