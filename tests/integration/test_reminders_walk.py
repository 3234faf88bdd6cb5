"""`sgreviews reminders run --today` on successive dates walks an action through the
reminders before the due date, on it, overdue and escalated: each recipient gets the right
mail once, delivered through a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionSnooze,
    NotificationSetting,
    OutboxMessage,
    Role,
)
from sgreviews.services.reminders.wiring import MAIL_KEY
from tests import factories
from tests.smtp import Inbox, smtp_server

DUE = date(2026, 3, 20)


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


@pytest.fixture
def people(ctx: None) -> dict[str, object]:
    agency = factories.agency(name="Testshire Constabulary")
    lead = factories.user(Role.AGENCY_LEAD, agency, email="lead@test.example")
    other_lead = factories.user(Role.AGENCY_LEAD, agency, email="other.lead@test.example")
    factories.user(Role.SECRETARIAT, email="secretariat@test.example")
    factories.user(Role.CHAIR, email="chair@test.example")
    factories.user(Role.PRACTITIONER, agency, email="practitioner@test.example")
    action = factories.action(agency, reference="LCSPR-2025-07/1.1", due_date=DUE, lead_user=lead)
    db.session.commit()
    return {"agency": agency, "lead": lead, "other_lead": other_lead, "action": action}


def run(app: Flask, day: date, *extra: str) -> str:
    result = app.test_cli_runner().invoke(
        args=["reminders", "run", "--today", day.isoformat(), *extra]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def mail_by_recipient(inbox: Inbox) -> dict[str, list[str]]:
    """Each recipient's messages received since the last call, as their plain text."""
    received: dict[str, list[str]] = {}
    for message in inbox.take():
        received.setdefault(message.to, []).append(message.part("plain"))
    return received


