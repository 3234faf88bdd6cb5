"""The review lifecycle in a real browser: a case walked by the secretariat from
notification to publication with the deadlines checked on the way, the list, an error on
the notification form, and axe-core on each page type."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

SECRETARIAT = "secretariat@sgreviews.example"


def _date(page: Page, field: str, day: str, month: str, year: str) -> None:
    page.fill(f"#{field}-day", day)
    page.fill(f"#{field}-month", month)
    page.fill(f"#{field}-year", year)


def _deadline(page: Page, clock: str) -> str:
    return page.locator(f"[data-deadline='{clock}']").inner_text().strip()


def _state_of(page: Page, clock: str) -> str:
    row = page.locator("tr", has=page.locator(f"[data-deadline='{clock}']"))
    return row.locator(".govuk-tag").inner_text().strip()


def test_review_list_is_accessible(page: Page) -> None:
    sign_in(page, SECRETARIAT)
    page.get_by_role("link", name="Reviews", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Reviews")).to_be_visible()
    expect(page.get_by_text("LCSPR-2025-02")).to_be_visible()
    screenshot(page, "reviews-list")
    assert axe_violations(page) == []
    page.get_by_label("On hold").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="SAR-2026-01")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Paused")


def test_notification_error_is_shown_beside_the_field(page: Page) -> None:
    sign_in(page, SECRETARIAT)
    page.goto("/reviews/new-notification")
    page.get_by_label("Subject (pseudonymised)").fill("Child W")
    _date(page, "aware_on", "1", "1", "2099")
    page.get_by_role("button", name="Log the notification").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("must be today or in the past")
    expect(page.locator("#aware_on-error")).to_contain_text("must be today or in the past")
    expect(page.get_by_label("Subject (pseudonymised)")).to_have_value("Child W")
    screenshot(page, "notification-error")
    assert axe_violations(page) == []


def test_a_case_from_notification_to_publication(page: Page) -> None:
    sign_in(page, SECRETARIAT)
    page.goto("/reviews/new-notification")
    assert axe_violations(page) == []
    page.get_by_label("Partnership").select_option(
        label="Northshire Safeguarding Children Partnership"
    )
    page.get_by_label("Subject (pseudonymised)").fill("Child W")
    # Became aware Thursday 17 April 2025, just before Easter.
    _date(page, "aware_on", "17", "4", "2025")
    _date(page, "notified_on", "22", "4", "2025")
    page.get_by_role("button", name="Log the notification").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SIN-2025-")
    assert _deadline(page, "notification") == "28 Apr 2025"
    assert _state_of(page, "notification") == "Met"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Start the rapid review").click()
    _date(page, "started_on", "23", "4", "2025")
    page.get_by_role("button", name="Start the rapid review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RR-2025-")
    # 15 working days from 22 April 2025, skipping the early May bank holiday.
    assert _deadline(page, "rapid_review") == "14 May 2025"
    assert _state_of(page, "rapid_review") == "Overdue"

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Commission a local child safeguarding practice review").check()
    _date(page, "decided_on", "12", "5", "2025")
    page.get_by_label("Rationale").fill("Criteria met: learning about multi-agency working.")
    _date(page, "sent_to_panel_on", "12", "5", "2025")
    _date(page, "panel_reply_on", "19", "5", "2025")
    page.get_by_label("The Panel's reply").fill("The Panel agrees.")
    # Working Together 2023: a safeguarding partner signs the decision off; without who,
    # the form says so beside the field and keeps what was typed.
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose who signed off the decision"
    )
    expect(page.get_by_label("Rationale")).to_have_value(
        "Criteria met: learning about multi-agency working."
    )
    page.get_by_label("A delegated safeguarding partner").check()
    page.get_by_label("Name of the partner who signed it off").fill("Director Q (fictional)")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the decision").click()
    assert _state_of(page, "rapid_review") == "Met"
    expect(page.get_by_text("Signed off by Director Q (fictional), a delegated")).to_be_visible()
    expect(page.locator(".govuk-tag").first).to_contain_text("Panel replied")

    page.get_by_role("button", name=re.compile("Start the local child safeguarding")).click()
    expect(page.get_by_role("heading", level=1, name="Commission the review")).to_be_visible()
    _date(page, "commissioned_on", "2", "6", "2025")
    page.get_by_label("Reviewer or author").fill("Independent reviewer (fictional)")
    page.get_by_label("Systems / Learning Together").check()
    page.get_by_label("Cost in pounds (optional)").fill("12500")
    page.get_by_role("button", name="Save commissioning").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LCSPR-2025-")
    # Six months from the decision on 12 May 2025.
    assert _deadline(page, "completion") == "12 Nov 2025"

    page.get_by_role("link", name="Put on hold for proceedings").click()
    page.get_by_label("Criminal proceedings").check()
    page.get_by_label("Details").fill("Trial listed; the police asked for a pause.")
    _date(page, "started_on", "1", "7", "2025")
    page.get_by_role("button", name="Put the review on hold").click()
    expect(page.get_by_text("On hold since 1 Jul 2025")).to_be_visible()
    assert _state_of(page, "completion") == "Paused"

    page.get_by_role("link", name="Release the hold").click()
    _date(page, "ended_on", "31", "7", "2025")
    page.get_by_role("button", name="Release the hold").click()
    # Thirty days on hold move the deadline to 12 December 2025.
    assert _deadline(page, "completion") == "12 Dec 2025"
    expect(page.locator("body")).to_contain_text("stopped for 30 days on hold")

    for stage in ("In progress", "Draft report", "Final report"):
        page.get_by_role("link", name="Move to another stage").click()
        page.get_by_label(stage, exact=True).check()
        _date(page, "moved_on", "1", "9", "2025")
        page.get_by_role("button", name="Move the review").click()

    page.get_by_role("link", name="Record publication").click()
    page.get_by_role("button", name="Record publication").click()
    expect(page.locator("#published_on-error")).to_contain_text("Enter the date")
    _date(page, "published_on", "10", "12", "2025")
    _date(page, "final_report_sent_on", "1", "12", "2025")
    page.get_by_label("Link to the published report").fill("https://example.org/child-w")
    page.get_by_label("I confirm the published report is anonymised").check()
    page.get_by_role("button", name="Record publication").click()
    assert _state_of(page, "completion") == "Met"
    expect(page.locator("body")).to_contain_text(
        "7 working days before publication (at least 7 required)"
    )
    expect(page.locator("p").filter(has_text="Stage:")).to_contain_text("Published")
    expect(page.get_by_role("link", name=re.compile("RR-2025-"))).to_be_visible()
    screenshot(page, "review-page")
    assert axe_violations(page) == []


def test_family_log_is_accessible(page: Page) -> None:
    sign_in(page, SECRETARIAT)
    page.goto("/reviews")
    page.get_by_role("link", name="LCSPR-2025-02").click()
    page.get_by_role("link", name=re.compile("Family involvement log")).click()
    expect(page.get_by_text("Mother of Child M")).to_be_visible()
    screenshot(page, "family-log")
    assert axe_violations(page) == []


def test_administrator_manages_closure_days(page: Page) -> None:
    sign_in(page, "admin@sgreviews.example")
    page.get_by_role("link", name="Closure days").click()
    expect(page.get_by_role("heading", level=1, name="Extra closure days")).to_be_visible()
    _date(page, "day", "29", "12", "2025")
    page.get_by_label("Reason").fill("Office closed between Christmas and New Year")
    page.get_by_role("button", name="Add the closure day").click()
    expect(page.locator("tbody")).to_contain_text("29 Dec 2025")
    screenshot(page, "closure-days")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Remove 29 Dec 2025").click()
    expect(page.get_by_text("No extra closure days.")).to_be_visible()


def test_agency_lead_sees_only_their_reviews(page: Page) -> None:
    sign_in(page, "police.lead@sgreviews.example")
    page.get_by_role("link", name="Reviews", exact=True).click()
    body = page.locator("tbody")
    # Police hold actions on the DHR and are involved in LCSPR-2025-02.
    expect(body).to_contain_text("DHR-2025-01")
    expect(body).to_contain_text("LCSPR-2025-02")
    expect(body).not_to_contain_text("SAR-2024-02")
    expect(page.get_by_role("link", name="Log a serious incident notification")).to_have_count(0)
    page.get_by_role("link", name="LCSPR-2025-02").click()
    expect(page.get_by_role("link", name=re.compile("Family involvement log"))).to_have_count(0)
    expect(page.get_by_role("link", name="Move to another stage")).to_have_count(0)
