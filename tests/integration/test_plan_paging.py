"""The Master Action Plan in pages (issue 8): the RAG rating in SQL agrees with
``rag.rate``, pages keep the filters and grouping, the print layout is capped and says so,
the download holds the whole filtered plan, and the number of queries per page does not
grow with the plan."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, insert, select

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus, ActionUpdate, Role, UpdateKind
from sgreviews.models.action import action_finding
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions import plan
from sgreviews.services.actions.rag import Rag, current_rules, parse_rules
from tests import factories
from tests.conftest import page_text

Clients = Any


def _varied_actions() -> list[Action]:
    """Actions covering every branch of the rating: statuses, due dates around the amber
    window, off track, recent and old progress updates, and other kinds of entry."""
    agency = factories.agency(name="Rating Testshire Agency")
    finding = factories.finding(factories.review(reference="LCSPR-2025-77"))
    today = london_today()
    now = utcnow()
    made = []
    for status in ActionStatus:
        for days in (-5, 0, 3, 27, 28, 29, 45):
            for off_track in (False, True):
                for update in (None, 2, 29, 30, 31):
                    action = factories.action(
                        agency,
                        finding,
                        status=status,
                        due_date=today + timedelta(days=days),
                        off_track=off_track,
                    )
                    if update is not None:
                        db.session.add(
                            ActionUpdate(
                                action=action,
                                created_at=now - timedelta(days=update),
                                status=status,
                                note="Progress",
                                kind=UpdateKind.PROGRESS if update != 2 else UpdateKind.SENT_BACK,
                            )
                        )
                    made.append(action)
    db.session.flush()
    return made


@pytest.mark.parametrize(
    "rules_data",
    [
        None,
        {"red": {"when_overdue": False}, "amber": {"due_within_working_days": 0}},
        {
            "blue": {"statuses": ["assured"]},
            "red": {"when_off_track": False},
            "amber": {"due_within_working_days": 3, "no_update_within_days": 0},
        },
    ],
)
def test_sql_rating_agrees_with_the_python_rating(ctx: None, rules_data: Any) -> None:
    made = _varied_actions()
    rules = current_rules() if rules_data is None else parse_rules(rules_data)
    today = london_today()
    expected = action_lists.ratings(made, today, rules)
    result = plan.plan_page(action_lists.ActionFilter(), "agency", today, rules, per_page=5000)
    assert result.rag == expected
    assert result.counts == {
        rag: sum(1 for value in expected.values() if value is rag) for rag in Rag
    }


@pytest.fixture
def count_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    yield statements
    event.remove(engine, "before_cursor_execute", listener)


def _add_actions(app: Flask, count: int, **overrides: Any) -> None:
    with app.app_context():
        agencies = [factories.agency() for _ in range(3)]
        reviews = [factories.review() for _ in range(3)]
        findings = [factories.finding(review) for review in reviews]
        for number in range(count):
            action = factories.action(
                agencies[number % 3],
                findings[number % 3],
                **{"action_text": f"Paged action {number}", **overrides},
                lead_user=factories.user(Role.AGENCY_LEAD, agencies[number % 3])
                if number % 10 == 0
                else None,
            )
            if number % 7 == 0:  # some actions answer findings of two reviews
                action.findings.append(findings[(number + 1) % 3])
        db.session.commit()


def _bulk_actions(app: Flask, count: int) -> None:
    if not count:
        return
    with app.app_context():
        agency = factories.agency()
        findings = [factories.finding(factories.review()) for _ in range(2)]
        due = london_today() + timedelta(days=40)
        db.session.execute(
            insert(Action),
            [
                {
                    "reference": f"BULK-{number}",
                    "outcome_sought": "Outcome",
                    "action_text": f"Bulk action {number}",
                    "measure_of_success": "Measure",
                    "owning_agency_id": agency.id,
                    "due_date": due,
                    "original_due_date": due,
                    "status": ActionStatus.IN_PROGRESS,
                }
                for number in range(count)
            ],
        )
        ids = db.session.scalars(select(Action.id).where(Action.reference.like("BULK-%"))).all()
        db.session.execute(
            insert(action_finding),
            [
                {"action_id": action_id, "finding_id": findings[action_id % 2].id}
                for action_id in ids
            ],
        )
        db.session.commit()


def test_plan_pages_keep_filters_and_say_what_they_show(app: Flask, client_for: Clients) -> None:
    _add_actions(app, plan.PAGE_SIZE + 20, due_date=london_today() - timedelta(days=3))
    chair = client_for(Role.CHAIR)
    first = chair.get("/master-action-plan?group=agency&overdue=1")
    text = page_text(first)
    html = first.get_data(as_text=True)
    assert f"Showing 1 to {plan.PAGE_SIZE} of {plan.PAGE_SIZE + 20} entries" in text
    assert html.count('class="govuk-table__row"') - html.count("<thead") < plan.PAGE_SIZE + 5
    assert "govuk-pagination" in html
    assert "group=agency&amp;overdue=1&amp;page=2" in html
    second = page_text(chair.get("/master-action-plan?group=agency&overdue=1&page=2"))
    assert f"Showing {plan.PAGE_SIZE + 1} to {plan.PAGE_SIZE + 20} of" in second
    # Grouped by review, an action answering two reviews is an entry under each.
    by_review = page_text(chair.get("/master-action-plan?page=1"))
    assert "listed under each" in by_review
    # A page past the end shows the last page.
    assert "Showing" in page_text(chair.get("/master-action-plan?group=agency&page=999"))


def test_print_is_capped_and_says_so(
    app: Flask, client_for: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_actions(app, 12)
    monkeypatch.setattr(plan, "PRINT_LIMIT", 5)
    text = page_text(client_for(Role.SECRETARIAT).get("/master-action-plan?layout=print"))
    assert "This print shows the first 5 of" in text
    assert "download the whole filtered plan" in text


def test_download_holds_the_whole_filtered_plan(app: Flask, client_for: Clients) -> None:
    _add_actions(app, plan.PAGE_SIZE + 5, due_date=london_today() - timedelta(days=3))
    _add_actions(app, 4, action_text="Not overdue yet", due_date=london_today() + timedelta(days=9))
    chair = client_for(Role.CHAIR)
    response = chair.get("/master-action-plan/export.csv?overdue=1&page=2")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    texts = [row[2] for row in rows[1:]]
    assert sum(1 for text in texts if text.startswith("Paged action")) == plan.PAGE_SIZE + 5
    assert "Not overdue yet" not in texts
    assert chair.get("/master-action-plan/export.xlsx").data[:2] == b"PK"
    assert chair.get("/master-action-plan/export.csv?due_before=nonsense").status_code == 400
    lead = client_for(Role.AGENCY_LEAD)
    assert lead.get("/master-action-plan/export.csv").status_code == 403


def test_queries_per_plan_page_do_not_grow_with_the_plan(
    app: Flask, client_for: Clients, count_queries: list[str]
) -> None:
    chair = client_for(Role.CHAIR)
    urls = [
        "/master-action-plan",
        "/master-action-plan?page=2",
        "/master-action-plan?group=agency&page=2",
        "/master-action-plan?layout=print",
    ]
    counts = []
    _add_actions(app, plan.PAGE_SIZE + 10)
    for added in (0, 1200):
        # Past SQLAlchemy's selectin batch of 500 rows: a page that loaded every action's
        # findings would run more queries here.
        _bulk_actions(app, added)
        measured = []
        for url in urls:
            count_queries.clear()
            assert chair.get(url).status_code == 200
            measured.append(len(count_queries))
        counts.append(measured)
    assert counts[0] == counts[1], counts


def test_an_action_answering_two_findings_of_a_review_is_listed_once(ctx: None) -> None:
    review = factories.review()
    first, second = factories.finding(review), factories.finding(review)
    action = factories.action(factories.agency(), first, action_text="Answers both")
    action.findings.append(second)
    db.session.flush()
    result = plan.plan_page(action_lists.ActionFilter(), "review", london_today(), current_rules())
    assert result.entries_total == 1 and result.actions_total == 1
    assert [len(group.actions) for group in result.groups] == [1]


def test_the_workspace_page_equals_the_whole_list_rated_in_python(ctx: None) -> None:
    """Paged, with the RAG filter in SQL: the pages put together are exactly the list
    ``list_actions`` rates in Python, for each RAG filter."""
    made = _varied_actions()
    agency_id = made[0].owning_agency_id
    rules = current_rules()
    today = london_today()
    for rags in ([], [Rag.RED], [Rag.AMBER, Rag.GREEN], [Rag.BLUE, Rag.NONE]):
        filters = action_lists.ActionFilter(agency_id=agency_id, rags=rags)
        expected, expected_rag = action_lists.list_actions(filters, today, rules)
        first = action_lists.list_actions_page(filters, today, rules, per_page=7)
        pages = [first] + [
            action_lists.list_actions_page(filters, today, rules, page=n, per_page=7)
            for n in range(2, first.pages + 1)
        ]
        assert first.total == len(expected)
        assert [a.id for p in pages for a in p.actions] == [a.id for a in expected], rags
        for listed in pages:
            assert listed.rag == {a.id: expected_rag[a.id] for a in listed.actions}


def test_the_workspace_is_paged_with_its_filters_and_a_fixed_number_of_queries(
    app: Flask, client_for: Clients, count_queries: list[str]
) -> None:
    with app.app_context():
        agency = factories.agency(name="Paged Testshire Agency")
        finding = factories.finding(factories.review())
        for number in range(action_lists.WORKSPACE_PAGE_SIZE + 12):
            factories.action(
                agency,
                finding,
                action_text=f"Workspace action {number:03d}",
                due_date=london_today() + timedelta(days=40 + number),
            )
        db.session.commit()
    lead = client_for(Role.AGENCY_LEAD, agency)
    total = action_lists.WORKSPACE_PAGE_SIZE + 12
    first = lead.get("/agency/actions?status=not_started")
    text = page_text(first)
    assert f"Actions 1 to {action_lists.WORKSPACE_PAGE_SIZE} of {total} owned by" in text
    assert "Workspace action 000" in text and "Workspace action 050" not in text
    assert "status=not_started&amp;page=2" in first.get_data(as_text=True)
    count_queries.clear()
    second = page_text(lead.get("/agency/actions?status=not_started&page=2"))
    second_queries = len(count_queries)
    assert f"Actions {action_lists.WORKSPACE_PAGE_SIZE + 1} to {total} of {total}" in second
    assert "Workspace action 050" in second and "Workspace action 000" not in second
    # A page past the end shows the last one; the number of queries does not grow.
    assert "Workspace action 061" in page_text(lead.get("/agency/actions?page=99"))
    with app.app_context():
        for _ in range(200):
            factories.action(agency, finding, due_date=london_today() + timedelta(days=400))
        db.session.commit()
    count_queries.clear()
    assert lead.get("/agency/actions?status=not_started&page=2").status_code == 200
    assert len(count_queries) == second_queries
