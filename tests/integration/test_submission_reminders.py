"""A submission awaiting its reply, through the real reminder run and a real SMTP server
(issue 22): the secretariat is reminded before and on the date the reply is due (in
working days of the body's calendar), the chair is told once when it is missed, and a
recorded reply stops everything. Runs on SQLite and PostgreSQL like every suite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Role, Submission
from sgreviews.services import submissions
from sgreviews.services.reminders.wiring import MAIL_KEY
from tests import factories
from tests.smtp import Inbox, smtp_server

SENT_ON = date(2025, 3, 3)  # a Monday; 15 working days later is Monday 24 March 2025
DUE_ON = date(2025, 3, 24)
OFFICE, CHAIR = "office@test.example", "chair@test.example"
LINE = "SUB-1: the reply from the Child Safeguarding Practice Review Panel"


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


@pytest.fixture
def sent(app: Flask) -> int:
    with app.app_context():
        factories.user(Role.SECRETARIAT, email=OFFICE)
        factories.user(Role.CHAIR, email=CHAIR)
        review = factories.review(reference="SUB-1", subject_label="Child Q")
        submission = submissions.record_submission(
            None,
            review,
            body_key="panel",
            sent_on=SENT_ON,
            what_was_sent="The rapid review.",
            today=SENT_ON,
        )
        db.session.commit()
        assert submission.reply_due_on == DUE_ON
        return submission.id


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


def test_a_submission_awaiting_its_reply_is_reminded_and_escalated_once(
    app: Flask, sent: int, inbox: Inbox
) -> None:
    walk(
        app,
        inbox,
        [
            (date(2025, 3, 18), {}),  # 4 working days to go
            (date(2025, 3, 19), {OFFICE: f"{LINE} is due in 3 working days"}),
            (date(2025, 3, 19), {}),  # the same day again: nothing twice
            (date(2025, 3, 21), {}),
            (DUE_ON, {OFFICE: f"{LINE} is due today"}),
            # Missed: the secretariat sees it late, the chair is told it was escalated.
            (
                date(2025, 3, 25),
                {OFFICE: f"{LINE} is 1 working day overdue", CHAIR: "Escalated to you"},
            ),
            (date(2025, 3, 26), {}),
            (date(2025, 4, 2), {}),  # escalated once only
        ],
    )


def test_the_digest_line_links_to_the_reviews_submissions(
    app: Flask, sent: int, inbox: Inbox
) -> None:
    with app.app_context():
        submission = db.session.get(Submission, sent)
        assert submission is not None
        review_id = submission.review_id
    run(app, DUE_ON)
    [message] = inbox.to(OFFICE)
    text = message.part("plain")
    assert f"/reviews/{review_id}#submissions" in text
    assert "Sent to the Child Safeguarding Practice Review Panel on 3 March 2025" in text


def test_a_recorded_reply_or_a_resubmission_stops_the_reminders(
    app: Flask, sent: int, inbox: Inbox
) -> None:
    with app.app_context():
        submission = db.session.get(Submission, sent)
        assert submission is not None
        submissions.record_reply(
            None,
            submission,
            reply_on=date(2025, 3, 20),
            reply_text="No further questions.",
            today=date(2025, 3, 20),
        )
        db.session.commit()
    walk(app, inbox, [(DUE_ON, {}), (date(2025, 3, 25), {})])

    with app.app_context():
        earlier = db.session.get(Submission, sent)
        assert earlier is not None
        later = submissions.record_submission(
            None,
            earlier.review,
            body_key="home_office_qa",
            sent_on=date(2025, 4, 1),
            what_was_sent="The revised report.",
            resubmission_of=earlier,
            today=date(2025, 4, 1),
        )
        db.session.commit()
        # 60 calendar days: reminded 3 days before, and on the day.
        assert later.reply_due_on == date(2025, 5, 31)
    walk(
        app,
        inbox,
        [
            (
                date(2025, 5, 28),
                {OFFICE: "the reply from the Home Office Quality Assurance Panel is due in 3 days"},
            ),
            (date(2025, 5, 31), {OFFICE: "is due today"}),
            (date(2025, 6, 1), {OFFICE: "is 1 day overdue", CHAIR: "Escalated to you"}),
        ],
    )


def test_a_withdrawn_or_historical_review_gets_none(app: Flask, sent: int, inbox: Inbox) -> None:
    with app.app_context():
        submission = db.session.get(Submission, sent)
        assert submission is not None
        submission.review.historical = True
        db.session.commit()
    walk(app, inbox, [(DUE_ON, {})])
    with app.app_context():
        submission = db.session.get(Submission, sent)
        assert submission is not None
        submission.review.historical = False
        submission.review.withdrawn_at = utcnow()
        db.session.commit()
    walk(app, inbox, [(date(2025, 3, 25), {})])
