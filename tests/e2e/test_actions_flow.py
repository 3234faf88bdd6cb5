"""Findings and actions in a real browser: an agency lead records progress with an evidence
file and the secretariat assures it; a stale second edit is refused without losing text;
an import dry run shows row errors and a confirmed import creates the rows. Each page type
is checked with axe-core and photographed."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.helpers import axe_violations, sign_in

ACTION_HEADING = re.compile(r"^Action ")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_agency_lead_updates_with_evidence_and_secretariat_assures(
    page: Page, tmp_path: Path
) -> None:
    sign_in(page, "police.lead@sgreviews.example")
    expect(page.get_by_role("heading", level=1, name="Your agency's actions")).to_be_visible()
    screenshot(page, "actions-workspace")
    assert axe_violations(page) == []

    page.goto("/agency/actions?status=in_progress")
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", level=1, name=ACTION_HEADING)).to_be_visible()
    heading = page.get_by_role("heading", level=1).inner_text()
    reference = heading.removeprefix("Action ").strip()
    page.get_by_role("link", name="Record progress").click()
    expect(page.get_by_role("heading", level=1, name="Record progress")).to_be_visible()
    assert axe_violations(page) == []
    evidence = tmp_path / "Strategy discussion audit.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Completed with evidence").check()
    page.get_by_label("What has happened since the last update").fill(
        "Prompt added to the template; audit of 20 discussions attached."
    )
    page.get_by_label("Evidence files (optional)").set_input_files(str(evidence))
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Progress update saved.")).to_be_visible()
    expect(
        page.get_by_role("link", name="Strategy_discussion_audit.pdf", exact=True)
    ).to_be_visible()
    expect(page.locator(".app-rag").first).to_have_text("RAG rating: Blue")
    screenshot(page, "action-page-completed")
    assert axe_violations(page) == []
    _sign_out(page)

    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/master-action-plan")
    page.get_by_role("link", name=reference, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=f"Action {reference}")).to_be_visible()
    page.get_by_role("link", name="Assure or close").click()
    expect(page.get_by_role("heading", level=1, name="Assure or close the action")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Assure: the evidence shows the action is done").check()
    page.get_by_label("Note or reason").fill("Audit seen at the case review subgroup.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(f"Action {reference} is now assured.")).to_be_visible()
    expect(page.get_by_text("Audit seen at the case review subgroup.").first).to_be_visible()
    screenshot(page, "action-page-assured")
    assert axe_violations(page) == []


def test_stale_second_edit_is_refused_without_losing_text(
    page: Page, browser: Browser, live_server: str
) -> None:
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/master-action-plan")
    href = page.locator("table a.govuk-link").nth(3).get_attribute("href")
    assert href is not None
    other_context = browser.new_context(base_url=live_server)
    other = other_context.new_page()
    try:
        sign_in(other, "secretariat@sgreviews.example")
        page.goto(f"{href}/edit")
        other.goto(f"{href}/edit")
        page.get_by_label("Action we will take").fill("The first editor's wording.")
        page.get_by_role("button", name="Save action").click()
        expect(page.get_by_text("saved.")).to_be_visible()

        other.get_by_label("Action we will take").fill("The second editor's careful text.")
        other.get_by_role("button", name="Save action").click()
        expect(
            other.get_by_text("Someone else changed this while you were editing")
        ).to_be_visible()
        expect(other.get_by_label("Action we will take")).to_have_value(
            "The second editor's careful text."
        )
        expect(other.get_by_role("cell", name="The first editor's wording.")).to_be_visible()
        screenshot(other, "action-edit-conflict")
        assert axe_violations(other) == []
    finally:
        other_context.close()


def test_import_dry_run_shows_row_errors_then_imports(page: Page, tmp_path: Path) -> None:
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(
        "Ref,Finding,Outcome,Action,Measure,Agency,Timescale\n"
        "E2E-1,1,Escalation works,Relaunch the escalation procedure,Survey,"
        "Northshire Police,31/12/2027\n"
        "E2E-2,1,Escalation works,,Survey,Nowhere Constabulary,31/13/2027\n"
    )
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/actions/import")
    assert axe_violations(page) == []
    page.get_by_label("Review the actions belong to").select_option(label="SCR-2018-03 (Family R)")
    page.get_by_label("Tracker file").set_input_files(str(tracker))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-summary")).to_contain_text(
        "2 rows: 1 ready to import, 1 with problems"
    )
    expect(page.get_by_text("Missing action text")).to_be_visible()
    expect(page.get_by_text("Unknown agency: Nowhere Constabulary")).to_be_visible()
    expect(page.get_by_text("Timescale not understood: 31/13/2027")).to_be_visible()
    screenshot(page, "import-preview")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Import only the 1 valid rows").click()
    expect(page.get_by_text("Imported 1 new actions, updated 0, 0 unchanged.")).to_be_visible()
    expect(page.get_by_role("link", name="E2E-1")).to_be_visible()
    assert axe_violations(page) == []  # the findings page


def test_import_of_a_real_plan_mapping_then_preview(page: Page, tmp_path: Path) -> None:
    """A business-plan workbook: a title row, a heading the app does not know ("Lead
    body"), a priority banner and timescales as months and quarters. The person maps the
    column on the mapping panel, checks again, and imports the valid rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [
        ["Northshire Business Plan 2026/27 (fictional)"],
        ["Ref. no.", "To achieve this, we will:", "Lead body", "Timescale", "Status"],
        ["Priority 1: Neglect"],
        ["E2E-P1", "Relaunch the neglect toolkit", "Northshire Police", "March 2027", "Amber"],
        ["E2E-P2", "Train staff on neglect", "Nowhere Trust", "Q3 2026/27", ""],
        ["E2E-P3", "Audit supervision", "Northshire Police", "Ongoing", "Complete"],
    ]:
        sheet.append(row)
    tracker = tmp_path / "business-plan.xlsx"
    workbook.save(tracker)
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/actions/import")
    page.get_by_label("Review the actions belong to").select_option(label="SCR-2018-03 (Family R)")
    page.get_by_label("Tracker file").set_input_files(str(tracker))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("No column is mapped to Agency")).to_be_visible()
    expect(page.get_by_text("Row 3: Priority 1: Neglect")).to_be_visible()
    page.get_by_label("Agency (required)").select_option(label="Lead body")
    _shot(page, "import-mapping")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Check again with this mapping").click()
    expect(page.locator("#import-summary")).to_contain_text(
        "3 rows: 2 ready to import, 1 with problems"
    )
    expect(page.get_by_text("Unknown agency: Nowhere Trust")).to_be_visible()
    expect(
        page.get_by_text("Complete: imported as in progress, evidence to follow")
    ).to_be_visible()
    expect(page.get_by_role("link", name="rejected rows (CSV)")).to_be_visible()
    _shot(page, "import-real-plan-preview")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Import only the 2 valid rows").click()
    expect(page.get_by_text("Imported 2 new actions, updated 0, 0 unchanged.")).to_be_visible()
    page.get_by_role("link", name="E2E-P1").click()
    expect(page.get_by_text("March 2027 (by 31 March 2027)")).to_be_visible()
    _shot(page, "import-action-as-written")
    assert axe_violations(page) == []


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, name)
    copies = Path("/tmp/shots/imports")
    copies.mkdir(parents=True, exist_ok=True)
    (copies / path.name).write_bytes(path.read_bytes())


