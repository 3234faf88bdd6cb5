"""Issue 22 in a real browser: a Welsh Single Unified Safeguarding Review and a Scottish
child protection learning review created and moved through their stages, the Scottish
one in a partnership whose nation the administrator sets, so its clocks count Scotland's
bank holidays."""

from __future__ import annotations

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


def _move(page: Page, stage: str, day: str, month: str, year: str) -> None:
    page.get_by_role("link", name="Move to another stage").click()
    page.get_by_label(stage, exact=True).check()
    _date(page, "moved_on", day, month, year)
    page.get_by_role("button", name="Move the review").click()
    expect(page.locator("p").filter(has_text="Stage:")).to_contain_text(stage)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_welsh_susr_is_created_decided_and_moved_on(page: Page) -> None:
    sign_in(page, SECRETARIAT)
    page.goto("/reviews/new")
    page.get_by_label("Type of review").select_option(label="Single Unified Safeguarding Review")
    page.get_by_label("Partnership", exact=True).select_option(
        label="Northshire Safeguarding Children Partnership"
    )
    page.get_by_label("Subject (pseudonymised)").fill("Adult T")
    page.get_by_label("Adult", exact=True).check()
    _date(page, "started_on", "6", "3", "2026")
    _date(page, "notified_on", "6", "3", "2026")
    page.get_by_label("Kind of review (optional)").select_option(
        label="Domestic homicide (Home Office quality assurance)"
    )
    page.get_by_role("button", name="Create the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SUSR-2026-")
    # The partnership has no nation: the SUSR clocks' default, Wales, applies. One month
    # from the referral on 6 March 2026 is Easter Monday 6 April, a Welsh bank holiday.
    assert _deadline(page, "decision") == "7 Apr 2026"
    expect(page.locator("body")).to_contain_text("GB subdivision WLS")
    expect(page.locator("body")).to_contain_text("Regional safeguarding board")
    screenshot(page, "susr-created")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Hold a Single Unified Safeguarding Review").check()
    _date(page, "decided_on", "20", "3", "2026")
    page.get_by_label("Rationale").fill("Criteria met: a domestic homicide in the region.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("p").filter(has_text="Stage:")).to_contain_text("Chair's decision")
    # Welsh Government within 5 working days of Fri 20 March: 23 to 27 March.
    assert _deadline(page, "welsh_government") == "27 Mar 2026"
    _move(page, "Reviewer appointed from the approved list", "23", "3", "2026")
    _move(page, "Welsh Government notified", "24", "3", "2026")
    expect(
        page.locator("tr", has=page.locator("[data-deadline='welsh_government']"))
    ).to_contain_text("24 Mar 2026")
    screenshot(page, "susr-moved")
    assert axe_violations(page) == []


def test_scottish_learning_review_counts_scotlands_holidays(page: Page) -> None:
    # The administrator sets a partnership's nation. (Named to sort after the demo's
    # Northshire partnerships, which other browser tests expect the form to pick first.)
    sign_in(page, "admin@sgreviews.example")
    page.get_by_role("link", name="Partnerships", exact=True).click()
    page.get_by_role("button", name="Add a partnership").click()
    page.get_by_label("Name", exact=True).fill("Strathshire Child Protection Committee")
    page.get_by_label("Short name").fill("STCPC")
    page.get_by_label("Safeguarding children partnership").check()
    page.get_by_label("Jurisdiction").select_option("SCT")
    page.get_by_role("button", name="Save partnership").click()
    expect(page.get_by_text("Strathshire Child Protection Committee saved.")).to_be_visible()
    _sign_out(page)

    sign_in(page, SECRETARIAT)
    page.goto("/reviews/new")
    page.get_by_label("Type of review").select_option(label="Child protection learning review")
    page.get_by_label("Partnership", exact=True).select_option(
        label="Strathshire Child Protection Committee"
    )
    page.get_by_label("Subject (pseudonymised)").fill("Child Q")
    _date(page, "started_on", "1", "10", "2025")
    _date(page, "notified_on", "1", "10", "2025")
    page.get_by_role("button", name="Create the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CPLR-2025-")
    assert axe_violations(page) == []

    _move(page, "Chief Officers Group decision", "6", "10", "2025")
    _move(page, "Care Inspectorate notified of the decision", "8", "10", "2025")
    _move(page, "In progress", "20", "10", "2025")
    _move(page, "Report", "1", "12", "2025")
    _move(page, "Ratified by the Chief Officers Group", "26", "12", "2025")
    # 5 working days after the decision on Monday 6 October 2025, met on the 8th.
    assert _deadline(page, "care_inspectorate_decision") == "13 Oct 2025"
    expect(page.locator("body")).to_contain_text("SCT (the partnership's nation)")
    # Friday 26 December + 7 calendar days is Friday 2 January, a Scottish bank holiday.
    assert _deadline(page, "outcome_form") == "5 Jan 2026"
    expect(page.locator("body")).to_contain_text("GB subdivision SCT")
    expect(page.locator("body")).to_contain_text(
        '7 calendar days after the move to "Ratified by the Chief Officers Group"'
    )
    screenshot(page, "cplr-outcome-form-clock")
    assert axe_violations(page) == []
    _move(page, "Outcome form sent to the Care Inspectorate", "2", "1", "2026")
    row = page.locator("tr", has=page.locator("[data-deadline='outcome_form']"))
    expect(row).to_contain_text("2 Jan 2026")
    expect(row.locator(".govuk-tag")).to_have_text("Met")


def test_northern_ireland_case_management_review_counts_the_twelfth(page: Page) -> None:
    """A Case Management Review (regulation 17) on the good-practice criterion: created,
    decided and commissioned in the browser; its decision clock, one month from a
    notification on 12 June 2026, falls on Sunday 12 July and moves past Northern
    Ireland's Battle of the Boyne holiday (observed Monday 13 July) to Tuesday 14 July."""
    sign_in(page, SECRETARIAT)
    page.goto("/reviews/new")
    page.get_by_label("Type of review").select_option(label="Case Management Review")
    page.get_by_label("Partnership", exact=True).select_option(
        label="Northshire Safeguarding Children Partnership"
    )
    page.get_by_label("Subject (pseudonymised)").fill("Child Q")
    _date(page, "started_on", "12", "6", "2026")
    _date(page, "notified_on", "12", "6", "2026")
    page.get_by_label("Kind of review (optional)").select_option(
        label="Good practice: outstanding positive learning (regulation 17(3))"
    )
    page.get_by_role("button", name="Create the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMR-2026-")
    assert _deadline(page, "decision") == "14 Jul 2026"
    expect(page.locator("body")).to_contain_text("GB subdivision NIR")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Hold a CMR: outstanding positive learning (regulation 17(3))").check()
    _date(page, "decided_on", "3", "7", "2026")
    page.get_by_label("Rationale").fill("Agencies worked well together: learning to share.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("p").filter(has_text="Stage:")).to_contain_text(
        "SBNI Chair's decision on the CMR Panel's recommendation"
    )
    row = page.locator("tr", has=page.locator("[data-deadline='decision']"))
    expect(row.locator(".govuk-tag")).to_have_text("Met")
    _move(page, "Commissioned", "10", "7", "2026")
    screenshot(page, "cmr-commissioned")
    assert axe_violations(page) == []
