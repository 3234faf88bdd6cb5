"""Learning that recurs (issue 23) in a real browser: a reworded finding finds its
earlier twin (the check button, then the finding's similar findings page after saving),
the link is confirmed and shows on the dashboard and in the yearly report; the action
form's quality check. axe-core runs on every new page; screenshots go to test-artifacts/
(and SGREVIEWS_SHOTS, when set, for people to look at)."""

from __future__ import annotations

import os
import shutil

from playwright.sync_api import Page, expect

from sgreviews.clock import london_today
from sgreviews.services.periods import BusinessYear
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

REWORDED = (
    "Concerns about criminal exploitation were not linked between the police records and "
    "the school's records."
)


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, name)
    target = os.environ.get("SGREVIEWS_SHOTS")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, os.path.join(target, path.name))


def _open_findings(page: Page, reference: str) -> None:
    page.goto("/reviews")
    page.get_by_role("link", name=reference, exact=True).first.click()
    page.get_by_role("link", name=f"Findings and actions of {reference}").click()


def test_a_reworded_finding_is_linked_to_its_twin(module_page: Page) -> None:
    page = module_page
    sign_in(page, "secretariat@sgreviews.example")
    _open_findings(page, "LR-2025-03")
    page.get_by_role("link", name="Add a finding").first.click()
    page.get_by_label("Finding", exact=True).fill(REWORDED)
    page.get_by_role("button", name="Check for similar earlier findings").click()
    similar = page.locator("#similar-findings")
    expect(similar).to_contain_text("LCSPR-2025-02 finding")
    _shot(page, "learning-finding-check")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_role("heading", level=1, name="Similar earlier findings")).to_be_visible()
    expect(page.get_by_text("Concerns about exploitation were not linked")).to_be_visible()
    _shot(page, "learning-similar-page")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm link").first.click()
    expect(page.get_by_text("repeats learning from LCSPR-2025-02")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    sign_in(page, "chair@sgreviews.example")
    page.goto("/dashboard?partnership=")
    recurring = page.locator("#recurring")
    expect(recurring).to_be_visible()
    links = page.get_by_role("region", name="Findings confirmed as repeating earlier learning")
    expect(links).to_contain_text("LCSPR-2025-02 finding")
    top = page.locator("#recurring").bounding_box()
    bottom = page.locator("#dissemination").bounding_box()
    assert top is not None and bottom is not None
    scroll = page.evaluate("window.scrollY")
    clip = {
        "x": 0,
        "y": top["y"] + scroll - 10,
        "width": 1280,
        "height": bottom["y"] - top["y"] + 10,
    }
    target = os.environ.get("SGREVIEWS_SHOTS")
    if target:
        os.makedirs(target, exist_ok=True)
        page.screenshot(
            path=os.path.join(target, "learning-dashboard-section.png"), full_page=True, clip=clip
        )
    report = page.context.new_page()
    # LR-2025-03 started 150 days ago in the demo: this business year's report.
    report.goto(
        f"/dashboard/yearly-report?year={BusinessYear.containing(london_today()).start_year}"
    )
    expect(report.get_by_role("heading", name="Learning that recurred")).to_be_visible()
    expect(report.locator("main")).to_contain_text("repeats LCSPR-2025-02 finding")
    assert axe_violations(report) == []
    _shot(report, "learning-yearly-report")
    report.close()
    assert axe_violations(page) == []


def test_the_action_form_shows_quality_hints(module_page: Page) -> None:
    page = module_page
    sign_in(page, "secretariat@sgreviews.example")
    _open_findings(page, "LR-2025-03")
    page.get_by_role("link", name="Add an action to finding 1").click()
    page.get_by_label("Outcome we want").fill("Add a prompt to strategy discussion records")
    page.get_by_label("Action we will take").fill("Add a prompt to strategy-discussion records")
    page.get_by_label("How we will measure it").fill("Practice improves")
    page.get_by_role("button", name="Check the action").click()
    hints = page.locator("#quality-hints")
    expect(hints).to_contain_text("No lead is named")
    expect(hints).to_contain_text("restates the action")
    _shot(page, "learning-action-hints")
    assert axe_violations(page) == []