def test_master_action_plan_and_finding_form(page: Page) -> None:
    sign_in(page, "chair@sgreviews.example")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Master Action Plan"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Master Action Plan")).to_be_visible()
    screenshot(page, "master-action-plan")
    page.screenshot(path=str(ARTIFACTS / "master-action-plan-top.png"))
    assert axe_violations(page) == []
    page.get_by_label("Group by").select_option("agency")
    page.get_by_label("Only overdue actions").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"overdue=1"))
    # Grouped by agency: each table is captioned with its agency and its count.
    expect(page.locator("main table caption").first).to_contain_text("open action")
    page.get_by_role("link", name="Print layout").click()
    expect(page.get_by_text("overdue only")).to_be_visible()
    screenshot(page, "master-action-plan-print")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the Master Action Plan").click()
    _sign_out(page)

    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/master-action-plan")
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", level=1, name=ACTION_HEADING)).to_be_visible()
    page.locator(".govuk-summary-list__row", has_text="Reviews").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1, name="Findings and actions")).to_be_visible()
    screenshot(page, "findings-page")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Add a finding").click()
    expect(page.get_by_role("heading", level=1, name="Add a finding")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Strength / good practice").check()
    page.get_by_label("Finding", exact=True).fill("The school nurse *listened* to the child.")
    page.get_by_label("Voice and lived experience of the child").check()
    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_text("added.")).to_be_visible()
    expect(page.locator("em", has_text="listened")).to_be_visible()


def test_extension_request_decision_and_impact_pages(page: Page) -> None:
    sign_in(page, "csc.lead@sgreviews.example")
    page.goto("/agency/actions?status=in_progress&status=not_started")
    rows = page.locator("tbody tr").filter(has_not_text="Extension requested")
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1, name=ACTION_HEADING)).to_be_visible()
    page.get_by_role("link", name="Request an extension").click()
    expect(page.get_by_role("heading", level=1, name="Request an extension")).to_be_visible()
    page.get_by_role("button", name="Request extension").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the new due date")
    assert axe_violations(page) == []
    page.get_by_role("group", name="New due date").get_by_label("Day").fill("31")
    page.get_by_role("group", name="New due date").get_by_label("Month").fill("12")
    page.get_by_role("group", name="New due date").get_by_label("Year").fill("2030")
    page.get_by_label("Why the action needs more time").fill("The audit needs a full quarter.")
    page.get_by_role("button", name="Request extension").click()
    expect(page.get_by_text("Extension requested.")).to_be_visible()
    action_url = page.url
    _sign_out(page)

    sign_in(page, "secretariat@sgreviews.example")
    page.goto(action_url)
    page.get_by_role("link", name="Approve or decline the extension").click()
    expect(
        page.get_by_role("heading", level=1, name="Approve or decline the extension")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Approve the new due date").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Extension approved.")).to_be_visible()
    expect(page.get_by_text("31 December 2030 (extended; originally")).to_be_visible()
    page.get_by_role("link", name="Record impact").click()
    expect(page.get_by_role("heading", level=1, name="Record the impact")).to_be_visible()
    page.get_by_label("Assessment planned").check()
    page.get_by_role("button", name="Save impact").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose how the impact will be assessed"
    )
    assert axe_violations(page) == []
