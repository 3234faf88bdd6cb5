"""``rag.rate`` in SQL, for pages that filter, page or count by RAG in the database instead
of rating every action in Python. The rule itself is ``rag.rate`` (from config/rag.toml);
this module holds its only SQL forms:

- ``rag_expression``: the rating of each row of ``action`` (a CASE in ``rag.rate``'s order);
- ``rating_groups``, ``red_tests`` and ``amber_test``: the same rule split so that a count
  tests only what decides it, over ``action`` or over the plan's running count
  (``ActionDueTally``: status, off track and due date), for the Master Action Plan's summary
  (``plan``).

tests/unit/test_rag_sql_agrees.py proves every form equals ``rag.rate`` over generated
actions, dates around bank holidays and rule sets, on SQLite and PostgreSQL;
tests/integration/test_plan_paging.py checks every branch through the plan's pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, literal

from sgreviews.models import Action, ActionStatus, ActionUpdate, UpdateKind
from sgreviews.services.actions.rag import Rag, RagRules
from sgreviews.services.clocks import Calendar, add_working_days


def amber_due_until(today: date, rules: RagRules, calendar: Calendar) -> date:
    """The last due date that is "due soon": ``working_days_between(today, due)`` is at most
    the amber window (it grows with the due date, so one date bounds it)."""
    return add_working_days(today, rules.amber_due_within_working_days + 1, calendar) - timedelta(
        days=1
    )


def updated_recently(today: date, rules: RagRules) -> ColumnElement[bool]:
    """A progress update on a day after the amber window's cut-off (``rag.rate``)."""
    recent_from = datetime.combine(
        today - timedelta(days=rules.amber_no_update_within_days) + timedelta(days=1),
        datetime.min.time(),
    ).replace(tzinfo=UTC)
    return exists().where(
        ActionUpdate.action_id == Action.id,
        ActionUpdate.kind == UpdateKind.PROGRESS,
        ActionUpdate.created_at >= recent_from,
    )


def _rating_conditions(
    today: date, rules: RagRules, calendar: Calendar
) -> list[tuple[ColumnElement[bool], Rag]]:
    """``rag.rate``'s tests in order, as SQL over ``action``; the first that holds gives
    the rating, green when none does."""
    open_statuses = [status for status in ActionStatus if status.is_open]
    recent = updated_recently(today, rules)
    tests: list[tuple[ColumnElement[bool], Rag]] = []
    if rules.blue_statuses:
        tests.append((Action.status.in_(sorted(rules.blue_statuses, key=str)), Rag.BLUE))
    closed = [status for status in ActionStatus if status not in open_statuses]
    if closed:
        tests.append((Action.status.in_(closed), Rag.NONE))
    if rules.red_when_overdue:
        tests.append((Action.due_date < today, Rag.RED))
    if rules.red_when_off_track:
        tests.append((Action.off_track.is_(True), Rag.RED))
    # The subquery last: it runs only for the few actions due soon and not yet rated.
    soon = Action.due_date <= amber_due_until(today, rules, calendar)
    tests.append((and_(soon, ~recent), Rag.AMBER))
    return tests


def rag_expression(today: date, rules: RagRules, calendar: Calendar) -> ColumnElement[str]:
    """``rag.rate`` as SQL over ``action``, giving the Rag value (for one page of rows)."""
    whens = [(test, rag.value) for test, rag in _rating_conditions(today, rules, calendar)]
    return case(*whens, else_=literal(Rag.GREEN.value))


# --- the rule split for counting ----------------------------------------------------------


def rating_groups(
    rules: RagRules,
) -> tuple[set[ActionStatus], set[ActionStatus], list[ActionStatus]]:
    """The statuses rated blue, rated none, and rated by the due date and progress."""
    blue = set(rules.blue_statuses)
    none = {status for status in ActionStatus if not status.is_open} - blue
    rated = [status for status in ActionStatus if status.is_open and status not in blue]
    return blue, none, rated


def red_tests(
    rules: RagRules, today: date, due_date: Any, off_track: Any
) -> list[ColumnElement[bool]]:
    """What makes an action rated by due date red, over ``action`` or the running count
    (``due_date`` and ``off_track`` name either table's columns)."""
    tests: list[ColumnElement[bool]] = []
    if rules.red_when_overdue:
        tests.append(due_date < today)
    if rules.red_when_off_track:
        tests.append(off_track.is_(True))
    return tests


def amber_test(today: date, rules: RagRules, calendar: Calendar) -> ColumnElement[bool]:
    """Rated amber, over ``action``: rated by due date, not red, due soon, no progress
    update lately."""
    _blue, _none, rated = rating_groups(rules)
    not_red: list[ColumnElement[bool]] = []
    if rules.red_when_overdue:
        not_red.append(Action.due_date >= today)
    if rules.red_when_off_track:
        not_red.append(Action.off_track.is_(False))
    return and_(
        Action.status.in_(rated),
        *not_red,
        Action.due_date <= amber_due_until(today, rules, calendar),
        ~updated_recently(today, rules),
    )
