"""Learning that recurs on the dashboard and in the yearly report (issue 23): a confirmed
link shows in the recurrence table and the report; themes recurring across years carry
the share of earlier actions with evidence of impact; findings count in the national
lists' terms; action quality hints; and the figures' query count does not grow with data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event

from sgreviews.extensions import db
from sgreviews.models import (
    ActionStatus,
    ActionUpdate,
    Finding,
    FindingKind,
    ImpactStatus,
    LinkDecision,
    Partnership,
    Review,
    Role,
    Theme,
)
from sgreviews.models.action import UpdateKind
from sgreviews.review_types import load_review_types
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.learning import action_hints, similar
from sgreviews.services.learning import tables as learning_tables
from sgreviews.services.learning.action_hints import Draft, Hint
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports.yearly import build_yearly_report
from sgreviews.settings import PROJECT_ROOT
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

TYPES = load_review_types(PROJECT_ROOT / "config" / "review_types.toml")
YEAR = BusinessYear(2025)


def _theme(key: str) -> Theme:
    theme = db.session.scalar(db.select(Theme).where(Theme.key == key))
    if theme is None:
        theme = Theme(key=key, name=key.replace("_", " ").capitalize())
        db.session.add(theme)
    return theme


def _history(partnership: Partnership, reviews: int = 1) -> None:
    """An earlier twin in 2019/20 with two actions (one evidenced), and a 2025/26 finding
    confirmed as repeating it, with one new action; ``reviews`` more reviews of noise."""
    curiosity = _theme("professional_curiosity")
    old = factories.review(partnership, reference="SCR-2019-01", started_on=date(2019, 6, 1))
    twin = factories.finding(old, text="Accounts were accepted at face value.", themes=[curiosity])
    # Entered as history: added in 2019, their status and impact last set in 2021.
    settled = datetime(2021, 3, 1, 12, tzinfo=UTC)
    factories.action(
        finding_=twin,
        status=ActionStatus.ASSURED,
        impact_status=ImpactStatus.EVIDENCED,
        added_on=date(2019, 9, 1),
        updated_at=settled,
    )
    factories.action(
        finding_=twin,
        status=ActionStatus.CLOSED_NOT_IMPLEMENTED,
        added_on=date(2019, 9, 1),
        updated_at=settled,
    )
    new = factories.review(partnership, reference="LCSPR-2025-01", started_on=date(2025, 6, 1))
    later = factories.finding(
        new, text="Accounts were again accepted at face value.", themes=[curiosity]
    )
    factories.action(
        finding_=later,
        reference=f"A-NEW-{partnership.id}",
        action_text="Add a what-else-might-be-happening prompt to strategy discussions",
        added_on=date(2025, 9, 1),
    )
    secretariat = factories.user(Role.SECRETARIAT)
    similar.decide(
        actor=secretariat,
        finding=later,
        earlier_id=twin.id,
        decision=LinkDecision.CONFIRMED,
        score=0.6,
    )
    for number in range(reviews):
        extra = factories.review(
            partnership, reference=f"RR-2024-{number:02d}", started_on=date(2024, 5, 1)
        )
        factories.action(finding_=factories.finding(extra, themes=[_theme("neglect")]))


def test_a_confirmed_link_is_in_the_recurrence_table(app: Flask) -> None:
    partnership = factories.partnership()
    _history(partnership)
    filters = Filters(year=YEAR, partnership_id=partnership.id, today=date(2026, 1, 5))
    table = learning_tables.recurring_links(filters, TYPES)
    assert table.rows == [
        (
            "LCSPR-2025-01 finding 1",
            "2025/26",
            "SCR-2019-01 finding 1",
            "2019/20",
            "Professional curiosity",
            2,
            "50%",
            1,
        )
    ]
    themes = learning_tables.recurring_themes(filters, TYPES)
    (row,) = [row for row in themes.rows if row[0] == "Professional curiosity"]
    assert row == ("Professional curiosity", 2, 2, "2019/20", "2025/26", 2, "50%")
    national = learning_tables.recurring_themes(Filters(year=YEAR, today=date(2026, 1, 5)), TYPES)
    (row,) = [row for row in national.rows if row[0] == "Professional curiosity"]
    assert row[5:] == ("", "Choose a partnership")
    assert not [row for row in themes.rows if row[0] == "Neglect"]  # one year only


def test_the_yearly_report_says_what_recurred_and_what_is_done_differently(
    app: Flask,
) -> None:
    partnership = factories.partnership()
    _history(partnership)
    report = build_yearly_report(YEAR, TYPES, partnership, today=date(2026, 1, 5))
    (section,) = [
        section for section in report.sections if section.title == "Learning that recurred"
    ]
    text = " ".join(section.paragraphs)
    assert "One of the year's findings was confirmed as repeating learning" in text
    assert "Of the two actions that answered that earlier learning, one reached evidence" in text
    assert "LCSPR-2025-01 finding 1 repeats SCR-2019-01 finding 1 (2019/20)" in text
    assert f"A-NEW-{partnership.id}: Add a what-else-might-be-happening prompt" in text
    assert "professional curiosity" in text
    public = build_yearly_report(YEAR, TYPES, partnership, public=True, today=date(2026, 1, 5))
    (section,) = [s for s in public.sections if s.title == "Learning that recurred"]
    assert "SCR-2019-01" not in " ".join(section.paragraphs) and section.table is None
    assert "Fewer than 5 of the year's findings were confirmed" in " ".join(section.paragraphs)


def test_no_confirmed_link_says_so(app: Flask) -> None:
    partnership = factories.partnership()
    report = build_yearly_report(YEAR, TYPES, partnership, today=date(2026, 1, 5))
    (section,) = [s for s in report.sections if s.title == "Learning that recurred"]
    assert section.paragraphs[0].startswith("No finding of the year's reviews was confirmed")


def test_findings_count_in_the_national_lists_terms(app: Flask) -> None:
    partnership = factories.partnership()
    review = factories.review(partnership, started_on=date(2025, 6, 1))
    factories.finding(review, themes=[_theme("professional_curiosity"), _theme("escalation")])
    factories.finding(review, themes=[_theme("information_sharing")])
    factories.finding(review, themes=[_theme("online_harm")])
    filters = Filters(year=YEAR, partnership_id=partnership.id, today=date(2026, 1, 5))
    rows = {
        (row[0], row[1]): row[2] for row in learning_tables.national_themes(filters, TYPES).rows
    }
    panel = "Child Safeguarding Practice Review Panel themes (annual report 2022 to 2023)"
    dhr = "Home Office domestic homicide review common themes"
    # Curiosity and escalation fold into one Panel theme: that finding counts once.
    assert (
        rows[
            (
                panel,
                "Leadership and culture supporting critical thinking and professional challenge",
            )
        ]
        == 1
    )
    assert rows[(panel, "Keeping a focus on risks outside the family")] == 1
    assert rows[(panel, "A theme not in this list")] == 1  # information sharing: no Panel theme
    assert rows[(dhr, "Information sharing")] == 1
    assert rows[(dhr, "Risk assessment")] == 1
    assert rows[(dhr, "Multi-agency working")] == 1


def test_action_hints() -> None:
    good = Draft(
        outcome="Teenagers' accounts are tested against their history",
        action_text="Add a prompt to strategy-discussion records",
        measure="Audit of 20 strategy discussions shows the prompt used in 80%",
        due_date=date(2026, 3, 1),
        lead_named=True,
    )
    assert action_hints.hints(good) == []
    poor = Draft(
        outcome="Add a prompt to strategy discussion records",
        action_text="Add a prompt to strategy-discussion records",
        measure="Practice improves",
        due_date=None,
        lead_named=False,
    )
    assert action_hints.hints(poor) == [Hint.NO_MEASURE, Hint.NO_DATE, Hint.NO_LEAD, Hint.RESTATES]
    assert action_hints.measurable("A dip sample of assessments")


def test_dashboard_counts_open_actions_with_hints(app: Flask) -> None:
    partnership = factories.partnership()
    review = factories.review(partnership, started_on=date(2025, 6, 1))
    finding = factories.finding(review)
    factories.action(finding_=finding, measure_of_success="Things get better", lead_name=None)
    factories.action(finding_=finding, lead_name="Detective Sergeant Q")
    factories.action(finding_=finding, status=ActionStatus.ASSURED, measure_of_success="Better")
    filters = Filters(year=YEAR, partnership_id=partnership.id, today=date(2026, 1, 5))
    counts = dict(learning_tables.action_quality(filters, TYPES).rows)
    assert counts["No measurable measure of success"] == 1
    assert counts["No named lead"] == 1
    assert counts["No due date"] == 0


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries(partnership_id: int) -> int:
    filters = Filters(year=YEAR, partnership_id=partnership_id, today=date(2026, 1, 5))
    db.session.expire_all()
    with _statements() as seen:
        learning_tables.page_tables(filters, TYPES, 21)
        build_yearly_report(YEAR, TYPES, None, today=date(2026, 1, 5))
    return len(seen)


def test_the_query_count_does_not_grow_with_data(app: Flask) -> None:
    small, large = factories.partnership(), factories.partnership()
    _history(small, reviews=1)
    _history(large, reviews=6)
    for number in range(4):
        other = factories.review(large, reference=f"LCSPR-2025-{number + 10}")
        later = factories.finding(other, text="Accounts accepted at face value again.")
        similar.decide(
            actor=factories.user(Role.SECRETARIAT),
            finding=later,
            earlier_id=db.session.scalar(
                db.select(similar.Finding.id)
                .join(similar.Review)
                .where(similar.Review.partnership_id == large.id)
                .where(similar.Review.reference == "SCR-2019-01")
            ),
            decision=LinkDecision.CONFIRMED,
            score=None,
        )
    assert _queries(small.id) == _queries(large.id)


def test_no_earlier_action_with_evidence_reads_as_none(app: Flask) -> None:
    partnership = factories.partnership()
    _history(partnership)
    db.session.execute(db.update(similar.Action).values(impact_status=ImpactStatus.NOT_ASSESSED))
    report = build_yearly_report(YEAR, TYPES, partnership, today=date(2026, 1, 5))
    (section,) = [s for s in report.sections if s.title == "Learning that recurred"]
    assert "Of the two actions that answered that earlier learning, none reached" in " ".join(
        section.paragraphs
    )


def test_a_past_year_reads_the_actions_as_they_stood_at_its_end(app: Flask) -> None:
    """Issue 18: an earlier action that reaches impact evidence after the year, and an
    action added to the later finding after it, leave the year's figures as they were."""
    partnership = factories.partnership()
    _history(partnership)
    closed = db.session.scalars(
        db.select(similar.Action)
        .join(similar.Action.findings)
        .join(similar.Review)
        .where(similar.Review.partnership_id == partnership.id)
        .where(similar.Action.status == ActionStatus.CLOSED_NOT_IMPLEMENTED)
    ).one()
    later = db.session.scalars(
        db.select(Finding).join(Review).where(Review.reference == "LCSPR-2025-01")
    ).one()
    after_the_year = date(2026, 5, 1)
    closed.impact_status = ImpactStatus.EVIDENCED
    closed.updates.append(
        ActionUpdate(
            kind=UpdateKind.IMPACT,
            status=closed.status,
            previous_status=closed.status,
            note="Audit in May 2026 shows the change holding",
            impact_status=ImpactStatus.EVIDENCED,
            effective_on=after_the_year,
        )
    )
    factories.action(finding_=later, reference=f"A-LATE-{partnership.id}", added_on=after_the_year)
    db.session.flush()

    def said(today: date) -> str:
        report = build_yearly_report(YEAR, TYPES, partnership, today=today)
        (section,) = [s for s in report.sections if s.title == "Learning that recurred"]
        return " ".join(section.paragraphs)

    at_the_end = said(date(2026, 12, 7))
    assert "Of the two actions that answered that earlier learning, one reached" in at_the_end
    assert f"A-LATE-{partnership.id}" not in at_the_end
    assert at_the_end == said(date(2026, 4, 1))  # as it read the day after the year ended
    filters = Filters(year=YEAR, partnership_id=partnership.id, today=date(2026, 12, 7))
    assert learning_tables.recurring_links(filters, TYPES).rows[0][6:] == ("50%", 1)
    # The current year reads today: both earlier actions now have impact evidence.
    this_year = Filters(
        year=BusinessYear(2026), partnership_id=partnership.id, today=date(2026, 12, 7)
    )
    assert learning_tables.recurring_links(this_year, TYPES).rows[0][6:] == ("100%", 2)


def test_a_strength_is_never_recurring_learning(app: Flask) -> None:
    """Issue 18: a confirmed link whose finding is a strength, and a theme carried only
    by strengths, are good practice, not learning that recurred."""
    partnership = factories.partnership()
    _history(partnership)
    for finding in db.session.scalars(
        db.select(Finding).join(Finding.review).where(Review.partnership_id == partnership.id)
    ):
        if finding.review.reference == "LCSPR-2025-01":
            finding.kind = FindingKind.STRENGTH
    db.session.flush()
    filters = Filters(year=YEAR, partnership_id=partnership.id, today=date(2026, 1, 5))
    assert learning_tables.recurring_links(filters, TYPES).rows == []
    themes = learning_tables.recurring_themes(filters, TYPES)
    assert not [row for row in themes.rows if row[0] == "Professional curiosity"]
