"""Phones (issue 20, item 8): the agency workspace and the learning library at 390 px wide.
Nothing is off-screen: the page does not scroll sideways, and each action's key columns
(the action, its due date, its status) sit inside the viewport. Screenshots are saved for
people to look at, and axe-core checks the narrow layout too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from sgreviews.models import Role
from sgreviews.services.demo.core import SIGN_INS
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

WIDTH = 390


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, viewport={"width": WIDTH, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    yield page
    context.close()


def _first(role: Role) -> str:
    return next(s.email for s in SIGN_INS if s.role is role)


def _inside_viewport(locator: Locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not displayed"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (locator, box)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width} px wide at {WIDTH} px"


def test_agency_workspace_at_390_px(phone: Page) -> None:
    sign_in(phone, _first(Role.AGENCY_LEAD))
    phone.goto("/agency/actions")
    expect(phone.get_by_role("heading", level=1, name="Your agency's actions")).to_be_visible()
    rows = phone.locator("table.app-table--stack tbody tr")
    assert rows.count() > 0
    for index in range(min(rows.count(), 5)):
        row = rows.nth(index)
        for column in ("reference", "action", "due", "status"):
            cell = row.locator(f'[data-column="{column}"]')
            expect(cell).to_be_visible()
            _inside_viewport(cell)
    _no_sideways_scroll(phone)
    screenshot(phone, "phone-agency-workspace")
    assert axe_violations(phone) == []
    # The filters, opened, fit too.
    phone.get_by_text("Filter the actions").click()
    filter_button = phone.get_by_role("button", name="Filter")
    expect(filter_button).to_be_visible()
    _inside_viewport(filter_button)
    _no_sideways_scroll(phone)
    screenshot(phone, "phone-agency-workspace-filters")


def test_learning_library_at_390_px(phone: Page) -> None:
    sign_in(phone, _first(Role.PRACTITIONER))
    phone.goto("/learning")
    expect(phone.get_by_role("heading", level=1, name="Learning library")).to_be_visible()
    titles = phone.locator(".app-results__item h3 a")
    assert titles.count() > 0
    for index in range(min(titles.count(), 5)):
        _inside_viewport(titles.nth(index))
    _inside_viewport(phone.get_by_label("Search briefings"))
    _no_sideways_scroll(phone)
    screenshot(phone, "phone-learning-library")
    assert axe_violations(phone) == []
