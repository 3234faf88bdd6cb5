"""Outbox delivery through a real SMTP server: retries and backoff, nothing lost while the
server is down, and each ledger decision acted on once."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import OutboxMessage, OutboxState, Role
from sgreviews.services.mail import outbox
from sgreviews.services.reminders.decisions import decide, record_decisions
from sgreviews.services.reminders.lock import LOCK_LEASE, acquire_lock, release_lock
from sgreviews.services.reminders.run import run_reminders
from sgreviews.services.reminders.sources import ActionSource
from sgreviews.services.reminders.wiring import current_rules
from tests import factories
from tests.smtp import free_port, mail_settings, smtp_server

DUE = date(2026, 6, 1)


def _two_overdue_actions() -> None:
    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency, email="a.lead@test.example")
    other = factories.user(Role.AGENCY_LEAD, factories.agency(), email="b.lead@test.example")
    factories.action(agency, due_date=DUE, lead_user=lead)
    factories.action(other.agency, due_date=DUE - timedelta(days=3), lead_user=other)
    db.session.commit()


def test_smtp_unavailable_nothing_lost_and_delivered_when_it_returns(app: Flask, ctx: None) -> None:
    _two_overdue_actions()
    rules = current_rules()
    report = run_reminders(DUE + timedelta(days=1), rules, "https://sgr.example")
    assert report.digests == 2
    port = free_port()  # nothing listens here yet
    down = outbox.deliver_due(mail_settings(port), rules)
    assert (down.sent, down.failed) == (0, 2)
    assert down.error is not None and "cannot connect" in down.error
    messages = db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
    assert [message.state for message in messages] == [OutboxState.RETRYING] * 2
    assert all(message.attempts == 1 and message.last_error for message in messages)
    first_retry = messages[0].next_attempt_at
    assert first_retry - utcnow() > timedelta(seconds=rules.backoff_base_seconds - 5)

    # Still down at the next attempt: the wait doubles; nothing is dropped.
    later = first_retry + timedelta(seconds=1)
    outbox.deliver_due(mail_settings(port), rules, now=later)
    db.session.expire_all()
    message = db.session.get(OutboxMessage, messages[0].id)
    assert message is not None and message.attempts == 2
    assert message.state is OutboxState.RETRYING

    with smtp_server(port) as inbox:
        # Before the retry time nothing is sent.
        early = outbox.deliver_due(inbox.settings(), rules, now=later)
        assert early.sent == 0 and inbox.take() == []
        after = utcnow() + timedelta(hours=2)
        up = outbox.deliver_due(inbox.settings(), rules, now=after)
        assert (up.sent, up.failed) == (2, 0)
        received = inbox.take()
        assert sorted(message.to for message in received) == [
            "a.lead@test.example",
            "b.lead@test.example",
        ]
        assert "https://sgr.example/actions/" in received[0].part("plain")
        # Sent once: another pass sends nothing.
        assert outbox.deliver_due(inbox.settings(), rules, now=after).sent == 0
        assert inbox.take() == []
    db.session.expire_all()
    states = {message.state for message in db.session.query(OutboxMessage)}
    assert states == {OutboxState.SENT}


def test_backoff_doubles_up_to_the_maximum(ctx: None) -> None:
    rules = current_rules()
    waits = [outbox.backoff(rules, attempt).total_seconds() for attempt in range(1, 10)]
    assert waits[:4] == [60, 120, 240, 480]
    assert waits[-1] == rules.backoff_max_seconds


def test_a_stale_sending_claim_is_retried(app: Flask, ctx: None) -> None:
    _two_overdue_actions()
    rules = current_rules()
    run_reminders(DUE, rules, "https://sgr.example")
    message = db.session.query(OutboxMessage).first()
    assert message is not None
    message.state = OutboxState.SENDING
    message.claimed_by = "a-worker-that-died"
    message.claimed_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    with smtp_server() as inbox:
        result = outbox.deliver_due(inbox.settings(), rules)
        assert result.sent == 2
        assert len(inbox.take()) == 2


def test_a_decision_recorded_by_another_process_is_not_acted_on_again(ctx: None) -> None:
    _two_overdue_actions()
    rules = current_rules()
    today = DUE + timedelta(days=7)
    subjects = next(ActionSource().pages(today, rules.horizon_days, 100))
    decisions = decide(subjects, today, rules)
    assert len(decisions) == 4  # two reminders and two escalations
    assert len(record_decisions(decisions, today)) == 4
    # The same decisions arriving from a second process: every insert is skipped.
    assert record_decisions(decisions, today) == []
    # And a fresh look finds nothing left to decide.
    assert decide(subjects, today, rules) == []


def test_the_job_lock_admits_one_holder_and_expires(ctx: None) -> None:
    assert acquire_lock("test-lock", "first")
    assert not acquire_lock("test-lock", "second")
    stale = utcnow() + LOCK_LEASE + timedelta(minutes=1)
    assert acquire_lock("test-lock", "second", now=stale)
    release_lock("test-lock", "second")
    assert acquire_lock("test-lock", "third")
