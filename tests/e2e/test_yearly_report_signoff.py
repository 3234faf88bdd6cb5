"""The chair signs off the yearly report in a real browser, reads the signed-off version,
the live figures beside it, and makes a second version (issue 18, item 6). On a database
of its own: signing off changes what the yearly report page shows other modules."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from sgreviews.clock import london_today
from sgreviews.services.periods import BusinessYear
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

PARTNERSHIP = "Northshire Safeguarding Children Partnership"


def test_chair_signs_off_views_and_supersedes_the_yearly_report(module_page: Page) -> None:
    page = module_page
    sign_in(page, "chair@sgreviews.example")
    page.goto("/dashboard/yearly-report")
    last_year = BusinessYear(BusinessYear.containing(london_today()).start_year - 1)
    page.get_by_label("Partnership").select_option(label=PARTNERSHIP)
    page.get_by_label("Business year").select_option(str(last_year.start_year))
    page.get_by_role("button", name="Show report").click()
    expect(page.locator("#publication-clock")).to_contain_text("Publication due by 30 September")
    page.get_by_role("link", name="Sign off this report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Sign off the yearly report {last_year.label}"
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign off the report").click()

    banner = page.locator("#signed-off-banner")
    expect(banner).to_contain_text("Signed off on")
    expect(banner).to_contain_text("Version 1 of 1")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Yearly report {last_year.label}")
    screenshot(page, "yearly-report-signed-off")
    assert axe_violations(page) == []

    page.get_by_role("link", name="See the live figures worked out from today").click()
    expect(page.get_by_text("This report was signed off on")).to_be_visible()
    screenshot(page, "yearly-report-live-after-sign-off")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Sign off a new version of this report").click()
    page.get_by_role("button", name="Sign off a new version").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Say why a new version is needed")
    assert axe_violations(page) == []
    page.get_by_label("Why a new version is needed").fill("Corrected after the board meeting.")
    page.get_by_role("button", name="Sign off a new version").click()
    expect(page.locator("#signed-off-banner")).to_contain_text("Version 2 of 2")
    page.get_by_role("link", name="What changed from version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed from version 1 to version 2"
    )
    screenshot(page, "yearly-report-version-changes")
    assert axe_violations(page) == []
