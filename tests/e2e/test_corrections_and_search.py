"""Issue 20 in a real browser: an agency lead removes an evidence file with a reason and
it can no longer be downloaded; the secretariat moves a misfiled review to its
partnership; an agency lead finds a finding by a misspelt word and nothing of another
agency's; the administrator keeps partnerships. Each new page type is checked with
axe-core and photographed (test-artifacts/ and /tmp/shots/corrections/)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SHOTS = Path("/tmp/shots/corrections")


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, f"corrections-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_evidence_removed_with_a_reason_is_no_longer_downloadable(
    module_page: Page, tmp_path: Path
) -> None:
    page = module_page
    sign_in(page, "police.lead@sgreviews.example")
    page.goto("/agency/actions?status=in_progress")
    page.locator("table a.govuk-link").first.click()
    page.get_by_role("link", name="Record progress").click()
    evidence = tmp_path / "Visit notes Adult R.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("What has happened since the last update").fill(
        "Visit notes attached for the audit."
    )
    page.get_by_label("Evidence files (optional)").set_input_files(str(evidence))
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Progress update saved.")).to_be_visible()
    file_link = page.get_by_role("link", name="Visit_notes_Adult_R.pdf", exact=True)
    download_url = file_link.get_attribute("href")
    assert download_url
    assert page.request.get(download_url).status == 200

    page.get_by_role("link", name="Remove or replace Visit_notes_Adult_R.pdf").click()
    expect(
        page.get_by_role("heading", level=1, name="Remove or replace an evidence file")
    ).to_be_visible()
    # No reason: the GOV.UK error summary, and the file stays.
    page.get_by_role("button", name="Remove the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the file is being removed"
    )
    assert page.title().startswith("Error: ")
    _shot(page, "remove-evidence-error")
    assert axe_violations(page) == []
    page.get_by_label("Why is this file being removed?").fill("It names the adult's neighbour")
    page.get_by_role("button", name="Remove the file").click()
    expect(page.get_by_text("The file was removed.")).to_be_visible()
    expect(page.get_by_role("link", name="Visit_notes_Adult_R.pdf", exact=True)).to_have_count(0)
    expect(page.get_by_text("It names the adult's neighbour")).to_be_visible()
    _shot(page, "action-with-removed-evidence")
    assert axe_violations(page) == []
    assert page.request.get(download_url).status == 410
    page.goto(download_url)
    expect(page.get_by_role("heading", level=1, name="This file has been removed")).to_be_visible()

    # A progress note corrected keeps its earlier text.
    page.go_back()
    page.get_by_role("link", name=re.compile("^Correct this note")).last.click()
    page.get_by_label("Corrected progress note").fill("Visit notes from two visits attached.")
    page.get_by_label("Why is it being corrected?").fill("There were two visits")
    _shot(page, "correct-progress-note")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Visit notes from two visits attached.")).to_be_visible()
    page.get_by_text(re.compile("^Corrected 1 time")).click()
    expect(page.get_by_text("Visit notes attached for the audit.")).to_be_visible()
    _sign_out(page)

    # The administrator still reads it during the retention period.
    sign_in(page, "admin@sgreviews.example")
    page.goto("/admin/removed-evidence")
    expect(page.get_by_role("link", name="Visit_notes_Adult_R.pdf")).to_be_visible()
    _shot(page, "removed-evidence-admin")
    assert axe_violations(page) == []


def test_secretariat_moves_a_misfiled_review(module_page: Page) -> None:
    page = module_page
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/reviews?type=multi_agency_audit")
    page.get_by_role("link", name=re.compile("^MAA-2026-02")).first.click()
    expect(page.get_by_text("Northshire Safeguarding Children Partnership (")).to_be_visible()
    page.get_by_role("link", name="Move to another partnership").click()
    expect(page.get_by_role("heading", level=1, name="Move to another partnership")).to_be_visible()
    page.get_by_role("button", name="Move the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the partnership the review belongs to"
    )
    _shot(page, "move-review-error")
    assert axe_violations(page) == []
    page.get_by_label("Partnership the review belongs to").select_option(
        label="Northshire Safeguarding Adults Board"
    )
    page.get_by_label("Why is the review being moved?").fill("An adults' audit, filed by mistake")
    page.get_by_role("button", name="Move the review").click()
    expect(page.get_by_text("Review moved to another partnership.")).to_be_visible()
    expect(page.get_by_text("Northshire Safeguarding Adults Board (")).to_be_visible()
    _shot(page, "review-moved")
    assert axe_violations(page) == []

    # Undo the last stage move and withdraw: their forms are GOV.UK pages too.
    page.get_by_role("link", name="Undo the last stage move").click()
    assert axe_violations(page) == []
    page.go_back()
    page.get_by_role("link", name="Withdraw (created in error)").click()
    page.get_by_label("Why is the review being withdrawn?").fill("A duplicate of another audit")
    _shot(page, "withdraw-review")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Withdraw the review").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Withdrawn on")
    page.goto("/reviews")
    expect(page.get_by_role("link", name=re.compile("^MAA-2026-02"))).to_have_count(0)


def test_agency_lead_finds_a_finding_by_a_misspelt_word_and_nothing_of_others(
    module_page: Page,
) -> None:
    page = module_page
    sign_in(page, "police.lead@sgreviews.example")
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search reviews, findings, actions and briefings").fill("fahter assesed")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator(".app-search-results")
    expect(results).to_contain_text("LCSPR-2024-01")
    expect(results.locator("mark").first).to_be_visible()
    expect(page.locator("#corrections")).to_contain_text("father")
    _shot(page, "search-misspelt")
    assert axe_violations(page) == []
    # Another agency's review (a safeguarding adults review the police have no part in).
    for typed in ("self-neglect", "Fire risk", "SAR-2024-02", "escalation disagreements"):
        page.goto(f"/search?q={typed}")
        expect(page.get_by_role("heading", level=2, name=re.compile("^No results"))).to_be_visible()
    _shot(page, "search-nothing-of-others")
    # The same search as the secretariat finds the adults' review's finding.
    _sign_out(page)
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/search?q=WNB")
    expect(page.locator(".app-search-results")).to_contain_text("SILP-2025-01")
    page.goto("/search?q=slef-neglect")
    expect(page.locator(".app-search-results")).to_contain_text("SAR-2024-02")


def test_administrator_keeps_partnerships(module_page: Page) -> None:
    page = module_page
    sign_in(page, "admin@sgreviews.example")
    page.get_by_role("link", name="Partnerships", exact=True).click()
    _shot(page, "partnerships")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add a partnership").click()
    page.get_by_role("button", name="Save partnership").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the partnership's name")
    assert axe_violations(page) == []
    page.get_by_label("Name", exact=True).fill("Southshire Safeguarding Adults Board")
    page.get_by_label("Short name").fill("SSAB")
    page.get_by_label("Safeguarding adults board").check()
    page.get_by_label("Jurisdiction").select_option("ENG")
    page.get_by_role("group", name="Go-live date (optional)").get_by_label("Day").fill("1")
    page.get_by_role("group", name="Go-live date (optional)").get_by_label("Month").fill("4")
    page.get_by_role("group", name="Go-live date (optional)").get_by_label("Year").fill("2026")
    _shot(page, "partnership-form")
    page.get_by_role("button", name="Save partnership").click()
    expect(page.get_by_text("Southshire Safeguarding Adults Board saved.")).to_be_visible()
    _sign_out(page)

    # The review form follows the type's owning body.
    sign_in(page, "secretariat@sgreviews.example")
    page.goto("/reviews/new")
    partnership = page.get_by_label("Partnership", exact=True)
    page.get_by_label("Type of review").select_option(
        label="Local Child Safeguarding Practice Review"
    )
    expect(partnership.locator("option:checked")).to_have_text(
        "Northshire Safeguarding Children Partnership"
    )
    page.get_by_label("Type of review").select_option(label="Safeguarding Adults Review")
    expect(partnership.locator("option:checked")).to_have_text(re.compile("Adults Board"))
    _shot(page, "new-review-follows-owning-body")
    assert axe_violations(page) == []


def test_master_action_plan_filters(module_page: Page) -> None:
    page = module_page
    sign_in(page, "chair@sgreviews.example")
    page.goto("/master-action-plan")
    page.get_by_label("Agency").select_option(label="Northshire Police")
    page.get_by_label("RAG rating").select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_label("Agency").locator("option:checked")).to_have_text("Northshire Police")
    _shot(page, "master-action-plan-filters")
    assert axe_violations(page) == []
