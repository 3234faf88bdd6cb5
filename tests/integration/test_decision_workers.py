"""The decision phase with several threads at once (the default on PostgreSQL), each on its
own connection, against the same run in one thread: the same decisions in the ledger, each
once; the same notifications, one per person and subject; the same digests; and the
report's counts are what was written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Notification, OutboxMessage, ReminderLedgerEntry, Role
from sgreviews.services.reminders.run import run_reminders
from sgreviews.services.reminders.wiring import current_rules
from tests import factories
from tests.conftest import make_test_app
from tests.databases import fresh_database

TODAY = date(2026, 12, 3)
# Before due, due, overdue and escalated (7 days to the agency's leads, 28 to the
# secretariat and chair), and one outside the horizon.
OFFSETS = [-14, -7, -1, 0, 1, 3, 7, 9, 28, 40, -60]

Outcome = tuple[Counter[tuple[str, int, str, int]], Counter[tuple[int, int, str]], int, int, int]


@pytest.fixture
def run_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], Outcome]]:
    """Seed a database of its own and run the reminders with this many threads; what the
    ledger, the notifications and the outbox hold afterwards, and the report's counts."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    apps: list[Flask] = []

    def run(workers: int) -> Outcome:
        url = fresh_database(tmp_path, suffix=f"_decisions{workers}")
        app = make_test_app(
            url, tmp_path / f"instance{workers}", SGREVIEWS_DIGEST_WORKERS=str(workers)
        )
        apps.append(app)
        with app.app_context():
            upgrade()
            factories.user(Role.SECRETARIAT, email="secretariat@decisions.example")
            factories.user(Role.CHAIR, email="chair@decisions.example")
            for agency_number in range(3):
                agency = factories.agency(name=f"Testshire Agency {agency_number}")
                lead = factories.user(
                    Role.AGENCY_LEAD, agency, email=f"lead{agency_number}@decisions.example"
                )
                for offset in OFFSETS:
                    for copy in range(2):
                        factories.action(
                            agency,
                            reference=f"SAR-2025-0{agency_number}/{offset}.{copy}",
                            due_date=TODAY - timedelta(days=offset),
                            # Half the actions have no named lead: the agency's leads are told.
                            lead_user=lead if copy == 0 else None,
                        )
            db.session.commit()
            # Pages of 4 subjects: 17 pages shared among the threads.
            report = run_reminders(
                TODAY, current_rules(), "https://reviews.test.example", page_size=4
            )
            again = run_reminders(
                TODAY, current_rules(), "https://reviews.test.example", page_size=4
            )
            assert again.decisions == again.notifications == again.digests == 0
            ledger = Counter(
                (row.subject_type, row.subject_id, row.kind, row.threshold)
                for row in db.session.scalars(select(ReminderLedgerEntry))
            )
            items = Counter(
                (row.user_id, row.subject_id, row.severity)
                for row in db.session.scalars(select(Notification))
            )
            digests = len(db.session.scalars(select(OutboxMessage)).all())
            assert report.decisions == sum(ledger.values())
            assert report.notifications == sum(items.values())
            assert report.digests == digests
            return ledger, items, report.decisions, report.notifications, digests

    yield run
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_threads_decide_what_one_thread_decides(run_with: Callable[[int], Outcome]) -> None:
    one = run_with(1)
    ledger, items, decisions, notifications, digests = one
    # Each decision once, each person told once per subject.
    assert max(ledger.values()) == 1 and max(items.values()) == 1
    assert decisions > 60 and notifications > 60 and digests == 5
    assert run_with(3) == one
