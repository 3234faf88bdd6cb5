"""Running counts for the Master Action Plan at national scale, kept exact in the same
transaction as every change. Only the table is here: the hooks that keep it, and
``rebuild_plan_tally``, are in sgreviews/services/actions/plan_tally.py (registered by
``create_app``).

``ActionDueTally`` counts actions per (status, off track, due date): a few thousand rows
for the national 400,000 actions. From it the plan's summary is exact for any day without
reading the actions: ratings by status (blue, none), overdue or off track (red), and the
number of entries when grouped by review. Only "due soon and no recent progress update"
(amber) needs the actions themselves, and that reads only the actions due in the amber
window (sgreviews/services/actions/plan.py).

``entries`` is the number of plan entries under reviews: an action is listed once under
each review whose findings it answers (``Action.review_count``, kept by the same hooks).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Mapped, mapped_column

from sgreviews.models.action import ActionStatus
from sgreviews.models.base import Base, str_enum


class ActionDueTally(Base):
    __tablename__ = "action_due_tally"

    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), primary_key=True)
    off_track: Mapped[bool] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(primary_key=True)
    actions: Mapped[int]
    entries: Mapped[int]
