"""Running counts of actions for the chair's dashboard at national scale, kept exact in the
same transaction as every change to an action. Only the tables are here: the hooks that
keep them, and ``rebuild_action_tallies``, are in sgreviews/services/actions/tallies.py
(registered by ``create_app``).

- ``ActionStatusTally``: actions per owning agency and status (11,700 rows for the
  national 400,000 actions), so "actions by agency and status" reads the tally instead
  of every action.
- ``ActionMonthTally``: actions per (month created, month first finished, month of the
  day after the due date), a few hundred rows, from which the monthly trend is exact:
  at a month end M an action exists if created in or before M's month, is done if first
  finished in or before it, and is overdue if due before M, that is if the day after its
  due date falls in or before M's month.

- ``OpenActionMonthTally``: open actions per owning agency and month of the due date, with
  the sum of their due dates as day numbers (``date.toordinal``). For any today, the open
  actions of an agency due in months before today's month and their total days overdue
  are exact sums over it (days = actions x today's day number - the sum); only the
  current month's days before today are counted from the actions (a range of one
  month of the index). "Open overdue actions by agency" then reads ~2,400 x the past
  months instead of every open past-due action (docs/performance.md).

- ``ThemeYearTally``: learning findings (learning points and recommendations, not
  strengths: issue 18) per theme, partnership and business year the review started in,
  for "learning by theme and business year" (national or one partnership).

Only the national view (no partnership filter) reads the action tallies; filtered views
read the actions through their indexes. docs/performance.md says why.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sgreviews.models.action import ActionStatus
from sgreviews.models.base import Base, str_enum

# ``ActionMonthTally.finished_month`` of an action never finished.
NOT_FINISHED = ""


class ActionStatusTally(Base):
    __tablename__ = "action_status_tally"

    owning_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), primary_key=True)
    actions: Mapped[int]


class ActionMonthTally(Base):
    __tablename__ = "action_month_tally"

    # "YYYY-MM" in UTC; finished_month is NOT_FINISHED ("") for an action never finished.
    created_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    finished_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    due_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    actions: Mapped[int]


class OpenActionMonthTally(Base):
    __tablename__ = "open_action_month_tally"
    # Clustered on the key in SQLite (the national read is a range of each agency's rows;
    # with a rowid each row was a second lookup, twice the time). PostgreSQL ignores it.
    __table_args__ = {"sqlite_with_rowid": False}

    owning_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    # "YYYY-MM" of the due date itself.
    due_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    actions: Mapped[int]
    # The sum of the open actions' due dates as day numbers (date.toordinal()).
    due_days: Mapped[int] = mapped_column(BigInteger)


class ThemeYearTally(Base):
    __tablename__ = "theme_year_tally"

    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), primary_key=True)
    # The start year of the business year (1 April) the review started in.
    business_year: Mapped[int] = mapped_column(primary_key=True)
    findings: Mapped[int]
