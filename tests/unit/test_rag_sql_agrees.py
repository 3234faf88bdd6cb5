"""One RAG rule. ``rag.rate`` (with the rules of config/rag.toml) is the definition; its SQL
forms in ``rag_sql`` must give the same rating: the per-row CASE (``rag_expression``), and
the split the Master Action Plan counts with, over the actions and over its running count
(``ActionDueTally``). Checked over generated actions (statuses, due dates around today,
off track, progress updates of every age and hour, other entries, extension requests in
every state), days around England's bank holidays with extra closure days, and generated
rule sets. The suite runs it on SQLite and, with SGREVIEWS_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ExtensionRequest,
    ExtensionStatus,
    UpdateKind,
)
from sgreviews.models.review import ExtraClosureDay
from sgreviews.services.actions import plan
from sgreviews.services.actions.lists import ActionFilter, ratings
from sgreviews.services.actions.rag import Rag, RagRules, parse_rules, rate
from sgreviews.services.actions.rag_sql import rag_expression
from sgreviews.services.clocks import calendar_for
from tests import factories

# England's bank holidays the days are drawn around: Christmas and New Year, Easter (Good
# Friday and Easter Monday), the May holidays and the summer holiday.
HOLIDAYS = [
    date(2025, 12, 25),
    date(2026, 1, 1),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),
]
# A day from a month before a holiday to just after it: the amber window (in working
# days) runs across the holiday, or starts on it, or on a weekend.
days = st.builds(
    lambda holiday, shift: holiday + timedelta(days=shift),
    st.sampled_from(HOLIDAYS),
    st.integers(-32, 3),
)


@dataclass(frozen=True)
class ActionCase:
    status: ActionStatus
    due_in_days: int
    off_track: bool
    # The latest progress update: days before today and the hour (UTC) it was written.
    progress_days_ago: int | None
    progress_hour: int
    # A later entry that is not a progress update (it must not count as one).
    later_entry: UpdateKind | None
    extension: ExtensionStatus | None


cases = st.builds(
    ActionCase,
    status=st.sampled_from(list(ActionStatus)),
    due_in_days=st.integers(-5, 45),
    off_track=st.booleans(),
    progress_days_ago=st.none() | st.integers(0, 45),
    progress_hour=st.sampled_from([0, 11, 23]),
    later_entry=st.none() | st.sampled_from([UpdateKind.SENT_BACK, UpdateKind.IMPACT]),
    extension=st.none() | st.sampled_from(list(ExtensionStatus)),
)


def _rules(
    blue: set[ActionStatus], overdue: bool, off_track: bool, window: int, recent: int
) -> RagRules:
    return parse_rules(
        {
            "blue": {"statuses": sorted(status.value for status in blue)},
            "red": {"when_overdue": overdue, "when_off_track": off_track},
            "amber": {"due_within_working_days": window, "no_update_within_days": recent},
        }
    )


rule_sets = st.one_of(
    # The shipped rules (config/rag.toml) ...
    st.just(_rules({ActionStatus.COMPLETED, ActionStatus.ASSURED}, True, True, 20, 30)),
    # ... and any other a partnership could write.
    st.builds(
        _rules,
        st.sets(st.sampled_from(list(ActionStatus))),
        st.booleans(),
        st.booleans(),
        st.integers(0, 25),
        st.integers(0, 40),
    ),
)


def _make(case: ActionCase, today: date, agency: Any, finding: Any) -> tuple[Action, Any]:
    """The action of ``case``, with its entries; returns it and its latest progress time."""
    due = today + timedelta(days=case.due_in_days)
    extended = case.extension is ExtensionStatus.APPROVED
    action = factories.action(
        agency,
        finding,
        status=case.status,
        due_date=due,
        original_due_date=due - timedelta(days=14) if extended else due,
        off_track=case.off_track,
    )
    last_progress = None
    if case.progress_days_ago is not None:
        last_progress = datetime.combine(
            today - timedelta(days=case.progress_days_ago), time(case.progress_hour), UTC
        )
        # An older progress update too: only the latest may count.
        for moment in (last_progress - timedelta(days=60), last_progress):
            db.session.add(
                ActionUpdate(
                    action=action,
                    created_at=moment,
                    status=case.status,
                    note="Progress",
                    kind=UpdateKind.PROGRESS,
                )
            )
    if case.later_entry is not None:
        db.session.add(
            ActionUpdate(
                action=action,
                created_at=datetime.combine(today, time(9), UTC),
                status=case.status,
                note="Not progress",
                kind=case.later_entry,
            )
        )
    if case.extension is not None:
        db.session.add(
            ExtensionRequest(
                action=action,
                due_date_at_request=action.original_due_date,
                requested_due_date=due if extended else due + timedelta(days=30),
                reason="More time",
                status=case.extension,
            )
        )
    return action, last_progress


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    today=days,
    rules=rule_sets,
    made=st.lists(cases, min_size=1, max_size=12),
    closures=st.sets(st.integers(0, 40), max_size=3),
)
def test_every_sql_form_of_the_rag_rule_equals_rag_rate(
    ctx: None, today: date, rules: RagRules, made: list[ActionCase], closures: set[int]
) -> None:
    savepoint = db.session.begin_nested()  # each example leaves nothing behind
    try:
        for offset in sorted(closures):
            db.session.add(
                ExtraClosureDay(day=today + timedelta(days=offset), jurisdiction="ENG", reason="x")
            )
        agency = factories.agency(name="Rating Testshire Agency")
        finding = factories.finding(factories.review(reference="LCSPR-2025-91"))
        built = [_make(case, today, agency, finding) for case in made]
        db.session.flush()
        calendar = calendar_for("ENG")
        assert {today + timedelta(days=offset) for offset in closures} <= calendar.extra_closures

        # The definition.
        expected = {
            action.id: rate(
                status=action.status,
                due_date=action.due_date,
                off_track=action.off_track,
                last_update_at=last_progress,
                today=today,
                rules=rules,
                calendar=calendar,
            )
            for action, last_progress in built
        }
        actions = [action for action, _last in built]
        assert ratings(actions, today, rules) == expected

        # The per-row CASE.
        in_sql = db.session.execute(
            select(Action.id, rag_expression(today, rules, calendar)).where(Action.id.in_(expected))
        ).all()
        assert {action_id: Rag(value) for action_id, value in in_sql} == expected

        # The plan's counts over the actions (an agency's plan is counted over its actions).
        own = plan.plan_page(ActionFilter(agency_id=agency.id), "agency", today, rules, 1, 100)
        assert own.rag == expected
        assert own.counts == {rag: Counter(expected.values())[rag] for rag in Rag}

        # The plan's counts from the running count (the whole plan, unfiltered).
        everything = list(db.session.scalars(select(Action)))
        whole = Counter(ratings(everything, today, rules).values())
        national = plan.plan_page(ActionFilter(), "agency", today, rules, 1, 1)
        assert national.counts == {rag: whole[rag] for rag in Rag}
    finally:
        savepoint.rollback()
