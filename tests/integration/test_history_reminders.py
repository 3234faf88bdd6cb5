"""Entering a past year sends nobody anything (issue 18): through the real reminder run
(the ``reminders run`` command, mail to a real SMTP server), actions already overdue
before their partnership's go-live (its own date, or the site-wide default), a historical
record's statutory deadlines and decisions entered as history are neither reminded nor
escalated, while an action overdue after go-live and a live review's clock still are."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import ActionStatus, ReminderLedgerEntry, Role
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.actions import writes
from sgreviews.services.reminders.wiring import MAIL_KEY, RULES_KEY
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.historical import set_historical
from tests import factories
from tests.smtp import Inbox, smtp_server

TODAY = date(2026, 6, 1)
GO_LIVE = date(2025, 4, 1)
DEFAULT_GO_LIVE = date(2025, 4, 1)
# 28 days overdue: the lead is reminded and the secretariat and chair hear of it.
LIVE_DUE = TODAY - timedelta(days=28)


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


@pytest.fixture
def default_go_live(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site-wide default of ``[go_live] default_on`` (config/reminders.toml)."""
    rules = app.extensions[RULES_KEY]
    monkeypatch.setitem(
        app.extensions,
        RULES_KEY,
        dataclasses.replace(rules, default_go_live_on=DEFAULT_GO_LIVE),
    )


def _lcspr(partnership: object, reference: str, decided: date) -> object:
    review = factories.review(
        partnership,
        reference=reference,
        started_on=decided,
        decision_on=decided,
        commissioned_on=decided,
    )
    refresh_deadlines(review)
    return review


@pytest.fixture
def past_year(ctx: None, default_go_live: None) -> dict[str, int]:
    """A partnership live since GO_LIVE with a past year entered; another without its own
    go-live date (the default applies); their secretariat, chair and an agency lead."""
    live = factories.partnership(
        name="Livesh Safeguarding Children Partnership", go_live_on=GO_LIVE
    )
    other = factories.partnership(name="Othersh Safeguarding Children Partnership")
    secretariat = factories.user(
        Role.SECRETARIAT, email="sec@test.example", partnerships=[live, other]
    )
    factories.user(Role.CHAIR, email="chair@test.example", partnerships=[live, other])
    agency = factories.agency(name="Testshire Constabulary")
    lead = factories.user(Role.AGENCY_LEAD, agency, email="lead@test.example")

    # The past year, entered now: a 2021 review of the live partnership, its actions
    # overdue long before go-live, one assured as history.
    old_review = factories.review(live, reference="LCSPR-2021-01", started_on=date(2021, 5, 4))
    old_finding = factories.finding(old_review)
    old = factories.action(
        agency, old_finding, reference="OLD-1", due_date=date(2022, 3, 31), lead_user=lead
    )
    assured = factories.action(
        agency,
        old_finding,
        reference="OLD-2",
        due_date=date(2022, 1, 31),
        lead_user=lead,
        status=ActionStatus.COMPLETED,
    )
    writes.assure(
        actor=secretariat, action=assured, note="Audit seen", effective_on=date(2022, 2, 14)
    )
    # The other partnership has no go-live of its own: the default applies.
    before_default = factories.action(
        agency,
        factories.finding(factories.review(other, started_on=date(2023, 1, 9))),
        reference="OLD-3",
        due_date=date(2024, 6, 30),
        lead_user=lead,
    )
    # After go-live: still reminded and escalated.
    live_action = factories.action(
        agency,
        factories.finding(factories.review(live, started_on=date(2025, 9, 1))),
        reference="LIVE-1",
        due_date=LIVE_DUE,
        lead_user=lead,
    )
    # Two reviews with a completion clock missed after go-live: one marked a historical
    # record (silent), one live (reminded).
    historical = _lcspr(other, "LCSPR-2025-81", date(2025, 10, 1))
    set_historical(secretariat, historical, historical=True)  # type: ignore[arg-type]
    control = _lcspr(other, "LCSPR-2025-82", date(2025, 10, 1))
    db.session.commit()
    return {
        "old": old.id,
        "assured": assured.id,
        "before_default": before_default.id,
        "live": live_action.id,
        "historical": historical.id,  # type: ignore[attr-defined]
        "control": control.id,  # type: ignore[attr-defined]
    }


def _run(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _ledger() -> dict[tuple[str, int], set[str]]:
    found: dict[tuple[str, int], set[str]] = {}
    for entry in db.session.scalars(select(ReminderLedgerEntry)):
        found.setdefault((entry.subject_type, entry.subject_id), set()).add(entry.kind)
    return found


def _deadline_ids(review_id: int) -> set[int]:
    return set(
        db.session.scalars(select(ReviewDeadline.id).where(ReviewDeadline.review_id == review_id))
    )


def test_entering_a_past_year_sends_no_reminder_but_live_work_still_does(
    app: Flask, past_year: dict[str, int], inbox: Inbox
) -> None:
    _run(app)
    ledger = _ledger()
    # Nothing for what was overdue before go-live (own date or the default), nor for a
    # decision entered as history.
    for key in ("old", "assured", "before_default"):
        assert ("action", past_year[key]) not in ledger, key
    assert not [subject for subject in ledger if subject[0] == "action_decision"]
    # Nothing for a historical record's deadlines; the live review's clock is reminded.
    historical = _deadline_ids(past_year["historical"])
    control = _deadline_ids(past_year["control"])
    assert historical and control
    assert not [s for s in ledger if s[0] == "review_deadline" and s[1] in historical]
    assert [s for s in ledger if s[0] == "review_deadline" and s[1] in control]
    # The action overdue after go-live is reminded and escalated.
    assert ledger[("action", past_year["live"])] == {"reminder", "escalation"}

    mail = {message.to: message.part("plain") for message in inbox.take()}
    everything = "\n".join(mail.values())
    assert "LIVE-1" in mail["lead@test.example"]
    assert "LIVE-1" in mail["sec@test.example"] and "LCSPR-2025-82" in mail["sec@test.example"]
    for silent in ("OLD-1", "OLD-2", "OLD-3", "LCSPR-2025-81", "LCSPR-2021-01"):
        assert silent not in everything, silent

    # Unmarking the historical record re-arms its deadlines.
    from sgreviews.models import Review

    review = db.session.get(Review, past_year["historical"])
    assert review is not None
    set_historical(None, review, historical=False)
    db.session.commit()
    _run(app)
    assert [s for s in _ledger() if s[0] == "review_deadline" and s[1] in historical]
