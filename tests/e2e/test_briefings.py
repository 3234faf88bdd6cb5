"""Briefings end to end: the secretariat writes one from a review, resolves the
personal-data flags and publishes it; a practitioner finds it, reads it, confirms reading
and downloads the PDF; a public reader sees it only while the partnership allows it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

SECTION_HEADINGS = [
    "Background",
    "Why it matters",
    "Key information: first point",
    "Key information: second point",
    "Key information: third point",
    "Things to note",
    "What to do",
]


@pytest.fixture
def new_context(browser: object, live_server: str) -> Iterator[object]:
    contexts: list[BrowserContext] = []

    def make() -> Page:
        assert isinstance(browser, Browser)
        context = browser.new_context(
            base_url=live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_briefing_from_review_to_practitioner_and_public(
    page: Page, new_context: object, tmp_path: Path
) -> None:
    assert callable(new_context)
    # --- the secretariat writes it from a review --------------------------------------------
    sign_in(page, "secretariat@sgreviews.example")
    page.get_by_role("link", name="Briefings", exact=True).click()
    page.get_by_role("link", name="Create a briefing").click()
    page.get_by_label("Start from a review").select_option(label="LR-2025-03 (Child K)")
    page.get_by_role("button", name="Use this review").click()
    drafted = "drafted from the findings and strengths of review LR-2025-03"
    expect(page.get_by_text(drafted)).to_be_visible()
    page.get_by_role("button", name="Create briefing").click()
    expect(page.get_by_role("heading", name="Edit briefing")).to_be_visible()
    key_point = page.get_by_label("3. Key information: first point")
    expect(key_point).to_have_value(re.compile("Parental mental health crises"))

    page.get_by_label("2. Why it matters").fill(
        "Children live with the **consequences** of a parent's crisis."
    )
    # The live preview renders the Markdown through the server's sanitising filter.
    expect(page.locator("#preview-why_it_matters strong")).to_have_text("consequences")
    page.get_by_label("5. Key information: third point").fill(
        "Adult services should ask about children at every assessment."
    )
    page.get_by_label("6. Things to note").fill("Crises can come and go quickly.")
    page.get_by_label("7. What to do").fill(
        "- Ask who lives at home.\n- Mrs Patel in the duty team can advise: ring 01632 960123."
    )
    page.get_by_label("Questions to reflect on (optional)").fill(
        "How do you hear from children when a parent is in crisis?"
    )
    screenshot(page, "briefing-editor")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.get_by_text("Sent for review.")).to_be_visible()

    # Publishing is blocked by the unresolved personal data, with a message at the section.
    page.get_by_role("button", name="Save and publish").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("possible personal data")
    expect(page.locator("#what_to_do-error")).to_contain_text("possible personal data")
    screenshot(page, "briefing-editor-blocked")

    # The phone number is the duty team's, kept with a reason; the name is edited out.
    page.get_by_role("link", name="Check possible personal data").click()
    expect(page.get_by_role("heading", name="Possible name: “Mrs Patel”")).to_be_visible()
    page.get_by_text("Keep “01632 960123” with a reason").click()
    page.get_by_label("Why “01632 960123” can be published").fill("The duty team's public number.")
    page.get_by_role("button", name="Keep it, with this reason").click()
    expect(page.get_by_text("Kept “01632 960123” with your reason.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the editor", exact=True).click()
    page.get_by_label("7. What to do").fill(
        "- Ask who lives at home.\n- The duty team can advise: ring 01632 960123."
    )
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Published. It is now in the learning library.")).to_be_visible()
    briefing_url = page.url
    briefing_id = briefing_url.rstrip("/").rsplit("/", 1)[-1]

    # --- a practitioner finds, reads and downloads it ---------------------------------------
    reader = new_context()
    sign_in(reader, "practitioner@sgreviews.example")
    expect(reader.get_by_role("heading", level=1, name="Learning library")).to_be_visible()
    reader.get_by_label("Search briefings").fill("parental crisis")
    reader.get_by_role("button", name="Search").click()
    expect(reader.get_by_role("heading", name=re.compile("1 briefing found"))).to_be_visible()
    screenshot(reader, "briefing-library")
    assert axe_violations(reader) == []
    reader.get_by_role("link", name="Learning from LR-2025-03 (Child K)").click()
    for heading in SECTION_HEADINGS:
        expect(reader.get_by_role("heading", name=heading, exact=False).first).to_be_visible()
    screenshot(reader, "briefing-reading-view")
    assert axe_violations(reader) == []
    # The reading view prints on one A4 page, with every section.
    printed = PdfReader(io.BytesIO(reader.pdf(format="A4", print_background=True)))
    assert len(printed.pages) == 1
    printed_text = " ".join(printed.pages[0].extract_text().split())
    assert all(heading in printed_text for heading in SECTION_HEADINGS)
    assert "I have read this" not in printed_text
    reader.get_by_label("Your reflection (optional)").fill("I will ask about children.")
    reader.get_by_role("button", name="I have read this").click()
    expect(reader.get_by_text("You confirmed reading this on")).to_be_visible()

    with reader.expect_download() as download_info:
        reader.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "briefing.pdf"
    download_info.value.save_as(pdf_path)
    pdf = PdfReader(pdf_path)
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    for heading in [*SECTION_HEADINGS, "Questions to reflect on"]:
        assert heading in text
    assert "Learning from LR-2025-03 (Child K)" in text

    # --- public reading follows the partnership's setting -----------------------------------
    public = new_context()
    response = public.goto(f"/public/briefings/{briefing_id}")
    assert response is not None and response.status == 404
    page.goto("/briefings/settings")
    page.get_by_label("Northshire Safeguarding Children Partnership").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    response = public.goto(f"/public/briefings/{briefing_id}")
    assert response is not None and response.status == 200
    expect(public.get_by_role("heading", level=1, name="Learning from LR-2025-03")).to_be_visible()
    assert axe_violations(public) == []
    public.goto("/public/partnerships/NSCP/briefings")
    public.get_by_role("link", name="Learning from LR-2025-03 (Child K)").click()
    expect(public.get_by_role("heading", level=1, name="Learning from LR-2025-03")).to_be_visible()
    page.goto("/briefings/settings")
    page.get_by_label("Northshire Safeguarding Children Partnership").uncheck()
    page.get_by_role("button", name="Save settings").click()
    response = public.goto(f"/public/briefings/{briefing_id}")
    assert response is not None and response.status == 404


def test_reach_page_is_accessible(page: Page) -> None:
    sign_in(page, "chair@sgreviews.example")
    page.get_by_role("link", name="Briefing reach").click()
    expect(page.get_by_role("heading", level=1, name="Briefing reach")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Northshire Police")
    assert axe_violations(page) == []
