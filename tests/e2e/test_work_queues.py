"""The loop of issue 20 in a real browser: an agency lead asks for an extension; it appears
in the secretariat's "Your work" queue; the secretariat decides it from there; the next
reminder run tells the lead once, in the app and by mail through a real SMTP server, and a
second run tells nothing more. The home pages are axe-clean and photographed."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.services.demo import core as demo
from sgreviews.services.reminders.wiring import MAIL_KEY
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in
from tests.smtp import Inbox, smtp_server

LEAD = "police.lead@sgreviews.example"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask, Inbox]]:
    """The demo on a database of its own, with the app at hand (to run the reminders)
    and its mail going to a real SMTP server."""
    instance = tmp_path_factory.mktemp("e2e-work-instance")
    url = fresh_database(tmp_path_factory.mktemp("e2e-work-db"), suffix="_e2e_work")
    app = make_test_app(url, instance, WTF_CSRF_ENABLED="1")
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    with smtp_server() as inbox:
        app.extensions[MAIL_KEY] = inbox.settings()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", app, inbox
        server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def work_page(browser: Browser, served: tuple[str, Flask, Inbox]) -> Iterator[Page]:
    context = browser.new_context(base_url=served[0], viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def _run_reminders(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_an_extension_goes_round_the_loop_and_the_lead_is_told_once(
    work_page: Page, served: tuple[str, Flask, Inbox]
) -> None:
    page = work_page
    _url, app, inbox = served
    # Anything the demo's own reminders queue for today goes out first.
    _run_reminders(app)
    inbox.take()

    sign_in(page, LEAD)
    page.goto("/agency/actions?status=in_progress&status=not_started")
    rows = page.locator("tbody tr").filter(has_not_text="Extension requested")
    rows.first.get_by_role("link").first.click()
    page.get_by_role("link", name="Request an extension").click()
    # The request page's caption is "Action <reference>".
    caption = page.locator("main .govuk-caption-l").first.inner_text()
    reference = caption.removeprefix("Action ").strip()
    new_due = london_today() + timedelta(days=400)
    page.get_by_role("group", name="New due date").get_by_label("Day").fill(str(new_due.day))
    page.get_by_role("group", name="New due date").get_by_label("Month").fill(str(new_due.month))
    page.get_by_role("group", name="New due date").get_by_label("Year").fill(str(new_due.year))
    page.get_by_label("Why the action needs more time").fill("The audit needs a full quarter.")
    page.get_by_role("button", name="Request extension").click()
    expect(page.get_by_text("Extension requested.")).to_be_visible()
    _sign_out(page)

    sign_in(page, "secretariat@sgreviews.example")
    assert page.url.endswith("/work")
    expect(page.get_by_role("heading", level=1, name="Your work")).to_be_visible()
    queue = page.locator("#queue-extensions")
    link = queue.get_by_role("link", name=f"Decide the extension of {reference}")
    expect(link).to_be_visible()
    screenshot(page, "work-secretariat")
    assert axe_violations(page) == []
    link.click()
    expect(
        page.get_by_role("heading", level=1, name="Approve or decline the extension")
    ).to_be_visible()
    page.get_by_label("Approve the new due date").check()
    page.get_by_label("Note (needed when declining)").fill("Agreed at the subgroup.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Extension approved.")).to_be_visible()
    page.get_by_role("link", name="Your work").click()
    expect(queue.get_by_role("link", name=f"Decide the extension of {reference}")).to_have_count(0)
    _sign_out(page)

    # The scheduler's run tells the lead; a second run tells nothing more.
    _run_reminders(app)
    headline = f"Extension approved: {reference} is now due {new_due:%-d %B %Y}"
    to_lead = [message for message in inbox.take() if message.to == LEAD]
    assert len(to_lead) == 1
    assert headline in to_lead[0].part("plain")
    _run_reminders(app)
    assert [message for message in inbox.take() if headline in message.part("plain")] == []

    sign_in(page, LEAD)
    header = page.locator(".app-service-header").get_by_role("link", name="Notifications")
    expect(header).to_contain_text("unread")
    header.click()
    expect(page.get_by_text(headline)).to_have_count(1)
    expect(page.get_by_text("Decision", exact=True).first).to_be_visible()
    screenshot(page, "work-lead-told")
    assert axe_violations(page) == []


def test_the_chair_home_shows_what_awaits_sign_off(work_page: Page) -> None:
    page = work_page
    sign_in(page, "chair@sgreviews.example")
    assert page.url.endswith("/work")
    expect(page.get_by_role("heading", level=1, name="Your work")).to_be_visible()
    expect(page.get_by_text("What waits for your sign-off")).to_be_visible()
    expect(page.locator("#queue-assurance")).to_be_visible()
    count = page.locator('[data-queue-count="assurance"]').inner_text()
    assert re.fullmatch(r"\d+", count.strip())
    screenshot(page, "work-chair")
    assert axe_violations(page) == []
