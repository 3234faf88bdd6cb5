"""Decisions told back (issue 20): an extension approved or declined, an action assured or
sent back. The action's lead and the agency's other leads are told once, in the app and in
their digest through a real SMTP server, however many runs come after; another agency's
lead is told nothing."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import ActionStatus, Notification, Role, User
from sgreviews.services.reminders.wiring import MAIL_KEY
from tests import factories
from tests.conftest import sign_in
from tests.smtp import Inbox, smtp_server

TODAY = london_today()


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


@pytest.fixture
def people(app: Flask) -> dict[str, object]:
    with app.app_context():
        agency = factories.agency(name="Testshire Police")
        other = factories.agency(name="Testshire Health")
        owner = factories.user(Role.AGENCY_LEAD, agency, email="owner@test.example")
        colleague = factories.user(Role.AGENCY_LEAD, agency, email="colleague@test.example")
        stranger = factories.user(Role.AGENCY_LEAD, other, email="stranger@test.example")
        secretariat = factories.user(Role.SECRETARIAT, email="office@test.example")
        # Due far ahead: no due-date reminder joins the digests.
        extended = factories.action(
            agency, reference="TOLD-1", lead_user_id=owner.id, due_date=TODAY + timedelta(60)
        )
        completed = factories.action(
            agency,
            reference="TOLD-2",
            lead_user_id=owner.id,
            due_date=TODAY + timedelta(60),
            status=ActionStatus.COMPLETED,
        )
        another = factories.action(
            agency,
            reference="TOLD-3",
            lead_user_id=owner.id,
            due_date=TODAY + timedelta(60),
            status=ActionStatus.COMPLETED,
        )
        db.session.commit()
        return {
            "owner": owner.id,
            "colleague": colleague.id,
            "stranger": stranger.id,
            "secretariat": secretariat.email,
            "owner_email": owner.email,
            "extended": extended.id,
            "completed": completed.id,
            "another": another.id,
        }


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def run(app: Flask, day: object) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", str(day)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _mail(inbox: Inbox) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for message in inbox.take():
        got.setdefault(message.to, []).append(message.part("plain"))
    return got


def _told(app: Flask, user_id: object, subject_type: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.headline).where(
                    Notification.user_id == user_id, Notification.subject_type == subject_type
                )
            )
        )


def test_an_approved_extension_is_told_once_to_the_owner_and_the_agency_leads(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    lead = _client(app, str(people["owner_email"]))
    new_due = TODAY + timedelta(days=90)
    asked = lead.post(
        f"/actions/{people['extended']}/extension",
        data={
            "new_due_date": [str(new_due.day), str(new_due.month), str(new_due.year)],
            "reason": "The audit team starts in the spring (test).",
        },
    )
    assert asked.status_code == 302, asked.get_data(as_text=True)
    office = _client(app, str(people["secretariat"]))
    work = office.get("/work").get_data(as_text=True)
    assert "Decide the extension of TOLD-1" in work
    request_path = work.split('href="/actions/' + str(people["extended"]) + "/extensions/")[1]
    request_id = request_path.split('"')[0]
    decided = office.post(
        f"/actions/{people['extended']}/extensions/{request_id}",
        data={"decision": "approve", "note": "Agreed at the subgroup."},
    )
    assert decided.status_code == 302

    run(app, TODAY)
    mail = _mail(inbox)
    assert set(mail) == {"owner@test.example", "colleague@test.example"}
    headline = f"Extension approved: TOLD-1 is now due {new_due:%-d %B %Y}"
    for address, bodies in mail.items():
        assert len(bodies) == 1, address
        assert headline in bodies[0]
        assert "Decisions on your actions" in bodies[0]
        assert "Agreed at the subgroup." in bodies[0]
        assert f"/actions/{people['extended']}" in bodies[0]
    for who in ("owner", "colleague"):
        assert _told(app, people[who], "extension_decision") == [headline]
    assert _told(app, people["stranger"], "extension_decision") == []

    # The next runs, that day and the days after, tell nothing more.
    run(app, TODAY)
    run(app, TODAY + timedelta(days=1))
    assert _mail(inbox) == {}
    for who in ("owner", "colleague"):
        assert len(_told(app, people[who], "extension_decision")) == 1

    # The lead sees it in the app.
    page = lead.get("/notifications").get_data(as_text=True)
    assert headline in page


def test_a_declined_extension_says_why(app: Flask, people: dict[str, object], inbox: Inbox) -> None:
    from sgreviews.models import Action
    from sgreviews.services.actions import writes

    with app.app_context():
        action = db.session.get(Action, people["extended"])
        owner = db.session.get(User, people["owner"])
        secretariat = factories.user(Role.SECRETARIAT)
        assert action is not None and owner is not None
        request = writes.request_extension(
            actor=owner, action=action, new_due_date=TODAY + timedelta(100), reason="More time."
        )
        writes.decide_extension(
            actor=secretariat, request=request, approve=False, note="The Panel expects it now."
        )
        db.session.commit()
    run(app, TODAY)
    mail = _mail(inbox)
    assert set(mail) == {"owner@test.example", "colleague@test.example"}
    assert "Extension declined: TOLD-1 keeps its due date" in mail["owner@test.example"][0]
    assert "The Panel expects it now." in mail["owner@test.example"][0]


def test_assured_and_sent_back_are_told_once_across_runs(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    office = _client(app, str(people["secretariat"]))
    assert (
        office.post(
            f"/actions/{people['completed']}/assurance",
            data={"decision": "assure", "note": "The re-audit shows the prompt in use."},
        ).status_code
        == 302
    )
    assert (
        office.post(
            f"/actions/{people['another']}/assurance",
            data={"decision": "send_back", "note": "The audit sample is too small."},
        ).status_code
        == 302
    )
    run(app, TODAY)
    mail = _mail(inbox)
    assert set(mail) == {"owner@test.example", "colleague@test.example"}
    body = mail["owner@test.example"][0]
    assert len(mail["owner@test.example"]) == 1
    assert "TOLD-2 is assured" in body
    assert "TOLD-3 is sent back: its evidence was not accepted" in body
    assert "The audit sample is too small." in body
    run(app, TODAY)
    run(app, TODAY + timedelta(days=3))
    assert _mail(inbox) == {}
    with app.app_context():
        told = db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.subject_type == "action_decision")
        )
    assert told == 4  # two decisions, two leads each


def test_a_decision_older_than_the_look_back_is_not_told(
    app: Flask, people: dict[str, object], inbox: Inbox
) -> None:
    office = _client(app, str(people["secretariat"]))
    office.post(
        f"/actions/{people['completed']}/assurance",
        data={"decision": "assure", "note": "Evidenced."},
    )
    # The first run after the decision comes 15 days later (the look-back is 14).
    run(app, TODAY + timedelta(days=15))
    assert _mail(inbox) == {}
    assert _told(app, people["owner"], "action_decision") == []


def test_two_runs_at_once_tell_each_decision_exactly_once(tmp_path: Path) -> None:
    """Two `sgreviews reminders run` processes for the same day, started together, over a
    database of their own: each decision reaches each lead once."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from sgreviews.clock import utcnow
    from sgreviews.models import Action, Agency, ExtensionRequest, ExtensionStatus, Sector
    from tests.integration.test_reminder_processes import (
        SGREVIEWS,
        _database,
        _environment,
        _upgrade,
    )

    url = _database(tmp_path, "_toldtwice")
    with smtp_server() as inbox:
        env = _environment(url, tmp_path, inbox.port)
        _upgrade(env)
        engine = create_engine(url)
        with Session(engine) as session:
            agency = Agency(name="Testshire Police", sector=Sector.POLICE)
            leads = [
                User(
                    email=f"lead{which}@test.example",
                    display_name=f"Lead {which}",
                    role=Role.AGENCY_LEAD,
                    agency=agency,
                    password_hash="x",
                )
                for which in "ab"
            ]
            session.add_all(leads)
            session.flush()
            for number in range(30):
                due = TODAY + timedelta(days=60)
                action = Action(
                    reference=f"TWICE-{number:02d}",
                    outcome_sought="Outcome",
                    action_text=f"Action {number}",
                    measure_of_success="Measure",
                    owning_agency_id=agency.id,
                    lead_user_id=leads[0].id,
                    due_date=due,
                    original_due_date=due,
                )
                session.add(action)
                session.add(
                    ExtensionRequest(
                        action=action,
                        requested_by_id=leads[0].id,
                        due_date_at_request=due,
                        requested_due_date=due + timedelta(days=30),
                        reason="More time.",
                        status=ExtensionStatus.APPROVED,
                        decided_at=utcnow(),
                    )
                )
            session.commit()
        engine.dispose()
        command = [SGREVIEWS, "reminders", "run", "--today", TODAY.isoformat()]
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=180)[0].decode() for process in processes]
        assert [process.returncode for process in processes] == [0, 0], outputs
        received = inbox.take()
    per_recipient = Counter(message.to for message in received)
    assert per_recipient == {"leada@test.example": 1, "leadb@test.example": 1}, outputs
    for message in received:
        lines = re.findall(r"Extension approved: (TWICE-\d+) ", message.part("plain"))
        assert sorted(lines) == [f"TWICE-{number:02d}" for number in range(30)]
