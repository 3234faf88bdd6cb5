"""History can be entered, in a real browser (issue 18): an agency lead records a progress
update effective on a past day. A day in the future, and one before the review began, are
refused beside the "Effective on" field with the note kept; the saved update shows the day
it took effect and when it was recorded, by whom. The other changed forms (assurance,
impact, extension, stage move) and the review's historical-record button are checked with
axe-core and photographed."""

from __future__ import annotations

import re
from datetime import date, datetime

from playwright.sync_api import Page, expect

from sgreviews.clock import london_today
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

ACTION_HEADING = re.compile(r"^Action ")
NOTE = "Entering history: the strategy-discussion prompt was trialled with two teams."


def _fill_effective_on(page: Page, day: date) -> None:
    group = page.locator("#effective_on")
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_agency_lead_enters_a_dated_progress_update(page: Page) -> None:
    sign_in(page, "police.lead@sgreviews.example")
    page.goto("/agency/actions?status=in_progress")
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", level=1, name=ACTION_HEADING)).to_be_visible()
    action_url = page.url
    page.get_by_role("link", name="Record progress").click()
    expect(page.get_by_role("heading", level=1, name="Record progress")).to_be_visible()
    # The date offered is today.
    today = london_today()
    expect(page.locator("#effective_on").get_by_label("Year")).to_have_value(str(today.year))
    expect(page.get_by_text("Leave as today unless you are entering history")).to_be_visible()
    screenshot(page, "history-progress-form")
    assert axe_violations(page) == []

    page.get_by_label("In progress").check()
    page.get_by_label("What has happened since the last update").fill(NOTE)
    # Before the review began: refused beside the field, the note kept; the message
    # names the day the review began.
    _fill_effective_on(page, date(2000, 1, 1))
    page.get_by_role("button", name="Save update").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    message = page.locator("#effective_on-error")
    expect(message).to_contain_text("on or after the review began")
    expect(page.get_by_label("What has happened since the last update")).to_have_value(NOTE)
    screenshot(page, "history-progress-before-start")
    assert axe_violations(page) == []
    found = re.search(r"began \((\d{1,2} \w+ \d{4})\)", message.inner_text())
    assert found is not None
    began = datetime.strptime(found.group(1), "%d %B %Y").date()  # noqa: DTZ007 - a date

    # The error summary's link takes focus to the Day box.
    summary.get_by_role("link").first.click()
    expect(page.locator("#effective_on-day")).to_be_focused()

    # In the future: refused too.
    _fill_effective_on(page, date(today.year + 1, 1, 1))
    page.get_by_role("button", name="Save update").click()
    expect(page.locator("#effective_on-error")).to_contain_text("must be today or in the past")

    # The day the review began: a past day, accepted.
    assert began < today
    _fill_effective_on(page, began)
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Progress update saved.")).to_be_visible()
    entry = page.locator(".app-history__entry", has_text=NOTE)
    written = f"{began.day} {began:%B %Y}"
    expect(entry).to_contain_text(f"Effective on {written}")
    expect(entry).to_contain_text("Recorded on")
    expect(entry).to_contain_text(" by ")
    screenshot(page, "history-progress-saved")
    assert axe_violations(page) == []
    assert page.url.split("?")[0] == action_url.split("?")[0]

    page.goto(action_url.split("?")[0] + "/extension")
    expect(page.locator("#effective_on")).to_be_visible()
    screenshot(page, "history-extension-form")
    assert axe_violations(page) == []


def test_the_other_dated_forms_and_the_historical_record_button(page: Page) -> None:
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/master-action-plan")
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", level=1, name=ACTION_HEADING)).to_be_visible()
    action_url = page.url.split("?")[0]
    for path, name in (
        ("/assurance", "history-assurance-form"),
        ("/impact", "history-impact-form"),
    ):
        page.goto(action_url + path)
        expect(page.locator("#effective_on")).to_be_visible()
        expect(page.get_by_text("Leave as today unless you are entering history")).to_be_visible()
        screenshot(page, name)
        assert axe_violations(page) == []

    page.goto("/reviews")
    links = page.locator("table a.govuk-link")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    review_url = ""
    for href in hrefs:
        assert href is not None
        page.goto(href)
        if page.get_by_role("link", name="Move to another stage").count():
            review_url = page.url.split("?")[0]
            break
    assert review_url, "no demo review can move on"
    page.get_by_role("link", name="Move to another stage").click()
    expect(page.get_by_text("Leave as today unless you are entering history")).to_be_visible()
    screenshot(page, "history-stage-form")
    assert axe_violations(page) == []

    page.goto(review_url)
    button = page.get_by_role("button", name=re.compile("Mark as a historical record"))
    button.click()
    expect(page.get_by_text("Marked as a historical record")).to_be_visible()
    expect(page.locator("#historical-record")).to_contain_text("Historical record")
    screenshot(page, "history-review-historical")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Unmark as a historical record").click()
    expect(page.get_by_text("No longer a historical record")).to_be_visible()
