"""Single sign-on in a real browser: Chromium follows our "Sign in with your
organisation's account" button to a real OpenID Connect provider (``tests/oidc.py``)
on another origin, signs in there, comes back signed in with the role its groups give,
and signs out here and at the provider (a form's redirect to another origin, which the
Content Security Policy must allow). axe-core checks each of our pages on the way, the
refusal and problem pages included."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from sgreviews.extensions import db
from sgreviews.services.demo import core as demo
from sgreviews.settings import PROJECT_ROOT
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations
from tests.oidc import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

SSO_TOML = """
[[roles]]
group = "grp-leads"
role = "agency_lead"
[[roles]]
group = "grp-admin"
role = "administrator"
[[agencies]]
group = "grp-police"
agency = "Northshire Police"
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[str]:
    """The demo with both ways in, served on a loopback port that is also its
    SGREVIEWS_BASE_URL (the callback address the provider sends the browser to)."""
    holder: dict[str, Flask] = {}

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    config = tmp_path_factory.mktemp("e2e-sso-config") / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    (config / "sso.toml").write_text(SSO_TOML, encoding="utf-8")
    app = make_test_app(
        fresh_database(tmp_path_factory.mktemp("e2e-sso-db"), suffix="_e2e_sso"),
        tmp_path_factory.mktemp("e2e-sso-instance"),
        WTF_CSRF_ENABLED="1",
        SGREVIEWS_SIGN_IN_METHODS="both",
        SGREVIEWS_OIDC_ISSUER=provider.url,
        SGREVIEWS_OIDC_CLIENT_ID=CLIENT_ID,
        SGREVIEWS_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        SGREVIEWS_CONFIG_DIR=str(config),
        SGREVIEWS_BASE_URL=base_url,
    )
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    holder["app"] = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sso_page(browser: Browser, sso_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=sso_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _sign_in_at_provider(page: Page, provider: Provider, subject: str) -> None:
    """From our sign-in page, through the provider's page, back to us."""
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize?**")
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()


def test_sign_in_and_out_with_the_organisations_account(
    sso_page: Page, sso_server: str, provider: Provider
) -> None:
    page = sso_page
    provider.set_user(
        "lead-e1",
        {
            "email": "lead-e1@northshire.example",
            "name": "Agency Lead E",
            "groups": ["grp-leads", "grp-police"],
        },
    )
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=2)).to_have_text("Sign in with a password")
    assert axe_violations(page) == []
    screenshot(page, "sign-in-with-single-sign-on")

    _sign_in_at_provider(page, provider, "lead-e1")
    page.wait_for_url(f"{sso_server}/agency/actions")
    expect(page.locator("header")).to_contain_text("Agency Lead E")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider.url}/oauth2/end_session?**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_server}/sign-in?signed_out=1**")
    expect(page.locator("main")).to_contain_text("You have signed out.")
    page.goto("/agency/actions")
    expect(page).to_have_url(f"{sso_server}/sign-in?next=%2Fagency%2Factions")


def test_refusal_and_problem_pages(sso_page: Page, sso_server: str, provider: Provider) -> None:
    page = sso_page
    provider.set_user("stranger-e2", {"email": "stranger-e2@elsewhere.example", "groups": []})
    _sign_in_at_provider(page, provider, "stranger-e2")
    page.wait_for_url(f"{sso_server}/sign-in/sso/callback?**")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have access to this service"
    )
    assert axe_violations(page) == []
    screenshot(page, "single-sign-on-refused")

    page.goto("/sign-in/sso/callback?code=stale&state=not-this-browsers")
    expect(page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
    assert axe_violations(page) == []
    screenshot(page, "single-sign-on-problem")


def test_confirming_identity_goes_back_to_the_provider(
    sso_page: Page, sso_server: str, provider: Provider
) -> None:
    page = sso_page
    provider.set_user(
        "admin-e3",
        {"email": "admin-e3@northshire.example", "name": "Admin E", "groups": ["grp-admin"]},
    )
    _sign_in_at_provider(page, provider, "admin-e3")
    page.wait_for_url(f"{sso_server}/admin/users")
    page.goto("/confirm-identity?next=/admin/users/new")
    button = page.get_by_role("button", name="Sign in again with your organisation's account")
    expect(button).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "single-sign-on-confirm-identity")
    button.click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize?**prompt=login**")
    page.get_by_role("button", name="admin-e3").click()
    page.wait_for_url(f"{sso_server}/admin/users/new")
