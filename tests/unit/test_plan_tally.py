"""The Master Action Plan's running count (sgreviews/services/actions/plan_tally.py) equals
a recount from the actions after every kind of write, and the plan's summary read from it
equals the summary counted over the actions themselves, for every filter and rule set."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, Role
from sgreviews.models.plan_tally import ActionDueTally
from sgreviews.services.actions import plan
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.lists import ActionFilter, filter_conditions
from sgreviews.services.actions.plan_tally import rebuild_plan_tally
from sgreviews.services.actions.rag import parse_rules
from sgreviews.services.clocks import calendar_for
from sgreviews.web.plan.views import current_rules
from tests import factories


def stored() -> tuple[dict[tuple[object, ...], tuple[int, int]], dict[int, int]]:
    """The tally's rows and every action's review count, as stored."""
    db.session.flush()
    tally = {
        (status, off_track, due): (actions, entries)
        for status, off_track, due, actions, entries in db.session.execute(
            select(
                ActionDueTally.status,
                ActionDueTally.off_track,
                ActionDueTally.due_date,
                ActionDueTally.actions,
                ActionDueTally.entries,
            )
        )
        if actions or entries
    }
    counts = {row[0]: row[1] for row in db.session.execute(select(Action.id, Action.review_count))}
    return tally, counts


def recounted() -> tuple[dict[tuple[object, ...], tuple[int, int]], dict[int, int]]:
    kept = stored()
    rebuild_plan_tally(db.session.connection())
    db.session.expire_all()
    fresh = stored()
    assert kept == fresh
    return fresh


def test_the_count_follows_every_write(ctx: None) -> None:
    police, health = factories.agency(name="Police"), factories.agency(name="Health")
    first_review, second_review = factories.review(), factories.review()
    one_a, one_b = factories.finding(first_review), factories.finding(first_review)
    two_a = factories.finding(second_review)
    due = date(2026, 6, 30)
    one = factories.action(police, one_a, due_date=due)
    two = factories.action(health, two_a, due_date=due)
    three = factories.action(health, one_b, due_date=due + timedelta(days=9))
    tally, counts = recounted()
    assert tally[(ActionStatus.NOT_STARTED, False, due)] == (2, 2)
    assert counts == {one.id: 1, two.id: 1, three.id: 1}

    one.findings.append(two_a)  # now listed under both reviews
    three.findings.append(one_a)  # a second finding of the same review: still one entry
    db.session.flush()
    tally, counts = recounted()
    assert counts[one.id] == 2 and counts[three.id] == 1
    assert tally[(ActionStatus.NOT_STARTED, False, due)] == (2, 3)

    one.status = ActionStatus.IN_PROGRESS  # status change carries its two entries
    two.off_track = True  # the lead says off track
    three.due_date = due + timedelta(days=40)  # extended
    db.session.flush()
    tally, _counts = recounted()
    assert tally[(ActionStatus.IN_PROGRESS, False, due)] == (1, 2)
    assert tally[(ActionStatus.NOT_STARTED, True, due)] == (1, 1)

    two_a.actions.remove(one)  # unlinked from the finding's side
    db.session.flush()
    _tally, counts = recounted()
    assert counts[one.id] == 1

    one_b.review = second_review  # a finding moved to another review
    db.session.flush()
    _tally, counts = recounted()
    assert counts[three.id] == 2

    db.session.delete(one_b)  # a finding deleted takes its links
    db.session.flush()
    _tally, counts = recounted()
    assert counts[three.id] == 1

    db.session.delete(two)
    db.session.commit()
    tally, counts = recounted()
    assert two.id not in counts
    assert sum(actions for actions, _entries in tally.values()) == 2


def test_a_progress_update_through_the_service_is_counted(ctx: None) -> None:
    action = factories.action(due_date=london_today() + timedelta(days=20))
    author = factories.user(Role.AGENCY_LEAD, action.owning_agency)
    action_service.record_progress(
        actor=author,
        action=action,
        status=ActionStatus.IN_PROGRESS,
        note="Behind: staff shortages",
        off_track=True,
    )
    db.session.commit()
    tally, _counts = recounted()
    assert tally[(ActionStatus.IN_PROGRESS, True, action.due_date)] == (1, 1)


FILTERS = [
    ActionFilter(),
    ActionFilter(open_only=True),
    ActionFilter(open_only=True, overdue=True),
    ActionFilter(open_only=True, due_before=london_today() + timedelta(days=10)),
    ActionFilter(statuses=[ActionStatus.COMPLETED, ActionStatus.ASSURED]),
    ActionFilter(due_after=london_today(), due_before=london_today() + timedelta(days=60)),
]


@pytest.mark.parametrize(
    "rules_data",
    [
        None,
        {"blue": {"statuses": ["assured"]}, "red": {"when_overdue": False}},
        {"red": {"when_off_track": False}, "amber": {"due_within_working_days": 3}},
    ],
)
def test_the_summary_from_the_count_equals_the_actions_counted(ctx: None, rules_data: Any) -> None:
    review, other = factories.review(), factories.review()
    findings = [factories.finding(review), factories.finding(other)]
    today = london_today()
    statuses = list(ActionStatus)
    for index in range(36):
        action = factories.action(
            finding_=findings[index % 2],
            due_date=today + timedelta(days=(index * 5) % 90 - 45),
            status=statuses[index % len(statuses)],
            off_track=index % 4 == 0,
        )
        if index % 5 == 0:
            action.findings.append(findings[(index + 1) % 2])
    db.session.flush()
    rules = current_rules() if rules_data is None else parse_rules(rules_data)
    calendar = calendar_for("ENG")
    for filters in FILTERS:
        conditions = filter_conditions(filters, today)
        from_tally = plan._counts_from_tally(filters, conditions, today, rules, calendar)
        assert from_tally == plan._counts(conditions, today, rules, calendar), filters
    # A filter the count cannot answer is counted over the actions.
    since = ActionFilter(open_only=True, changed_since=today)
    assert plan._counts_from_tally(since, [], today, rules, calendar) is None
