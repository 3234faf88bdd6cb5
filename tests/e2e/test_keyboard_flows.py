"""Keyboard-only core flows: after opening the first page of a flow, every step is a key
press (Tab, Shift+Tab, Enter, Space, arrows, and typing). Checked on the way: the first
Tab lands on the skip link and the skip link moves focus to the main content; focus is
always visible; the focus order follows the page; on a validation error the error
summary takes focus and its links move focus to the field.

The module has its own server and database (the flows save data)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from sgreviews.models import Role
from sgreviews.services.demo.core import DEMO_PASSWORD
from tests.e2e.test_accessibility_sweep import ONE_PER_ROLE

# GOV.UK Frontend's focus state: the yellow (#fd0) outline or background, or a box shadow.
FOCUS_VISIBLE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return false;
    const style = getComputedStyle(element);
    const yellow = 'rgb(255, 221, 0)';
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
        || style.backgroundColor === yellow
        || (style.boxShadow && style.boxShadow !== 'none');
}"""


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until ``target`` has focus; each stop shows its focus."""
    for _press in range(limit):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_VISIBLE), f"focus not visible on {focused_description(page)}"
        if is_focused(target):
            return
    raise AssertionError(f"{key} never reached {target}")


def focused_description(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? `${e.tagName} #${e.id} ${(e.textContent || '').trim().slice(0, 40)}`"
            " : ''; }"
        )
    )


def press_and_wait(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def type_date(page: Page, day: str, month: str, year: str) -> None:
    """From a focused Day box: type the day, then Tab to month and year."""
    page.keyboard.type(day)
    page.keyboard.press("Tab")
    page.keyboard.type(month)
    page.keyboard.press("Tab")
    page.keyboard.type(year)


def expect_error_summary_leads_to(page: Page, field: Locator) -> None:
    """The summary has focus; Tab reaches its first link; Enter moves focus to the field."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    first_link = summary.locator("a").first
    tab_to(page, first_link, limit=3)
    page.keyboard.press("Enter")
    expect(field).to_be_focused()


def keyboard_sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    press_and_wait(page, "Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_skip_link_is_the_first_stop_and_goes_to_main_content(module_page: Page) -> None:
    page = module_page
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text(re.compile("Skip to main content"))
    assert page.evaluate(FOCUS_VISIBLE)
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    # The next Tab goes on from the main content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.querySelector('#main-content').contains(document.activeElement)"
    ), focused_description(page)


