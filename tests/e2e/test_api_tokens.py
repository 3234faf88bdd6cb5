"""The API tokens page in a real browser: reached from the header, bad input shown in the
error summary, a new token shown once and working against the API, revoked from the list;
zero axe-core violations in each state."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

SHOTS = Path("/tmp/shots/api")


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_an_agency_lead_makes_uses_and_revokes_a_token(page: Page) -> None:
    sign_in(page, "police.lead@sgreviews.example")
    page.locator(".app-service-header").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1, name="API tokens")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    _shot(page, "api-tokens-errors")
    assert axe_violations(page) == []

    page.get_by_label("Name").fill("Power BI actions report")
    page.get_by_label("Read, and record progress on actions").check()
    page.get_by_label("90 days").check()
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-api-token")
    expect(token).to_contain_text("sgr_")
    raw = token.inner_text().strip()
    _shot(page, "api-tokens-new")
    assert axe_violations(page) == []

    answer = page.request.get("/api/v1/actions", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status == 200
    agencies = {item["owning_agency"] for item in answer.json()["items"]}
    assert agencies and all("olice" in name for name in agencies), agencies

    page.goto("/account/api-tokens")
    expect(page.locator("#new-api-token")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Power BI actions report")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked: it no longer works")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Power BI actions report")).to_contain_text(
        "Revoked"
    )
    _shot(page, "api-tokens-revoked")
    assert axe_violations(page) == []
    refused = page.request.get("/api/v1/actions", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status == 401
