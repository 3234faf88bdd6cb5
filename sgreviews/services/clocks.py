"""The working-day engine behind every statutory clock.

Dates are Europe/London calendar dates. A clock counts working days, calendar days or
calendar months; a calendar-day or calendar-month deadline that falls on a non-working day
moves to the next working day. A working day is a weekday that is neither a bank
holiday of the clock's jurisdiction (the ``holidays`` package with an explicit UK
subdivision: without one Easter Monday and the August holiday go missing) nor one of the
administrator's extra closure days. Every computed deadline carries the rule and the
calendar that produced it, so a reader can check it by hand.

The functions here are pure; :func:`calendar_for` and :func:`compute_deadline_for` read the
extra closure days from the database.
"""

from __future__ import annotations

import calendar as month_calendar
import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import or_, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.review_types import JURISDICTIONS, Clock

HOLIDAYS_VERSION = importlib.metadata.version("holidays")
# A deadline this many working days away or fewer is "due soon".
DUE_SOON_WORKING_DAYS = 5


@lru_cache(maxsize=256)
def _bank_holidays(jurisdiction: str, year: int) -> frozenset[date]:
    if jurisdiction not in JURISDICTIONS:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}")
    return frozenset(holidays.country_holidays("GB", subdiv=jurisdiction, years=year).keys())


def bank_holiday_name(jurisdiction: str, day: date) -> str | None:
    names = holidays.country_holidays("GB", subdiv=jurisdiction, years=day.year)
    name = names.get(day)
    return str(name) if name else None


@dataclass(frozen=True)
class Calendar:
    """The non-working days of one jurisdiction plus the extra closure days."""

    jurisdiction: str
    extra_closures: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in _bank_holidays(self.jurisdiction, day.year)
            and day not in self.extra_closures
        )

    @property
    def description(self) -> str:
        extra = len(self.extra_closures)
        closures = f" and {extra} extra closure day{'s' if extra != 1 else ''}" if extra else ""
        return (
            f"{JURISDICTIONS[self.jurisdiction]} bank holidays (holidays "
            f"{HOLIDAYS_VERSION}, GB subdivision {self.jurisdiction}), weekends{closures}"
        )


@dataclass(frozen=True)
class Pause:
    """A hold: the clock stops from ``start`` and restarts on ``end`` (None: still on)."""

    start: date
    end: date | None


@dataclass(frozen=True)
class ComputedDeadline:
    clock: Clock
    start_on: date
    due_on: date
    rule: str
    calendar: str
    paused_days: int = 0


def next_working_day(day: date, calendar: Calendar) -> date:
    """``day`` itself when it is a working day, otherwise the next one."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _pause_end(pause: Pause, as_of: date) -> date:
    """The day the clock restarts; an open hold counts as lifted tomorrow (after ``as_of``)."""
    if pause.end is not None:
        return pause.end
    return max(as_of, pause.start) + timedelta(days=1)


def _paused_on(day: date, pauses: Iterable[Pause], as_of: date) -> bool:
    return any(pause.start <= day < _pause_end(pause, as_of) for pause in pauses)


def add_working_days(
    start: date,
    count: int,
    calendar: Calendar,
    *,
    first_day: str = "next",
    pauses: tuple[Pause, ...] = (),
    as_of: date | None = None,
) -> date:
    """The ``count``-th working day after ``start``.

    With ``first_day="start"`` the start day itself is day 1 when it is a working day (some
    areas count that way). Days inside a pause do not count.
    """
    if count < 1:
        raise ValueError("count must be 1 or more")
    as_of = as_of or start
    day = start
    counted = 0
    if (
        first_day == "start"
        and calendar.is_working_day(start)
        and not _paused_on(start, pauses, as_of)
    ):
        counted = 1
    while counted < count:
        day += timedelta(days=1)
        if calendar.is_working_day(day) and not _paused_on(day, pauses, as_of):
            counted += 1
    return day


def add_calendar_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def working_days_between(
    earlier: date, later: date, calendar: Calendar, stop_after: int | None = None
) -> int:
    """Working days after ``earlier`` up to and including ``later`` (0 when not later).
    With ``stop_after``, counting stops once it reaches that many (enough to compare with
    a smaller number: the RAG amber window asks only "at most 5?")."""
    count = 0
    day = earlier
    while day < later:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
            if stop_after is not None and count >= stop_after:
                break
    return count


def compute_deadline(
    clock: Clock,
    start: date,
    calendar: Calendar,
    pauses: tuple[Pause, ...] = (),
    as_of: date | None = None,
) -> ComputedDeadline:
    """The due date of ``clock`` started on ``start``, stopped during ``pauses``.

    A pause that begins after the deadline has passed does not move it. An open pause counts
    up to ``as_of`` (today): while it lasts the deadline shows as paused, not breached.
    """
    as_of = as_of or london_today()
    relevant: list[Pause] = []
    if clock.unit == "working_days":
        due = add_working_days(start, clock.length, calendar, first_day=clock.first_day)
        # Only pauses that begin before the (growing) due date stop the clock.
        for pause in sorted(pauses, key=lambda item: item.start):
            if pause.start <= due:
                relevant.append(pause)
                due = add_working_days(
                    start,
                    clock.length,
                    calendar,
                    first_day=clock.first_day,
                    pauses=tuple(relevant),
                    as_of=as_of,
                )
    else:
        if clock.unit == "calendar_days":
            due = start + timedelta(days=clock.length)
        else:
            due = add_calendar_months(start, clock.length)
        for pause in sorted(pauses, key=lambda item: item.start):
            if pause.start <= due:
                relevant.append(pause)
                due += _pause_end(pause, as_of) - pause.start
        due = next_working_day(due, calendar)
    paused_days = sum((_pause_end(pause, as_of) - pause.start).days for pause in relevant)
    rule = clock.rule
    if paused_days:
        rule += f"; stopped for {paused_days} day{'s' if paused_days != 1 else ''} on hold"
    return ComputedDeadline(
        clock=clock,
        start_on=start,
        due_on=due,
        rule=rule,
        calendar=calendar.description,
        paused_days=paused_days,
    )


def clock_jurisdiction(
    review_place: str | None, partnership_place: str | None, clock_place: str | None
) -> str:
    """The nation whose bank holidays a review's clock counts by: the review's own
    jurisdiction when one was recorded for it (a case that crosses a border), else its
    partnership's configured nation, else the clock's default in the review type's
    configuration (England when nothing says otherwise)."""
    return review_place or partnership_place or clock_place or "ENG"


def extra_closure_days(jurisdiction: str) -> frozenset[date]:
    """The administrator's extra non-working days that apply to ``jurisdiction``."""
    from sgreviews.models.review import ExtraClosureDay

    rows = db.session.scalars(
        select(ExtraClosureDay.day).where(
            or_(
                ExtraClosureDay.jurisdiction.is_(None),
                ExtraClosureDay.jurisdiction == jurisdiction,
            )
        )
    )
    return frozenset(rows)


def calendar_for(jurisdiction: str) -> Calendar:
    return Calendar(jurisdiction=jurisdiction, extra_closures=extra_closure_days(jurisdiction))
