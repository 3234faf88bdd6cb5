"""Escalations and review-clock reminders for the secretariat and chair go to the users who
serve the subject's partnership; when nobody serves it, to the national (unlinked) users.
Mail goes through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import Partnership, Role
from sgreviews.services.reminders.wiring import MAIL_KEY
from sgreviews.services.reviews.deadlines import refresh_deadlines
from tests import factories
from tests.smtp import Inbox, smtp_server

DUE = date(2026, 3, 20)
ESCALATION_DAY = DUE + timedelta(days=28)


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


def _partnership(name: str) -> Partnership:
    return factories.partnership(name=f"{name} Safeguarding Children Partnership", short_name=name)


@pytest.fixture
def setting(ctx: None) -> dict[str, Partnership]:
    """Partnership A has its own secretariat and chair; B only a chair; C nobody. One
    overdue action in each, owned by an agency with a lead."""
    a, b, c = _partnership("Ashire"), _partnership("Bshire"), _partnership("Cshire")
    factories.user(Role.SECRETARIAT, email="sec.a@test.example", partnerships=[a])
    factories.user(Role.CHAIR, email="chair.a@test.example", partnerships=[a])
    factories.user(Role.CHAIR, email="chair.b@test.example", partnerships=[b])
    factories.user(Role.SECRETARIAT, email="sec.national@test.example")
    factories.user(Role.CHAIR, email="chair.national@test.example")
    agency = factories.agency(name="Testshire Constabulary")
    lead = factories.user(Role.AGENCY_LEAD, agency, email="lead@test.example")
    for partnership, reference in ((a, "ACT-A"), (b, "ACT-B"), (c, "ACT-C")):
        finding = factories.finding(factories.review(partnership))
        factories.action(agency, finding, reference=reference, due_date=DUE, lead_user=lead)
    db.session.commit()
    return {"a": a, "b": b, "c": c}


def run(app: Flask, day: date, *extra: str) -> str:
    result = app.test_cli_runner().invoke(
        args=["reminders", "run", "--today", day.isoformat(), *extra]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def references_by_recipient(inbox: Inbox) -> dict[str, set[str]]:
    """Which of the actions each recipient's mail mentions (one digest each)."""
    received: dict[str, set[str]] = {}
    for message in inbox.take():
        assert message.to not in received, f"{message.to} got two digests"
        text = message.part("plain")
        received[message.to] = {ref for ref in ("ACT-A", "ACT-B", "ACT-C") if ref in text}
    return received


def test_escalation_goes_to_the_partnerships_own_secretariat_and_chair(
    app: Flask, setting: dict[str, Partnership], inbox: Inbox
) -> None:
    run(app, ESCALATION_DAY)
    assert references_by_recipient(inbox) == {
        "lead@test.example": {"ACT-A", "ACT-B", "ACT-C"},
        # A's own people hear only of A.
        "sec.a@test.example": {"ACT-A"},
        "chair.a@test.example": {"ACT-A"},
        # B has a chair but no secretariat: B's chair, and the national secretariat.
        "chair.b@test.example": {"ACT-B"},
        # C has nobody: the national users; they never hear of A.
        "sec.national@test.example": {"ACT-B", "ACT-C"},
        "chair.national@test.example": {"ACT-C"},
    }
    # Each decision once: the same day again sends nothing.
    run(app, ESCALATION_DAY)
    assert inbox.take() == []


def test_with_no_national_users_an_unserved_partnership_reaches_every_secretariat(
    app: Flask, setting: dict[str, Partnership], inbox: Inbox
) -> None:
    from sgreviews.models import User
    from sgreviews.services.accounts import users

    for email in ("sec.national@test.example", "chair.national@test.example"):
        user = users.find_by_email(email)
        assert isinstance(user, User)
        user.is_active = False
    db.session.commit()
    run(app, ESCALATION_DAY)
    received = references_by_recipient(inbox)
    # Nothing is dropped: C's escalation reaches the secretariat and chair there are.
    assert received["sec.a@test.example"] == {"ACT-A", "ACT-B", "ACT-C"}
    assert received["chair.a@test.example"] == {"ACT-A", "ACT-C"}
    assert received["chair.b@test.example"] == {"ACT-B", "ACT-C"}


def test_dry_run_names_the_people_of_each_partnership(
    app: Flask, setting: dict[str, Partnership], inbox: Inbox
) -> None:
    output = run(app, ESCALATION_DAY, "--dry-run")
    assert "chair.a@test.example: 1 item(s)" in output
    assert "Escalated to you: ACT-A is 28 days overdue" in output
    assert "chair.b@test.example: 1 item(s)" in output
    assert "sec.national@test.example: 2 item(s)" in output
    assert "chair.national@test.example: 1 item(s)" in output
    assert inbox.take() == []


def test_review_clock_reminders_go_to_the_reviews_secretariat(
    app: Flask, setting: dict[str, Partnership], inbox: Inbox
) -> None:
    notified = date(2026, 3, 2)  # a Monday; no bank holiday in March 2026
    for partnership, reference in ((setting["a"], "RR-A"), (setting["c"], "RR-C")):
        review = factories.review(
            partnership, reference=reference, review_type="rapid_review", stage="in_progress"
        )
        review.notified_on = notified
        refresh_deadlines(review, notified)
    db.session.commit()
    run(app, date(2026, 3, 23))  # the rapid reviews' due date
    received = {message.to: message.part("plain") for message in inbox.take()}
    assert "RR-A" in received["sec.a@test.example"]
    assert "RR-C" not in received["sec.a@test.example"]
    assert "RR-C" in received["sec.national@test.example"]
    assert "RR-A" not in received["sec.national@test.example"]
    # Chairs are not told of review clocks.
    assert not any("RR-" in text for to, text in received.items() if to.startswith("chair"))
