"""Impact follow-ups (issue 20): a planned impact assessment date is reminded before, on
and after it and escalated when missed, like a due date, each reminder once through a real
SMTP server; moving the date re-arms it; recording the outcome stops it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ImpactMethod, ImpactStatus, Role
from sgreviews.services.reminders.wiring import MAIL_KEY
from tests import factories
from tests.smtp import Inbox, smtp_server

PLANNED_ON = date(2027, 3, 1)


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


@pytest.fixture
def planned(app: Flask) -> int:
    with app.app_context():
        agency = factories.agency(name="Testshire Council")
        owner = factories.user(Role.AGENCY_LEAD, agency, email="owner@test.example")
        factories.user(Role.AGENCY_LEAD, agency, email="colleague@test.example")
        factories.user(Role.SECRETARIAT, email="office@test.example")
        action = factories.action(
            agency,
            reference="IMP-1",
            lead_user_id=owner.id,
            due_date=date(2026, 6, 1),
            status=ActionStatus.ASSURED,
            impact_status=ImpactStatus.PLANNED,
            impact_method=ImpactMethod.AUDIT,
            impact_assessment_on=PLANNED_ON,
        )
        db.session.commit()
        return action.id


def run(app: Flask, day: date) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def walk(app: Flask, inbox: Inbox, expected: list[tuple[date, dict[str, str]]]) -> None:
    for day, mail in expected:
        output = run(app, day)
        got: dict[str, list[str]] = {}
        for message in inbox.take():
            got.setdefault(message.to, []).append(message.part("plain"))
        assert set(got) == set(mail), f"{day}: {got} {output}"
        for address, line in mail.items():
            assert len(got[address]) == 1, f"{day}: {address} got {len(got[address])}"
            assert line in got[address][0], f"{day}: {got[address][0]}"


OWNER, COLLEAGUE, OFFICE = "owner@test.example", "colleague@test.example", "office@test.example"
LINE = "The impact assessment of IMP-1"


def test_the_assessment_date_is_reminded_and_escalated_once_each(
    app: Flask, planned: int, inbox: Inbox
) -> None:
    day = PLANNED_ON
    walk(
        app,
        inbox,
        [
            (day - timedelta(days=15), {}),
            (day - timedelta(days=14), {OWNER: f"{LINE} is due in 14 days"}),
            (day - timedelta(days=14), {}),
            (day - timedelta(days=5), {}),
            (day - timedelta(days=1), {OWNER: f"{LINE} is due tomorrow"}),
            (day, {OWNER: f"{LINE} is due today"}),
            (day, {}),
            (day + timedelta(days=1), {OWNER: f"{LINE} is 1 day overdue"}),
            (day + timedelta(days=7), {OWNER: f"{LINE} is 7 days overdue"}),
            (day + timedelta(days=10), {}),
            # Missed by 14 days: the agency's leads and the secretariat are told; the owner
            # sees it as overdue, the others as escalated to them.
            (
                day + timedelta(days=14),
                {
                    OWNER: f"{LINE} is 14 days overdue",
                    COLLEAGUE: "Escalated to you",
                    OFFICE: "Escalated to you",
                },
            ),
            (day + timedelta(days=20), {}),
        ],
    )


def test_the_digest_line_links_to_the_action_the_lead_may_open(
    app: Flask, planned: int, inbox: Inbox
) -> None:
    run(app, PLANNED_ON)
    [message] = inbox.to(OWNER)
    assert re.search(rf"/actions/{planned}\s", message.part("plain"))
    assert f"/actions/{planned}/impact" not in message.part("plain")  # the lead may not open it
    assert "Assess the action's impact (audit)" in message.part("plain")


def test_a_moved_date_rearms_and_a_recorded_outcome_stops_the_reminders(
    app: Flask, planned: int, inbox: Inbox
) -> None:
    run(app, PLANNED_ON)
    assert len(inbox.take()) == 1
    moved = PLANNED_ON + timedelta(days=30)
    with app.app_context():
        action = db.session.get(Action, planned)
        assert action is not None
        action.impact_assessment_on = moved
        db.session.commit()
    walk(app, inbox, [(moved, {OWNER: f"{LINE} is due today"})])
    with app.app_context():
        action = db.session.get(Action, planned)
        assert action is not None
        action.impact_status = ImpactStatus.EVIDENCED
        db.session.commit()
    walk(
        app,
        inbox,
        [(moved + timedelta(days=1), {}), (moved + timedelta(days=14), {})],
    )
