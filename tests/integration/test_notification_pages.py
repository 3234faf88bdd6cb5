"""The notifications list and header count, settings, calendar feed, snoozes and the
reminder log, through the test client, per role."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    ActionSnooze,
    AuditEvent,
    JobLock,
    Notification,
    NotificationSetting,
    OutboxMessage,
    OutboxState,
    Role,
    User,
)
from sgreviews.services.operations.heartbeat import record_heartbeat
from sgreviews.services.reminders.lock import LOCK_NAME
from sgreviews.services.reminders.run import run_reminders
from sgreviews.services.reminders.wiring import current_rules
from tests import factories
from tests.conftest import page_text, sign_in

TODAY = london_today()


def _client_as(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


@pytest.fixture
def lead_with_reminders(app: Flask) -> User:
    with app.app_context():
        agency = factories.agency(name="Testshire Health Trust")
        lead = factories.user(Role.AGENCY_LEAD, agency, email="nlead@test.example")
        factories.action(agency, reference="SAR-2025-01/1.1", due_date=TODAY - timedelta(days=9),
                         lead_user=lead)  # fmt: skip
        factories.action(agency, reference="SAR-2025-01/1.2", due_date=TODAY + timedelta(days=7),
                         lead_user=lead)  # fmt: skip
        run_reminders(TODAY, current_rules(), "http://127.0.0.1:5000")
        db.session.commit()
        db.session.refresh(lead)
        db.session.expunge(lead)
        return lead


def test_notifications_list_mirrors_the_digest_and_header_counts_unread(
    app: Flask, lead_with_reminders: User
) -> None:
    client = _client_as(app, lead_with_reminders)
    text = page_text(client.get("/agency/actions"))
    assert "Notifications 2 unread" in text
    page = client.get("/notifications")
    text = page_text(page)
    assert f"Reminders of {TODAY:%-d %B %Y}" in text
    assert "Overdue New SAR-2025-01/1.1 is 9 days overdue" in text
    assert "Due soon New SAR-2025-01/1.2 is due in 7 days" in text
    assert text.index("SAR-2025-01/1.1") < text.index("SAR-2025-01/1.2")
    # The same items as the digest queued for the same person.
    with app.app_context():
        digest = db.session.query(OutboxMessage).one()
        assert "SAR-2025-01/1.1 is 9 days overdue" in digest.body_text
        assert "SAR-2025-01/1.2 is due in 7 days" in digest.body_text
    response = client.post("/notifications/read")
    assert response.status_code == 302
    text = page_text(client.get("/notifications"))
    assert "2 notifications marked as read." in text
    assert "New" not in text and "unread" not in text


def test_someone_else_s_notifications_are_not_shown(
    app: Flask, lead_with_reminders: User, client_for: Callable[..., FlaskClient]
) -> None:
    other = client_for(Role.AGENCY_LEAD)
    text = page_text(other.get("/notifications"))
    assert "SAR-2025-01" not in text
    assert "You have no notifications" in text
    other.post("/notifications/read")
    with app.app_context():
        unread = db.session.query(Notification).filter(Notification.read_at.is_(None)).count()
        assert unread == 2


def test_header_count_reads_the_unread_index_alone(ctx: None) -> None:
    """Every page's header counts the unread notifications: from the index on
    (user_id, read_at), never by reading each of the person's notifications from the table
    (a cost that would grow with everything they were ever sent)."""
    from sgreviews.services.notifications.inbox import UNREAD

    connection = db.session.connection()
    compiled = UNREAD.compile(connection)
    parameters = {"user_id": 1}
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}", tuple(parameters.values())
        ).all()
        plan = " ".join(str(row[-1]) for row in rows)
        assert "USING COVERING INDEX ix_notification_user_unread" in plan, plan
    else:
        # The tables are nearly empty here, so take sequential scans off the table.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(
            f"EXPLAIN {compiled}".replace("%(user_id)s", "%s"), (1,)
        ).all()
        plan = " ".join(str(row[0]) for row in rows)
        assert "Index Only Scan using ix_notification_user_unread" in plan, plan


def test_choosing_in_app_only_stops_email(app: Flask, user_of: Callable[..., User]) -> None:
    user = user_of(Role.SECRETARIAT)
    client = _client_as(app, user)
    page = client.get("/notifications/settings")
    assert 'value="email" checked' in page.get_data(as_text=True)
    response = client.post("/notifications/settings", data={"delivery": "in_app"})
    assert response.status_code == 302
    assert "Your notification settings are saved." in page_text(
        client.get("/notifications/settings")
    )
    with app.app_context():
        setting = db.session.get(NotificationSetting, user.id)
        assert setting is not None and setting.email_digest is False
        event = db.session.query(AuditEvent).filter_by(event="notification_settings").one()
        assert event.after == {"email_digest": False}


def test_settings_without_a_choice_shows_the_error_beside_the_field(
    app: Flask, user_of: Callable[..., User]
) -> None:
    client = _client_as(app, user_of(Role.CHAIR))
    response = client.post("/notifications/settings", data={})
    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert text.count("Choose how you want to get reminders") == 2


def test_calendar_feed_enable_read_and_revoke(app: Flask, lead_with_reminders: User) -> None:
    client = _client_as(app, lead_with_reminders)
    page = client.post("/notifications/calendar", data={"calendar": "enable"})
    assert page.status_code == 200
    match = re.search(r"http://127\.0\.0\.1:5000(/calendar/[A-Za-z0-9_-]+\.ics)", page_text(page))
    assert match, page_text(page)
    feed_path = match.group(1)
    anonymous = app.test_client()
    feed = anonymous.get(feed_path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    body = feed.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert f"DTSTART;VALUE=DATE:{TODAY + timedelta(days=7):%Y%m%d}" in body
    assert "SUMMARY:Due: SAR-2025-01/1.2" in body
    # The secret is not stored, and a wrong one reveals nothing.
    with app.app_context():
        setting = db.session.get(NotificationSetting, lead_with_reminders.id)
        assert setting is not None and setting.calendar_token_hash
        assert setting.calendar_token_hash not in feed_path
    assert anonymous.get("/calendar/not-the-secret.ics").status_code == 404
    # A new address stops the old one; revoking stops every address.
    second = client.post("/notifications/calendar", data={"calendar": "enable"})
    new_path = re.search(r"(/calendar/[A-Za-z0-9_-]+\.ics)", page_text(second)).group(1)  # type: ignore[union-attr]
    assert anonymous.get(feed_path).status_code == 404
    assert anonymous.get(new_path).status_code == 200
    assert client.post("/notifications/calendar", data={"calendar": "revoke"}).status_code == 302
    assert anonymous.get(new_path).status_code == 404
    assert "Off" in page_text(client.get("/notifications/settings"))


def test_secretariat_snoozes_one_action_with_a_reason(
    app: Flask, lead_with_reminders: User, user_of: Callable[..., User]
) -> None:
    secretariat = user_of(Role.SECRETARIAT)
    client = _client_as(app, secretariat)
    until = TODAY + timedelta(days=20)
    response = client.post(
        "/notifications/snoozes",
        data={
            "reference": "SAR-2025-01/1.1",
            "until": [str(until.day), str(until.month), str(until.year)],
            "reason": "Paused for the coroner's inquest",
        },
    )
    assert response.status_code == 302
    text = page_text(client.get("/notifications/snoozes"))
    assert f"Reminders for SAR-2025-01/1.1 are snoozed until {until:%-d %B %Y}" in text
    assert "Paused for the coroner's inquest" in text
    with app.app_context():
        snooze = db.session.query(ActionSnooze).one()
        assert snooze.created_by_id == secretariat.id
        event = db.session.query(AuditEvent).filter_by(event="reminders_snoozed").one()
        assert event.entity_type == "action" and event.entity_id == snooze.action_id
        snooze_id = snooze.id
    assert client.post(f"/notifications/snoozes/{snooze_id}/end").status_code == 302
    assert "No action has its reminders snoozed." in page_text(client.get("/notifications/snoozes"))
    assert client.post(f"/notifications/snoozes/{snooze_id}/end").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": "NOPE-1", "reason": "x"}, "No action has the reference NOPE-1"),
        ({"reference": "SAR-2025-01/1.1", "reason": ""}, "Enter why the reminders are snoozed"),
        ({"reference": "", "reason": "x"}, "Enter the action's reference"),
        (
            {"reference": "SAR-2025-01/1.1", "reason": "x", "past": True},
            "The date to snooze until must be in the future",
        ),
    ],
)
def test_snooze_errors_are_shown_beside_the_field(
    app: Flask,
    lead_with_reminders: User,
    user_of: Callable[..., User],
    data: dict[str, object],
    message: str,
) -> None:
    client = _client_as(app, user_of(Role.SECRETARIAT))
    until = TODAY - timedelta(days=1) if data.pop("past", False) else TODAY + timedelta(days=5)
    data["until"] = [str(until.day), str(until.month), str(until.year)]
    response = client.post("/notifications/snoozes", data=data)
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert text.count(message) == 2  # in the summary and beside the field
    # What was typed is kept.
    assert str(data["reason"]) in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anon")
def test_post_routes_per_role(
    role: Role | None, app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    client = app.test_client() if role is None else client_for(role)
    snooze = client.post("/notifications/snoozes", data={})
    end = client.post("/notifications/snoozes/999999/end")
    read = client.post("/notifications/read")
    calendar = client.post("/notifications/calendar", data={"calendar": "revoke"})
    if role is None:
        assert {snooze.status_code, end.status_code, read.status_code, calendar.status_code} == {
            302
        }
        return
    assert read.status_code == 302 and calendar.status_code == 302
    if role is Role.SECRETARIAT:
        assert snooze.status_code == 200 and end.status_code == 404
    else:
        assert snooze.status_code == 403 and end.status_code == 403


def test_reminder_log_shows_states_errors_and_mail_problems(
    app: Flask, user_of: Callable[..., User]
) -> None:
    with app.app_context():
        db.session.add_all(
            [
                OutboxMessage(
                    to_address="sent@test.example",
                    subject="Safeguarding reviews: 2 action reminders",
                    body_text="",
                    body_html="",
                    state=OutboxState.SENT,
                    attempts=1,
                ),
                OutboxMessage(
                    to_address="failing@test.example",
                    subject="Safeguarding reviews: 1 action reminder",
                    body_text="",
                    body_html="",
                    state=OutboxState.RETRYING,
                    attempts=3,
                    last_error="cannot connect to mail.test.example:587: Connection refused",
                ),
            ]
        )
        db.session.commit()
    client = _client_as(app, user_of(Role.ADMINISTRATOR))
    text = page_text(client.get("/admin/reminder-log"))
    # The test app has no SMTP host: the log says so instead of failing.
    assert "Reminder emails cannot be sent" in text
    assert "SGREVIEWS_SMTP_HOST is not set" in text
    assert "Sent 1" in text and "Failed, will retry 1" in text
    assert "failing@test.example" in text and "Connection refused" in text
    problems = page_text(client.get("/admin/reminder-log?show=problems"))
    assert "failing@test.example" in problems and "sent@test.example" not in problems


def test_reminder_log_shows_the_scheduler_and_the_oldest_waiting_message(
    app: Flask, user_of: Callable[..., User]
) -> None:
    client = _client_as(app, user_of(Role.ADMINISTRATOR))
    text = page_text(client.get("/admin/reminder-log"))
    assert "Scheduler Not running No scheduler has run yet" in text
    assert "Last reminder run None yet" in text
    assert "Oldest message waiting None waiting" in text
    # 12:00 UTC on 1 July is 13:00 in the UK (BST); 08:15 UTC on 5 January is 08:15 (GMT).
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        record_heartbeat(started_at=summer, now=summer)
        db.session.add(JobLock(name=LOCK_NAME, holder=None, heartbeat_at=summer))
        db.session.add_all(
            OutboxMessage(
                to_address=f"waiting{number}@test.example",
                subject="Safeguarding reviews: 1 action reminder",
                body_text="",
                body_html="",
                state=OutboxState.PENDING,
                created_at=datetime(2026, 1, 5 + number, 8, 15, tzinfo=UTC),
            )
            for number in range(2)
        )
        db.session.commit()
    text = page_text(client.get("/admin/reminder-log"))
    assert "Not running Last heartbeat 1 July 2026 at 13:00 (UK time)" in text
    assert "Last reminder run 1 July 2026 at 13:00 (UK time)" in text
    assert "Queued 5 January 2026 at 08:15 (UK time); 2 messages waiting" in text
    with app.app_context():
        record_heartbeat(started_at=summer)
        db.session.commit()
    assert "Scheduler Running Last heartbeat" in page_text(client.get("/admin/reminder-log"))
