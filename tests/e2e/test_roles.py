"""Each role signs in, reaches its home page, and the pages have no axe-core violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sgreviews.services.demo.core import SIGN_INS
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

HOME_HEADINGS = {
    "administrator": ("/admin/users", "Users and agencies"),
    "secretariat": ("/work", "Your work"),
    "chair": ("/work", "Your work"),
    "agency_lead": ("/agency/actions", "Your agency's actions"),
    "practitioner": ("/learning", "Learning library"),
}

# One sign-in per role (the first demo user of each).
ROLE_SIGN_INS = {sign_in.role.value: sign_in for sign_in in reversed(SIGN_INS)}


def test_sign_in_page_is_accessible(page: Page) -> None:
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")
    assert axe_violations(page) == []


def test_sign_in_error_is_accessible_and_focused(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("nobody@sgreviews.example")
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct email address and password")
    # GOV.UK Frontend's JavaScript moves focus to the error summary.
    expect(summary).to_be_focused()
    screenshot(page, "sign-in-error")
    assert axe_violations(page) == []


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_role_reaches_home_page(page: Page, role: str) -> None:
    path, heading = HOME_HEADINGS[role]
    sign_in(page, ROLE_SIGN_INS[role].email)
    assert page.url.endswith(path)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.locator(".app-service-header")).to_contain_text(ROLE_SIGN_INS[role].display_name)
    screenshot(page, f"home-{role}")
    assert axe_violations(page) == []


def test_keyboard_user_can_skip_to_content_and_sign_in(page: Page) -> None:
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # After the skip link the next stops are the sign-in fields, then the button.
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(ROLE_SIGN_INS["chair"].email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    from sgreviews.services.demo.core import DEMO_PASSWORD

    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Your work")).to_be_visible()


def test_sign_out_returns_to_sign_in(page: Page) -> None:
    sign_in(page, ROLE_SIGN_INS["chair"].email)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/overview")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_unknown_page_is_styled_404(page: Page) -> None:
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert axe_violations(page) == []
