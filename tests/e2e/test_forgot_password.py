"""The "Forgot your password?" page: reached from the sign-in page, keyboard usable, its
error summary takes focus, the same confirmation for every address, and axe-core finds
nothing on either page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from sgreviews.services.demo import core as demo
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations

SOMEONE = demo.SIGN_INS[0]


def test_forgot_password_pages(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    assert axe_violations(page) == []
    screenshot(page, "forgot-password")

    page.get_by_role("button", name="Send me a link").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your email address")
    assert axe_violations(page) == []
    screenshot(page, "forgot-password-error")

    page.get_by_label("Email address").fill(SOMEONE.email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    known = page.locator("main").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "forgot-password-sent")

    page.goto("/account/forgot-password")
    page.get_by_label("Email address").fill("nobody.here@sgreviews.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert page.locator("main").inner_text() == known
