"""Each person's in-app notifications: the unread count every page header shows, the
list grouped by reminder run, and marking them read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, update

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Notification,
)

LIST_LIMIT = 200


# Built once: the header of every page shows the count (the reading page runs it as a
# subquery of its own statement, with the same ``user_id`` parameter).
UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(user_id: int) -> int:
    return db.session.scalar(UNREAD, {"user_id": user_id}) or 0


@dataclass(frozen=True)
class RunGroup:
    """One run's notifications for one person: the in-app twin of a digest."""

    run_date: date
    items: list[Notification]


def recent_for(user_id: int, limit: int = LIST_LIMIT) -> tuple[list[RunGroup], int]:
    """The person's latest notifications grouped by run (newest first), and the total."""
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.run_date.desc(), Notification.id)
            .limit(limit)
        )
    )
    total = (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        )
        or 0
    )
    groups: list[RunGroup] = []
    for row in rows:
        if not groups or groups[-1].run_date != row.run_date:
            groups.append(RunGroup(row.run_date, []))
        groups[-1].items.append(row)
    rank = {"decision": -1, "escalation": 0, "overdue": 1, "due": 2, "due_soon": 3}
    for group in groups:
        group.items.sort(key=lambda item: (rank.get(item.severity, 9), item.id))
    return groups, total


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]
