"""National reviews tabled in a real browser (issue 18, item 5): the secretariat finds the
register from the navigation, sees the demo entries, adds a national review (after a date
in the future is refused beside its field, the typed text kept), and finds it in the
yearly report's "National reviews tabled" section; axe-core finds nothing on each page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from sgreviews.clock import london_today
from sgreviews.services.periods import BusinessYear
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

SECRETARIAT = "secretariat@sgreviews.example"
PARTNERSHIP = "Northshire Safeguarding Children Partnership"
TITLE = "National review: children who go missing from care (fictional e2e)"
DONE = "The board asked for a missing-episodes audit.\n\n- Return interviews checked"


def _date(page: Page, field: str, day: int, month: int, year: int) -> None:
    page.fill(f"#{field}-day", str(day))
    page.fill(f"#{field}-month", str(month))
    page.fill(f"#{field}-year", str(year))


def test_add_a_national_review_and_see_it_in_the_yearly_report(module_page: Page) -> None:
    page = module_page
    today = london_today()
    year = BusinessYear.containing(today)
    sign_in(page, SECRETARIAT)
    page.get_by_role("link", name="National reviews", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National reviews tabled")
    assert axe_violations(page) == []
    page.get_by_role("link", name=PARTNERSHIP).click()
    page.get_by_label("Business year tabled").select_option("all")
    page.get_by_role("button", name="Show").click()
    # The demo entries (fictional titles).
    expect(page.locator(".govuk-summary-card")).to_have_count(3)
    expect(
        page.get_by_role("heading", level=2, name="safeguarding babies at risk of non-accidental")
    ).to_be_visible()
    screenshot(page, "national-reviews-register")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Add a national review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a national review tabled")
    assert axe_violations(page) == []
    page.get_by_label("Title of the national review").fill(TITLE)
    page.get_by_label("Published by").fill("Child Safeguarding Practice Review Panel")
    _date(page, "tabled_on", 1, 1, today.year + 1)
    page.get_by_label("Where it was tabled").fill("Case review subgroup")
    page.get_by_label("What the partnership did as a result").fill(DONE)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date tabled must be today or in the past"
    )
    expect(page.locator("#tabled_on-error")).to_contain_text("today or in the past")
    expect(page.get_by_label("What the partnership did as a result")).to_have_value(DONE)
    expect(page.get_by_label("Title of the national review")).to_have_value(TITLE)
    screenshot(page, "national-reviews-form-error")
    assert axe_violations(page) == []

    _date(page, "tabled_on", today.day, today.month, today.year)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("added to the register")
    card = page.locator(".govuk-summary-card", has_text=TITLE)
    expect(card).to_contain_text("Case review subgroup")
    expect(card.locator("li", has_text="Return interviews checked")).to_be_visible()
    assert axe_violations(page) == []

    page.goto("/dashboard/yearly-report")
    page.get_by_label("Partnership").select_option(label=PARTNERSHIP)
    page.get_by_label("Business year").select_option(str(year.start_year))
    page.get_by_role("button", name="Show report").click()
    heading = page.get_by_role("heading", level=2, name="National reviews tabled")
    expect(heading).to_be_visible()
    section = page.locator("h2:has-text('National reviews tabled') ~ table").first
    expect(section).to_contain_text(TITLE)
    expect(section).to_contain_text(
        "The board asked for a missing-episodes audit. Return interviews checked"
    )
    expect(page.locator("h2:has-text('National reviews tabled') + p")).to_contain_text(
        "the partnership considered"
    )
    heading.scroll_into_view_if_needed()
    screenshot(page, "yearly-report-national-reviews-tabled")
    assert axe_violations(page) == []
