"""insert_rows (sgreviews/services/sqlparts.py) stores exactly what a row-by-row insert
would: every type round-trips, constants fill every row, conflicts are skipped and only
the rows inserted are returned, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Table, select

from sgreviews.extensions import db
from sgreviews.models import Notification, ReminderLedgerEntry, Role
from sgreviews.services.sqlparts import insert_rows
from tests import factories

LEDGER: Table = ReminderLedgerEntry.__table__  # type: ignore[assignment]
NOTIFICATIONS: Table = Notification.__table__  # type: ignore[assignment]


def test_rows_and_constants_round_trip(ctx: None) -> None:
    first, second = factories.user(Role.AGENCY_LEAD), factories.user(Role.SECRETARIAT)
    created = datetime(2026, 12, 3, 7, 30, 15, 123456, tzinfo=UTC)
    texts = ['quote " and \\ backslash', "line\nbreak, comma; 'apostrophe' and £ and 🙂"]
    insert_rows(
        NOTIFICATIONS,
        {
            "user_id": [first.id, second.id],
            "subject_type": ["action", "review_clock"],
            "subject_id": [7, 2_000_000_000],
            "severity": ["overdue", "due_soon"],
            "headline": texts,
            "detail": ["", "x" * 5000],
            "link_path": ["/actions/7", "/overview"],
            "wants_email": [True, False],
        },
        {"run_date": date(2026, 12, 3), "created_at": created},
    )
    stored = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [(n.user_id, n.subject_type, n.subject_id) for n in stored] == sorted(
        [(first.id, "action", 7), (second.id, "review_clock", 2_000_000_000)]
    )
    by_user = {n.user_id: n for n in stored}
    assert by_user[first.id].headline == texts[0] and by_user[second.id].headline == texts[1]
    assert by_user[first.id].wants_email is True and by_user[second.id].wants_email is False
    assert by_user[second.id].detail == "x" * 5000
    assert {n.run_date for n in stored} == {date(2026, 12, 3)}
    assert {n.created_at for n in stored} == {created}
    assert {n.digest_id for n in stored} == {None}
    # Read back through the column type, as the rest of the app reads it.
    assert db.session.scalar(
        select(Notification.id).where(Notification.run_date == date(2026, 12, 3)).limit(1)
    )


def test_conflicts_are_skipped_and_only_inserted_rows_returned(ctx: None) -> None:
    def ledger(subject_ids: list[int], thresholds: list[int]) -> set[tuple[int, str, int]]:
        rows = insert_rows(
            LEDGER,
            {
                "subject_type": ["action"] * len(subject_ids),
                "subject_id": subject_ids,
                "kind": ["reminder"] * len(subject_ids),
                "threshold": thresholds,
                "due_date": [date(2027, 1, 31)] * len(subject_ids),
            },
            {"run_date": date(2026, 12, 3), "created_at": datetime(2026, 12, 3, tzinfo=UTC)},
            skip_conflicts=True,
            returning=("subject_id", "kind", "threshold"),
        )
        return {tuple(row) for row in rows}  # type: ignore[misc]

    assert ledger([1, 2], [-7, -7]) == {(1, "reminder", -7), (2, "reminder", -7)}
    assert ledger([1, 2, 3], [-7, -1, -7]) == {(2, "reminder", -1), (3, "reminder", -7)}
    stored = db.session.execute(
        select(
            ReminderLedgerEntry.subject_id,
            ReminderLedgerEntry.threshold,
            ReminderLedgerEntry.due_date,
        )
    ).all()
    assert sorted(stored) == [
        (1, -7, date(2027, 1, 31)),
        (2, -7, date(2027, 1, 31)),
        (2, -1, date(2027, 1, 31)),
        (3, -7, date(2027, 1, 31)),
    ]
    assert ledger([], []) == set()


def test_a_timestamp_row_by_row_is_refused(ctx: None) -> None:
    # The same contract on both databases (SQLite would store its own text for it).
    with pytest.raises(TypeError, match="datetime"):
        insert_rows(
            LEDGER,
            {"subject_type": ["action"], "created_at": [datetime(2026, 1, 1, tzinfo=UTC)]},
        )
