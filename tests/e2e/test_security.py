"""Two-factor enrolment and sign-in (with SGREVIEWS_TWO_FACTOR=required), and the
administrators' screens: axe-core finds nothing, and a keyboard alone can add a user."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pyotp
import pytest
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from sgreviews.extensions import db
from sgreviews.services.demo import core as demo
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in

ADMIN = next(item for item in demo.SIGN_INS if item.role.value == "administrator")


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo served with two-factor authentication required (as in production)."""
    url = fresh_database(tmp_path_factory.mktemp("e2e-2fa-db"), suffix="_e2e2fa")
    app = make_test_app(
        url,
        tmp_path_factory.mktemp("e2e-2fa-instance"),
        WTF_CSRF_ENABLED="1",
        SGREVIEWS_TWO_FACTOR="required",
    )
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def secure_page(browser: Browser, secure_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=secure_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_two_factor_enrolment_then_sign_in_with_a_code(secure_page: Page) -> None:
    page = secure_page
    sign_in(page, ADMIN.email)
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.locator("svg title")).to_have_text("QR code for your authenticator app")
    screenshot(page, "two-factor-set-up")
    assert axe_violations(page) == []
    secret = page.locator("#setup-key").inner_text().replace(" ", "")

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the 6-digit code your authenticator app shows now")
    expect(summary).to_be_focused()
    assert axe_violations(page) == []

    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "two-factor-recovery-codes")
    assert axe_violations(page) == []
    page.get_by_role("button", name=re.compile("I have saved my recovery codes")).click()
    expect(page.get_by_role("heading", level=1, name="Users and agencies")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, ADMIN.email)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    screenshot(page, "two-factor-code")
    assert axe_violations(page) == []
    page.get_by_label("Code", exact=True).fill("111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct code")
    # The next 30-second step: the code used for enrolment cannot be replayed.
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="Users and agencies")).to_be_visible()

    # A recovery code also works, once.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, ADMIN.email)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="Users and agencies")).to_be_visible()


def test_admin_screens_have_no_axe_violations(page: Page) -> None:
    sign_in(page, ADMIN.email)
    expect(page.get_by_role("link", name="Audit trail")).to_be_visible()
    screenshot(page, "admin-users")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Add a user").click()
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    screenshot(page, "admin-user-new-errors")
    assert axe_violations(page) == []

    page.goto("/admin/users")
    page.get_by_role("link", name=re.compile("Sam Secretariat")).click()
    expect(page.get_by_text("Change user")).to_be_visible()
    screenshot(page, "admin-user-edit")
    assert axe_violations(page) == []
    # The partnerships served are shown only for the secretariat and chair roles.
    served = page.get_by_label("Northshire Safeguarding Adults Board")
    expect(served).to_be_checked()
    page.get_by_label("Agency lead").check()
    expect(served).to_be_hidden()
    page.get_by_label("Chair", exact=True).check()
    expect(served).to_be_visible()
    page.get_by_label("Secretariat", exact=True).check()

    page.get_by_role("button", name="Create a link for them to set their own password").click()
    link = page.locator("#set-password-link").inner_text()
    screenshot(page, "admin-user-link")
    assert axe_violations(page) == []
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    expect(page.get_by_role("heading", name="Create your password")).to_be_visible()
    screenshot(page, "choose-password")
    assert axe_violations(page) == []

    page.goto("/admin/users")
    page.get_by_role("link", name=re.compile("Northshire Police")).first.click()
    expect(page.get_by_text("Change agency")).to_be_visible()
    screenshot(page, "admin-agency-edit")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1, name="Audit trail")).to_be_visible()
    screenshot(page, "admin-audit")
    assert axe_violations(page) == []

    page.goto("/confirm-identity?next=/admin/users")
    screenshot(page, "confirm-identity")
    assert axe_violations(page) == []


def _tab_to(page: Page, label: str, limit: int = 60) -> None:
    target = page.get_by_label(label, exact=True)
    for _press in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {label!r}")


def test_keyboard_only_administrator_adds_a_user(page: Page) -> None:
    sign_in(page, ADMIN.email)
    page.goto("/admin/users/new")
    _tab_to(page, "Full name")
    page.keyboard.type("Kim Keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address", exact=True)).to_be_focused()
    page.keyboard.type("kim.keyboard@sgreviews.example")
    page.keyboard.press("Tab")
    # Into the role radios: arrow keys move through them and select.
    expect(page.get_by_label("Administrator")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Agency lead")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Agency", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.get_by_label("First password (optional)")).to_be_focused()
    page.keyboard.type("password12345")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Password is too easy to guess")
    # What was typed survives the error.
    expect(page.get_by_label("Full name")).to_have_value("Kim Keyboard")
    _tab_to(page, "First password (optional)")
    page.keyboard.type("kettle orbit marmalade")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Kim Keyboard has an account as agency lead"
    )
    screenshot(page, "admin-user-added")
