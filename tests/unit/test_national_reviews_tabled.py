"""The register of national reviews tabled (issue 18, item 5) and the yearly report's
section built from it, against hand-built entries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, NationalReviewTabled, Partnership, Role
from sgreviews.review_types import load_review_types
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.national_reviews import register
from sgreviews.services.periods import BusinessYear, Period
from sgreviews.services.reports.tabled import TITLE, national_reviews_tabled
from sgreviews.services.reports.yearly import Counts, ReportTable, build_yearly_report
from sgreviews.settings import PROJECT_ROOT
from tests import factories

TODAY = date(2026, 12, 7)
YEAR = BusinessYear(2025)
TYPES = load_review_types(PROJECT_ROOT / "config" / "review_types.toml")


def entry(**overrides: object) -> register.Entry:
    values: dict[str, object] = {
        "title": "National review: babies at risk (fictional)",
        "published_by": "Child Safeguarding Practice Review Panel",
        "published_on": date(2025, 3, 27),
        "tabled_on": date(2025, 6, 12),
        "tabled_at": "Partnership board",
        "what_was_done": "Briefing issued.",
    }
    values.update(overrides)
    return register.Entry(**values)  # type: ignore[arg-type]


def audit_events(entry_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == register.ENTITY, AuditEvent.entity_id == entry_id)
            .order_by(AuditEvent.id)
        )
    )


# --- the register ------------------------------------------------------------------------


def test_an_entry_is_added_changed_and_removed_with_an_audit_row_each(ctx: None) -> None:
    home = factories.partnership()
    secretariat = factories.user(Role.SECRETARIAT)
    added = register.add_entry(secretariat, home, entry(title="  Padded title  "), today=TODAY)
    assert added.title == "Padded title"
    assert added.recorded_by_id == secretariat.id
    register.update_entry(
        secretariat,
        added,
        entry(title="Padded title", tabled_at="Case review subgroup"),
        added.version,
        today=TODAY,
    )
    assert added.tabled_at == "Case review subgroup"
    entry_id = added.id
    register.delete_entry(secretariat, added, added.version)
    assert db.session.get(NationalReviewTabled, entry_id) is None
    events = audit_events(entry_id)
    assert [event.event for event in events] == ["created", "updated", "deleted"]
    assert all(event.actor_id == secretariat.id for event in events)
    assert events[0].after is not None and events[0].after["tabled_on"] == "2025-06-12"
    # The edit records only what changed; the removal keeps what the entry said.
    assert events[1].before == {"tabled_at": "Partnership board"}
    assert events[1].after == {"tabled_at": "Case review subgroup"}
    assert events[2].before is not None and events[2].before["title"] == "Padded title"
    assert events[2].after is None


def test_a_date_tabled_in_the_future_is_refused(ctx: None) -> None:
    home = factories.partnership()
    with pytest.raises(FieldError) as refused:
        register.add_entry(None, home, entry(tabled_on=date(2026, 12, 8)), today=TODAY)
    assert refused.value.field_name == "tabled_on"
    assert "today or in the past" in refused.value.message
    # Today itself is allowed.
    register.add_entry(None, home, entry(tabled_on=TODAY), today=TODAY)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"published_by": ""}, "published_by"),
        ({"tabled_on": None}, "tabled_on"),
        ({"tabled_at": " "}, "tabled_at"),
        ({"what_was_done": "\n"}, "what_was_done"),
        ({"published_on": date(2026, 12, 8)}, "published_on"),
        # Tabled before it was published.
        ({"published_on": date(2025, 7, 1)}, "tabled_on"),
        ({"title": "x" * (register.TITLE_MAX + 1)}, "title"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    ctx: None, overrides: dict[str, object], field: str
) -> None:
    home = factories.partnership()
    with pytest.raises(FieldError) as refused:
        register.add_entry(None, home, entry(**overrides), today=TODAY)
    assert refused.value.field_name == field
    assert db.session.scalar(select(NationalReviewTabled.id)) is None


def test_an_edit_over_someone_elses_change_is_refused_with_who_changed_what(ctx: None) -> None:
    home = factories.partnership()
    first = factories.user(Role.SECRETARIAT, display_name="First Officer")
    added = register.add_entry(first, home, entry(), today=TODAY)
    opened_at = added.version
    register.update_entry(first, added, entry(title="Their title"), opened_at, today=TODAY)
    with pytest.raises(StaleEdit) as stale:
        register.update_entry(None, added, entry(title="My title"), opened_at, today=TODAY)
    assert stale.value.changed_by == "First Officer"
    assert stale.value.changed_fields == ["title"]
    assert stale.value.current["title"] == "Their title"
    assert added.title == "Their title"
    with pytest.raises(StaleEdit):
        register.delete_entry(None, added, opened_at)


def test_the_year_filter_and_the_partnership_scope(ctx: None) -> None:
    home, away = factories.partnership(), factories.partnership()
    for day in (date(2025, 3, 31), date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1)):
        register.add_entry(None, home, entry(title=f"Home {day}", tabled_on=day), today=TODAY)
    register.add_entry(None, away, entry(title="Away", tabled_on=date(2025, 9, 1)), today=TODAY)
    in_year = register.entries_of(home, YEAR)
    # The business year runs 1 April to 31 March, both inclusive; latest first.
    assert [item.title for item in in_year] == ["Home 2026-03-31", "Home 2025-04-01"]
    assert len(register.entries_of(home, None)) == 4
    assert register.years_with_entries(home) == [
        BusinessYear(2026),
        BusinessYear(2025),
        BusinessYear(2024),
    ]
    period = Period(YEAR.start, YEAR.end, YEAR.label)
    assert [item.title for item in register.tabled_between(period)] == [
        "Home 2025-04-01",
        "Away",
        "Home 2026-03-31",
    ]
    assert [item.title for item in register.tabled_between(period, away.id)] == ["Away"]


def test_partnerships_for_follows_who_serves_which(ctx: None) -> None:
    home, away = factories.partnership(), factories.partnership()
    linked = factories.user(Role.SECRETARIAT)
    linked.partnerships = [home]
    every = factories.user(Role.CHAIR)
    lead = factories.user(Role.AGENCY_LEAD, factories.agency())
    db.session.flush()
    assert home in register.partnerships_for(linked)
    assert away not in register.partnerships_for(linked)
    assert {home, away} <= set(register.partnerships_for(every))
    assert register.partnerships_for(lead) == []


# --- the yearly report's section ---------------------------------------------------------


@pytest.fixture
def tabled_year(ctx: None) -> tuple[Partnership, Partnership]:
    """Home tabled three national reviews in 2025/26 (one on its first day, one on its
    last), one the year before and one the year after; Away tabled one in 2025/26."""
    home = factories.partnership(short_name="HOMET")
    away = factories.partnership(short_name="AWAYT")
    for title, published_by, published_on, tabled_on, where, done in (
        ("Before the year", "Home Office", None, date(2025, 3, 31), "Board", "Noted."),
        (
            "Babies at risk (fictional)",
            "Child Safeguarding Practice Review Panel",
            date(2025, 3, 27),
            date(2025, 4, 1),
            "Partnership board",
            "We **checked** pre-birth practice.\n\n- Briefing issued\n- Audit planned",
        ),
        (
            "Exploitation thematic (fictional)",
            "Child Safeguarding Practice Review Panel",
            None,
            date(2025, 11, 5),
            "Case review subgroup",
            "Added to the exploitation strategy.",
        ),
        (
            "DHR analysis (fictional)",
            "Home Office",
            date(2025, 10, 1),
            date(2026, 3, 31),
            "Partnership board",
            "Shared with the community safety partnership.",
        ),
        ("After the year", "Home Office", None, date(2026, 4, 1), "Board", "Noted."),
    ):
        register.add_entry(
            None,
            home,
            entry(
                title=title,
                published_by=published_by,
                published_on=published_on,
                tabled_on=tabled_on,
                tabled_at=where,
                what_was_done=done,
            ),
            today=TODAY,
        )
    register.add_entry(
        None, away, entry(title="Away review", tabled_on=date(2025, 9, 1)), today=TODAY
    )
    return home, away


def test_the_section_lists_the_years_national_reviews_with_what_was_done(
    tabled_year: tuple[Partnership, Partnership],
) -> None:
    home, _ = tabled_year
    paragraphs, table = national_reviews_tabled(YEAR, home, Counts(False), TODAY, ReportTable)
    assert paragraphs == [
        "Between 1 April 2025 and 31 March 2026 the partnership considered three national "
        "reviews at its board or subgroups.",
        "The table shows where each was tabled and what the partnership did as a result.",
    ]
    assert table is not None
    assert list(table.headers) == [
        "National review",
        "Published by",
        "Tabled",
        "What the partnership did",
    ]
    assert [list(row) for row in table.rows] == [
        [
            "Babies at risk (fictional)",
            "Child Safeguarding Practice Review Panel (27 March 2025)",
            "1 April 2025, Partnership board",
            # Markdown as plain text: no asterisks, list items joined.
            "We checked pre-birth practice. Briefing issued; Audit planned",
        ],
        [
            "Exploitation thematic (fictional)",
            "Child Safeguarding Practice Review Panel",
            "5 November 2025, Case review subgroup",
            "Added to the exploitation strategy.",
        ],
        [
            "DHR analysis (fictional)",
            "Home Office (1 October 2025)",
            "31 March 2026, Partnership board",
            "Shared with the community safety partnership.",
        ],
    ]


def test_the_section_counts_up_to_today_within_the_current_year(
    tabled_year: tuple[Partnership, Partnership],
) -> None:
    home, _ = tabled_year
    paragraphs, table = national_reviews_tabled(
        YEAR, home, Counts(False), date(2025, 11, 4), ReportTable
    )
    assert paragraphs[0] == (
        "Between 1 April 2025 and 4 November 2025 the partnership considered one national "
        "review at its board or subgroups."
    )
    assert table is not None and [row[0] for row in table.rows] == ["Babies at risk (fictional)"]


def test_the_section_for_all_partnerships_and_the_public_version(
    tabled_year: tuple[Partnership, Partnership],
) -> None:
    paragraphs, table = national_reviews_tabled(YEAR, None, Counts(True), TODAY, ReportTable)
    # Four in all: a small number, worded as such; the list stays (public documents).
    assert paragraphs[0] == (
        "Between 1 April 2025 and 31 March 2026 the partnership considered fewer than 5 "
        "national reviews at its board or subgroups."
    )
    assert table is not None
    assert [row[0] for row in table.rows] == [
        "Babies at risk (fictional)",
        "Away review",
        "Exploitation thematic (fictional)",
        "DHR analysis (fictional)",
    ]


def test_a_year_with_nothing_tabled_says_so(ctx: None) -> None:
    home = factories.partnership()
    paragraphs, table = national_reviews_tabled(YEAR, home, Counts(False), TODAY, ReportTable)
    assert paragraphs == [
        "Between 1 April 2025 and 31 March 2026 no national review was recorded as tabled at "
        "the board or a subgroup."
    ]
    assert table is None


def test_the_yearly_report_has_the_section_after_learning_that_recurred(
    tabled_year: tuple[Partnership, Partnership],
) -> None:
    home, _ = tabled_year
    report = build_yearly_report(YEAR, TYPES, home, today=TODAY)
    titles = [section.title for section in report.sections]
    assert titles[titles.index("Learning that recurred") + 1] == TITLE
    section = report.sections[titles.index(TITLE)]
    assert "three national reviews" in section.paragraphs[0]
    assert section.table is not None and len(section.table.rows) == 3