def test_sign_in_error_then_sign_in(module_page: Page) -> None:
    page = module_page
    page.goto("/sign-in")
    email = page.get_by_label("Email address")
    password = page.get_by_label("Password", exact=True)
    tab_to(page, email)
    # Order: email, password, then the button; Shift+Tab goes back.
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(email).to_be_focused()
    press_and_wait(page, "Enter")
    expect_error_summary_leads_to(page, page.get_by_label("Email address"))
    page.keyboard.type(ONE_PER_ROLE[Role.SECRETARIAT])
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    press_and_wait(page, "Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_secretariat_logs_a_notification_then_adds_a_finding_and_an_action(
    module_page: Page,
) -> None:
    page = module_page
    keyboard_sign_in(page, ONE_PER_ROLE[Role.SECRETARIAT])
    page.goto("/reviews/new-notification")
    submit = page.get_by_role("button", name="Log the notification")
    tab_to(page, submit)
    press_and_wait(page, "Enter")
    expect_error_summary_leads_to(page, page.get_by_label("Subject (pseudonymised)"))
    page.keyboard.type("Child K")
    # Child is chosen already; the Day box of "became aware" is next after the radios.
    tab_to(page, page.locator("#aware_on-day"))
    type_date(page, "3", "3", "2025")
    tab_to(page, submit)
    press_and_wait(page, "Enter")
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    review_path = re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]
    assert re.fullmatch(r"/reviews/\d+", review_path), page.url

    page.goto(f"{review_path}/findings/new")
    kind = page.locator("input[name=kind]").first
    tab_to(page, kind)
    page.keyboard.press("Space")
    expect(kind).to_be_checked()
    tab_to(page, page.get_by_label("Finding", exact=True))
    page.keyboard.type("Agencies did not share what they knew about the household.")
    tab_to(page, page.get_by_role("button", name="Save finding"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text(re.compile(r"Finding \d+ added"))).to_be_visible()

    page.goto(f"{review_path}/actions/new")
    finding = page.locator("input[name=findings]").first
    tab_to(page, finding)
    if not finding.is_checked():
        page.keyboard.press("Space")
    expect(finding).to_be_checked()
    for label, text in (
        ("Outcome we want", "Information is shared at the first strategy discussion"),
        ("Action we will take", "Add a sharing prompt to the strategy discussion template"),
        ("How we will measure it", "Audit of 20 records shows the prompt used"),
    ):
        tab_to(page, page.get_by_label(label, exact=True))
        page.keyboard.type(text)
    tab_to(page, page.get_by_label("Owning agency"))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.locator("#due_date-day"))
    type_date(page, "27", "3", "2030")
    tab_to(page, page.get_by_role("button", name="Save action"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text(re.compile(r"Action .+ added\."))).to_be_visible()


def test_agency_lead_records_progress(module_page: Page) -> None:
    page = module_page
    keyboard_sign_in(page, ONE_PER_ROLE[Role.AGENCY_LEAD])
    hrefs = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    action_href = next(href for href in hrefs if re.fullmatch(r"/actions/\d+", href))
    tab_to(page, page.locator(f"main a[href='{action_href}']").first)
    press_and_wait(page, "Enter")
    tab_to(page, page.get_by_role("link", name="Record progress"))
    press_and_wait(page, "Enter")
    save = page.get_by_role("button", name="Save update")
    tab_to(page, save)
    press_and_wait(page, "Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    status = page.locator("input[name=status]")
    tab_to(page, status.first)
    # Arrow keys move through the radios and select.
    page.keyboard.press("ArrowDown")
    expect(status.nth(1)).to_be_checked()
    tab_to(page, page.get_by_label("What has happened since the last update"))
    page.keyboard.type("Training delivered to two of four teams.")
    tab_to(page, save)
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Progress update saved.")).to_be_visible()


def test_practitioner_reads_and_confirms_a_briefing(module_page: Page) -> None:
    page = module_page
    keyboard_sign_in(page, ONE_PER_ROLE[Role.PRACTITIONER])
    briefing = page.locator("main a[href^='/briefings/']").first
    tab_to(page, briefing)
    press_and_wait(page, "Enter")
    tab_to(page, page.get_by_label("Your reflection (optional)"))
    page.keyboard.type("I will ask who else lives in the home.")
    tab_to(page, page.get_by_role("button", name="I have read this"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Thank you: your reading is recorded.")).to_be_visible()


def test_chair_records_a_challenge(module_page: Page) -> None:
    page = module_page
    keyboard_sign_in(page, ONE_PER_ROLE[Role.CHAIR])
    page.goto("/challenges/new")
    save = page.get_by_role("button", name="Save challenge")
    tab_to(page, save)
    press_and_wait(page, "Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    # Each link in the summary moves focus to its field.
    for link in summary.locator("a").all():
        target = link.get_attribute("href") or ""
        tab_to(page, link, limit=20)
        page.keyboard.press("Enter")
        expect(
            page.locator(target if not target.endswith(("_on", "_date")) else f"{target}-day")
        ).to_be_focused()
        tab_to(page, link, limit=80, key="Shift+Tab")
    tab_to(page, page.get_by_label("Partnership"))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.locator("#raised_on-day"))
    type_date(page, "2", "6", "2025")
    tab_to(page, page.get_by_label("Raised with"))
    page.keyboard.type("Designated safeguarding lead, Northshire Police")
    tab_to(page, page.get_by_label("Issue"))
    page.keyboard.type("Why were strategy discussions held late in three cases?")
    tab_to(page, save)
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Challenge recorded")).to_be_visible()