def test_an_action_walks_through_every_reminder_once(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    ref = "LCSPR-2025-07/1.1"
    expected: list[tuple[int, dict[str, str]]] = [
        (-20, {}),
        (-14, {"lead@test.example": f"{ref} is due in 14 days"}),
        (-14, {}),  # the same day again: nothing new
        (-10, {}),
        (-7, {"lead@test.example": f"{ref} is due in 7 days"}),
        (-1, {"lead@test.example": f"{ref} is due tomorrow"}),
        (0, {"lead@test.example": f"{ref} is due today"}),
        (1, {"lead@test.example": f"{ref} is 1 day overdue"}),
        (3, {}),
        (
            7,
            {
                "lead@test.example": f"{ref} is 7 days overdue",
                "other.lead@test.example": f"{ref} is 7 days overdue",
            },
        ),
        (14, {"lead@test.example": f"{ref} is 14 days overdue"}),
        (
            28,
            {
                "lead@test.example": f"{ref} is 28 days overdue",
                "secretariat@test.example": f"{ref} is 28 days overdue",
                "chair@test.example": f"{ref} is 28 days overdue",
            },
        ),
        (29, {}),
        (35, {"lead@test.example": f"{ref} is 35 days overdue"}),
    ]
    for offset, mail in expected:
        day = DUE + timedelta(days=offset)
        output = run(app, day)
        received = mail_by_recipient(inbox)
        assert set(received) == set(mail), f"{day}: {output}"
        for address, line in mail.items():
            assert len(received[address]) == 1, f"{day}: {address} got {len(received[address])}"
            assert line in received[address][0], f"{day}: {received[address][0]}"
            assert f"{address}: 1 item(s)" in output
    # Escalation lines say why the reader is told.
    assert "practitioner@test.example" not in str(expected)


def test_escalation_mail_names_the_reason_and_has_both_parts(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    run(app, DUE + timedelta(days=30))
    [message] = inbox.to("secretariat@test.example")
    text, html = message.part("plain"), message.part("html")
    assert "Escalated to you" in text and "Escalated to you" in html
    assert "Escalated: 28 or more days overdue (owned by Testshire Constabulary)" in text
    # Each line links to the action's own page.
    assert re.search(r"http://127\.0\.0\.1:5000/actions/\d+", text)
    assert re.search(r'href="http://127\.0\.0\.1:5000/actions/\d+"', html)
    # The lead of the action gets one line combining the reminder and the escalation.
    [lead_mail] = inbox.to("lead@test.example")
    assert lead_mail.part("plain").count("LCSPR-2025-07/1.1 is 30 days overdue") == 1
    assert "1 reminder for 19 April 2026" in lead_mail.subject


def test_catch_up_after_downtime_collapses_missed_reminders_into_one_line(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    run(app, DUE - timedelta(days=14))
    assert set(mail_by_recipient(inbox)) == {"lead@test.example"}
    # Down from the day after until 8 days overdue: thresholds -7, -1, 0 and 1 were missed.
    run(app, DUE + timedelta(days=8))
    received = mail_by_recipient(inbox)
    [text] = received["lead@test.example"]
    assert text.count("LCSPR-2025-07/1.1 is 8 days overdue") == 1
    assert "Includes 4 earlier reminders not sent" in text
    assert "LCSPR-2025-07/1.1 is 8 days overdue" in received["other.lead@test.example"][0]
    run(app, DUE + timedelta(days=9))
    assert mail_by_recipient(inbox) == {}


def test_changing_the_due_date_re_arms_the_reminders(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    run(app, DUE - timedelta(days=7))
    assert set(mail_by_recipient(inbox)) == {"lead@test.example"}
    action = db.session.get(Action, people["action"].id)  # type: ignore[attr-defined]
    assert action is not None
    new_due = DUE + timedelta(days=30)
    action.due_date = new_due
    db.session.commit()
    run(app, DUE - timedelta(days=6))
    assert mail_by_recipient(inbox) == {}
    run(app, new_due - timedelta(days=14))
    [text] = mail_by_recipient(inbox)["lead@test.example"]
    assert "is due in 14 days" in text


def test_in_app_only_users_get_notifications_but_no_mail(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    lead = people["lead"]
    db.session.add(NotificationSetting(user_id=lead.id, email_digest=False))  # type: ignore[attr-defined]
    db.session.commit()
    output = run(app, DUE)
    assert mail_by_recipient(inbox) == {}
    assert "1 notifications, 0 digests queued" in output
    assert db.session.query(OutboxMessage).count() == 0


def test_a_snoozed_action_is_quiet_until_the_snooze_ends(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    action = people["action"]
    db.session.add(
        ActionSnooze(
            action_id=action.id,  # type: ignore[attr-defined]
            snoozed_until=DUE + timedelta(days=3),
            reason="Awaiting the outcome of criminal proceedings",
        )
    )
    db.session.commit()
    run(app, DUE)
    assert mail_by_recipient(inbox) == {}
    run(app, DUE + timedelta(days=4))
    [text] = mail_by_recipient(inbox)["lead@test.example"]
    assert "is 4 days overdue" in text


def test_dry_run_prints_who_would_get_what_and_changes_nothing(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    output = run(app, DUE + timedelta(days=28), "--dry-run")
    assert "lead@test.example: 1 item(s)" in output
    assert "secretariat@test.example: 1 item(s)" in output
    assert "Escalated to you: LCSPR-2025-07/1.1 is 28 days overdue" in output
    assert f"Mail server 127.0.0.1:{inbox.port} answered." in output
    assert inbox.take() == []
    # Nothing was recorded: the real run still sends.
    run(app, DUE + timedelta(days=28))
    assert len(inbox.take()) == 4


def test_dry_run_reports_mail_misconfiguration_without_crashing(
    app: Flask, people: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sgreviews.services.mail.config import MailSettings

    broken = MailSettings.from_env(
        {"SGREVIEWS_SMTP_HOST": "", "SGREVIEWS_SMTP_PORT": "twenty-five"}
    )
    monkeypatch.setitem(app.extensions, MAIL_KEY, broken)
    output = run(app, DUE, "--dry-run")
    assert "Mail is misconfigured" in output
    assert "SGREVIEWS_SMTP_HOST is not set" in output
    assert "SGREVIEWS_SMTP_PORT must be a port number, not 'twenty-five'" in output
