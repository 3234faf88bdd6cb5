"""The chair writes the yearly report's foreword and a commentary beside the figures, sees
them on the report, signs it off, and the signed-off version keeps them (issue 18, item
5). On a database of its own: signing off changes what the yearly report page shows."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from sgreviews.clock import london_today
from sgreviews.services.periods import BusinessYear
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.helpers import axe_violations, sign_in

PARTNERSHIP = "Northshire Safeguarding Children Partnership"
FOREWORD = (
    "This year the partnership put families' voices at the centre of its reviews.\n\n"
    "- Every review now meets the family before the practitioner event.\n"
    "- Our **escalation procedure** was relaunched with a learning event."
)
LEARNED = "Health visitors told us the briefing on fathers changed how they plan visits."


def test_chair_writes_the_foreword_and_commentary_then_signs_off(module_page: Page) -> None:
    page = module_page
    sign_in(page, "chair@sgreviews.example")
    last_year = BusinessYear(BusinessYear.containing(london_today()).start_year - 1)
    page.goto("/dashboard/yearly-report")
    page.get_by_label("Partnership").select_option(label=PARTNERSHIP)
    page.get_by_label("Business year").select_option(str(last_year.start_year))
    page.get_by_role("button", name="Show report").click()
    page.get_by_role("link", name="Write the foreword and commentary").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Foreword and commentary: yearly report {last_year.label}"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text("Published as written")
    # Each box is labelled by its section, the section's figures as its hint.
    learned_box = page.get_by_label("What we learned")
    expect(learned_box).to_have_accessible_description(re.compile("The figures this section shows"))
    assert axe_violations(page) == []
    # Too long a text: the error summary links to the box and what was typed stays.
    learned_box.fill(LEARNED)
    page.get_by_label("Foreword by the chair").fill("Far too long. " * 1500)
    page.get_by_role("button", name="Save the foreword and commentary").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Keep “Foreword by the chair” to 20,000 characters or fewer")
    expect(page.get_by_label("What we learned")).to_have_value(LEARNED)
    screenshot(page, "yearly-report-narrative-error")
    assert axe_violations(page) == []
    page.get_by_label("Foreword by the chair").fill(FOREWORD)
    screenshot(page, "yearly-report-narrative-form")
    page.get_by_role("button", name="Save the foreword and commentary").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Foreword and commentary saved"
    )
    foreword = page.get_by_role("heading", name="Foreword by the chair", level=2)
    expect(foreword).to_be_visible()
    expect(page.locator(".app-report-narrative").first).to_contain_text(
        "put families' voices at the centre"
    )
    expect(page.locator(".app-report-narrative strong")).to_have_text("escalation procedure")
    expect(page.get_by_text(LEARNED)).to_be_visible()
    screenshot(page, "yearly-report-with-narrative")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Sign off this report").click()
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.locator("#signed-off-banner")).to_contain_text("Version 1 of 1")
    expect(page.get_by_role("heading", name="Foreword by the chair", level=2)).to_be_visible()
    expect(page.get_by_text(LEARNED)).to_be_visible()
    screenshot(page, "yearly-report-signed-with-narrative")
    assert axe_violations(page) == []

    # The signed PDF keeps the words (saved for people to look at its pages).
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    pdf = ARTIFACTS / "yearly-report-signed-with-narrative.pdf"
    download.value.save_as(pdf)
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Foreword by the chair" in text
    assert "voices at the centre of its reviews" in text
    assert "fathers changed how they plan visits" in text
