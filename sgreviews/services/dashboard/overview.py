"""Read models for the home pages: the partnership overview and an agency's actions.
Each function runs a fixed number of queries, whatever the size of the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, Review


def list_reviews() -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.counted)
            .options(joinedload(Review.partnership))
            .order_by(Review.started_on.desc(), Review.reference)
        )
    )


@dataclass(frozen=True)
class ActionCounts:
    by_status: dict[ActionStatus, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def action_counts(today: date) -> ActionCounts:
    rows = db.session.execute(select(Action.status, func.count()).group_by(Action.status)).all()
    by_status = {status: 0 for status in ActionStatus}
    for status, count in rows:
        by_status[status] = count
    open_statuses = [status for status in ActionStatus if status.is_open]
    overdue = db.session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.status.in_(open_statuses), Action.due_date < today)
    )
    return ActionCounts(by_status=by_status, overdue=overdue or 0)
