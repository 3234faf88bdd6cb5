"""Notifications, settings, snoozes and the reminder log in a real browser: reachable by
keyboard-free clicks from the header and navigation, with zero axe-core violations."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in


def test_agency_lead_sees_count_and_notifications(page: Page) -> None:
    sign_in(page, "police.lead@sgreviews.example")
    link = page.locator(".app-service-header").get_by_role("link", name="Notifications")
    expect(link).to_contain_text("unread")
    link.click()
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(page.locator(".app-notification").first).to_be_visible()
    screenshot(page, "notifications-agency-lead")
    assert axe_violations(page) == []


def test_notification_settings_and_calendar_feed(page: Page) -> None:
    sign_in(page, "health.lead@sgreviews.example")
    page.goto("/notifications/settings")
    expect(page.get_by_role("heading", level=1, name="Notification settings")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("In the app only: no reminder emails").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    page.get_by_role("button", name="Turn on the calendar feed").click()
    expect(page.locator("#calendar-feed-url")).to_contain_text("/calendar/")
    screenshot(page, "notification-settings-calendar")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Turn off the feed").click()
    expect(page.get_by_text("Your calendar feed is turned off.")).to_be_visible()


def test_secretariat_snoozes_with_errors_then_success(page: Page) -> None:
    sign_in(page, "secretariat@sgreviews.example")
    page.get_by_role("link", name="Reminder snoozes").click()
    expect(page.get_by_role("heading", level=1, name="Reminder snoozes")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Snooze reminders").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the action's reference")
    screenshot(page, "reminder-snoozes-errors")
    assert axe_violations(page) == []
    # An action no other browser test changes (they assure a police action).
    page.get_by_label("Action reference").fill("DHR-2025-01/1.3")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2031")
    page.get_by_label("Why are the reminders snoozed?").fill("Awaiting the inquest (demo).")
    page.get_by_role("button", name="Snooze reminders").click()
    expect(page.get_by_text("are snoozed until 1 January 2031")).to_be_visible()
    screenshot(page, "reminder-snoozes")
    assert axe_violations(page) == []


def test_administrator_reads_the_reminder_log(page: Page) -> None:
    sign_in(page, "admin@sgreviews.example")
    page.get_by_role("link", name="Reminder log").click()
    expect(page.get_by_role("heading", level=1, name="Reminder log")).to_be_visible()
    expect(page.get_by_text("Reminder emails cannot be sent")).to_be_visible()
    expect(page.locator("table.govuk-table")).to_contain_text("secretariat@sgreviews.example")
    screenshot(page, "reminder-log")
    assert axe_violations(page) == []
