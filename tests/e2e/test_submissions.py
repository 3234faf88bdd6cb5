"""Submissions to external bodies in a real browser (issue 22): the secretariat records a
submission of an LCSPR to the national Panel (after an error shown beside its field), then
the Panel's reply; the review page's "Submissions" section shows both; axe-core finds
nothing on the form, the error and the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

SECRETARIAT = "secretariat@sgreviews.example"


def _date(page: Page, field: str, day: str, month: str, year: str) -> None:
    page.fill(f"#{field}-day", day)
    page.fill(f"#{field}-month", month)
    page.fill(f"#{field}-year", year)


def test_record_a_submission_and_its_reply(page: Page) -> None:
    sign_in(page, SECRETARIAT)
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name="LCSPR-2025-02").click()
    expect(page.get_by_role("heading", level=2, name="Submissions")).to_be_visible()
    page.get_by_role("link", name="Record a submission").click()
    expect(page.get_by_role("heading", level=1, name="Record a submission")).to_be_visible()
    screenshot(page, "submission-form")
    assert axe_violations(page) == []

    # The date sent is in the future: refused beside the field, the text kept.
    page.get_by_label("Child Safeguarding Practice Review Panel").check()
    _date(page, "sent_on", "1", "1", "2099")
    page.get_by_label("What was sent").fill("The final report, 7 working days before publication.")
    page.get_by_role("button", name="Record the submission").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date sent must be today or in the past"
    )
    expect(page.locator("#sent_on-error")).to_contain_text("must be today or in the past")
    expect(page.get_by_label("What was sent")).to_have_value(
        "The final report, 7 working days before publication."
    )
    screenshot(page, "submission-form-error")
    assert axe_violations(page) == []

    _date(page, "sent_on", "3", "3", "2025")
    page.get_by_role("button", name="Record the submission").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Submission recorded")
    card = page.locator(".govuk-summary-card", has_text="Child Safeguarding Practice Review Panel")
    expect(card).to_contain_text("24 Mar 2025")  # 15 working days after 3 March 2025
    expect(card).to_contain_text("Reply overdue")
    assert axe_violations(page) == []

    card.get_by_role("link", name="Record the reply").click()
    expect(page.get_by_role("heading", level=1, name="Record the reply")).to_be_visible()
    assert axe_violations(page) == []
    _date(page, "reply_on", "1", "3", "2025")
    page.get_by_label("What the reply said").fill("The Panel has no further questions.")
    page.get_by_role("button", name="Record the reply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The reply cannot be before the submission was sent on 3 March 2025"
    )
    assert axe_violations(page) == []
    _date(page, "reply_on", "20", "3", "2025")
    page.get_by_role("button", name="Record the reply").click()
    card = page.locator(".govuk-summary-card", has_text="Child Safeguarding Practice Review Panel")
    expect(card).to_contain_text("Replied")
    expect(card).to_contain_text("The Panel has no further questions.")
    page.locator("#submissions").scroll_into_view_if_needed()
    screenshot(page, "review-submissions-section")
    assert axe_violations(page) == []
