"""A national recommendation in a real browser (issue 22, item 7): the secretariat records
one on the finding form, a missing addressee is refused beside its field, the findings
page shows it awaiting the national response, and "Your work" lists it until the response
is recorded. Each page is checked with axe-core and photographed."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

TEXT = "The Department should publish guidance on hearing pre-verbal children."
BODY = "Department for Education"


def test_secretariat_records_a_national_recommendation_and_its_response(page: Page) -> None:
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/master-action-plan")
    page.locator("table a.govuk-link").first.click()
    page.locator(".govuk-summary-list__row", has_text="Reviews").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1, name="Findings and actions")).to_be_visible()
    page.get_by_role("link", name="Add a finding").click()

    page.get_by_label("Recommendation", exact=True).check()
    page.get_by_label("Finding", exact=True).fill(TEXT)
    page.get_by_label("National", exact=True).check()
    page.get_by_label("A national body").check()
    page.get_by_role("button", name="Save finding").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the national body it is addressed to")
    expect(page.get_by_label("Finding", exact=True)).to_have_value(TEXT)
    screenshot(page, "recommendation-error")
    assert axe_violations(page) == []

    page.get_by_label("National body it is addressed to").fill(BODY)
    screenshot(page, "recommendation-form")
    page.get_by_role("button", name="Save finding").click()
    if page.get_by_role("heading", level=1, name="Similar earlier findings").is_visible():
        page.get_by_role("link", name="Back to the findings").click()
    finding = page.locator("section.app-finding", has_text=TEXT)
    expect(finding).to_contain_text(f"National recommendation, addressed to {BODY}.")
    expect(finding).to_contain_text("Awaiting the national response")
    screenshot(page, "recommendation-on-findings")
    assert axe_violations(page) == []

    page.goto("/work")
    queue = page.locator("section, div", has_text="National recommendations awaiting a response")
    expect(queue.first).to_be_visible()
    screenshot(page, "work-national-responses")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Record the response to").last.click()
    expect(page.get_by_label("Finding", exact=True)).to_have_value(TEXT)
    page.get_by_label("The national response").fill("Accepted; guidance to be revised.")
    page.get_by_role("group", name="Date of the national response").get_by_label("Day").fill("1")
    page.get_by_role("group", name="Date of the national response").get_by_label("Month").fill("12")
    page.get_by_role("group", name="Date of the national response").get_by_label("Year").fill(
        "2026"
    )
    page.get_by_role("button", name="Save finding").click()
    if page.get_by_role("heading", level=1, name="Similar earlier findings").is_visible():
        page.get_by_role("link", name="Back to the findings").click()
    finding = page.locator("section.app-finding", has_text=TEXT)
    expect(finding).to_contain_text("National response received on 1 December 2026")
