"""The working-day engine on real dates (golden tests) and its general properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sgreviews.review_types import JURISDICTIONS, Clock
from sgreviews.services.clocks import (
    Calendar,
    Pause,
    add_calendar_months,
    add_working_days,
    clock_jurisdiction,
    compute_deadline,
    working_days_between,
)

ENG = Calendar("ENG")
NOTIFICATION = Clock("notification", "Notify", "aware", 5, "working_days", "ENG", "notified")
RAPID_REVIEW = Clock("rapid_review", "RR", "notified", 15, "working_days", "ENG", "sent_to_panel")
LCSPR = Clock("completion", "Complete", "decision", 6, "calendar_months", "ENG", "published")


@pytest.mark.parametrize(
    ("aware", "jurisdiction", "due", "why"),
    [
        # Easter 2025: Good Friday 18 April and Easter Monday 21 April.
        (date(2025, 4, 17), "ENG", date(2025, 4, 28), "Easter 2025 skips Fri 18 and Mon 21"),
        (date(2025, 4, 14), "ENG", date(2025, 4, 23), "15, 16, 17, then 22, 23 April"),
        # Scotland has no Easter Monday holiday.
        (date(2025, 4, 17), "SCT", date(2025, 4, 25), "Scotland works Easter Monday"),
        # Christmas 2024 and New Year 2025.
        (date(2024, 12, 23), "ENG", date(2025, 1, 2), "25, 26 Dec and 1 Jan skipped"),
        (date(2024, 12, 23), "SCT", date(2025, 1, 3), "Scotland also stops on 2 January"),
        (date(2024, 12, 20), "ENG", date(2024, 12, 31), "Fri 20 Dec: 23, 24, 27, 30, 31"),
        # Platinum Jubilee: the spring holiday moved to Thu 2 June, Jubilee Fri 3 June 2022.
        (date(2022, 6, 1), "ENG", date(2022, 6, 10), "Jubilee weekend 2-3 June 2022"),
        (date(2022, 5, 27), "ENG", date(2022, 6, 7), "30 May 2022 was a working day"),
        # The State Funeral, Monday 19 September 2022.
        (date(2022, 9, 13), "ENG", date(2022, 9, 21), "19 September 2022 skipped"),
        (date(2022, 9, 13), "NIR", date(2022, 9, 21), "NI also had the State Funeral holiday"),
        # The Coronation, Monday 8 May 2023 (with early May on 1 May and spring on 29 May).
        (date(2023, 5, 4), "ENG", date(2023, 5, 12), "Coronation Monday 8 May 2023 skipped"),
        (date(2023, 4, 28), "WLS", date(2023, 5, 9), "1 May 2023 skipped in Wales"),
        # Northern Ireland: St Patrick's Day.
        (date(2025, 3, 14), "NIR", date(2025, 3, 24), "17 March 2025 skipped in NI"),
        (date(2025, 3, 14), "ENG", date(2025, 3, 21), "17 March is a working day in England"),
    ],
)
def test_notification_deadline_golden(aware: date, jurisdiction: str, due: date, why: str) -> None:
    deadline = compute_deadline(NOTIFICATION, aware, Calendar(jurisdiction))
    assert deadline.due_on == due, why
    assert (
        deadline.rule
        == "5 working days after the local authority became aware (day 1 is the next working day)"
    )
    assert f"GB subdivision {jurisdiction}" in deadline.calendar


def test_rapid_review_over_new_year_2025() -> None:
    # Notified Thu 2 Jan 2025: 15 working days is Thu 23 Jan.
    deadline = compute_deadline(RAPID_REVIEW, date(2025, 1, 2), ENG)
    assert deadline.due_on == date(2025, 1, 23)


def test_rapid_review_around_easter_2025() -> None:
    # Notified Wed 9 April 2025: 10,11,14,15,16,17,22,23,24,25,28,29,30, 1 May, 2 May.
    assert compute_deadline(RAPID_REVIEW, date(2025, 4, 9), ENG).due_on == date(2025, 5, 2)


def test_start_day_counts_as_day_one_when_configured() -> None:
    clock = Clock("rr", "RR", "notified", 15, "working_days", "ENG", "sent_to_panel", "start")
    # Thu 2 Jan 2025 is itself day 1.
    deadline = compute_deadline(clock, date(2025, 1, 2), ENG)
    assert deadline.due_on == date(2025, 1, 22)
    assert "day 1 is the start day" in deadline.rule
    # A start on a bank holiday cannot be day 1.
    assert compute_deadline(clock, date(2025, 1, 1), ENG).due_on == date(2025, 1, 22)


def test_extra_closure_days_are_skipped_and_recorded() -> None:
    calendar = Calendar("ENG", frozenset({date(2024, 12, 24), date(2024, 12, 27)}))
    deadline = compute_deadline(NOTIFICATION, date(2024, 12, 23), calendar)
    # 24 and 27 December closed too: 30, 31, 2, 3, 6 January.
    assert deadline.due_on == date(2025, 1, 6)
    assert "2 extra closure days" in deadline.calendar


def test_calendar_months_clamp_to_month_end_and_avoid_non_working_days() -> None:
    assert add_calendar_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_calendar_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_calendar_months(date(2024, 11, 30), 1) == date(2024, 12, 30)
    # Decision 25 Oct 2024 → 25 Apr 2025 (Friday).
    assert compute_deadline(LCSPR, date(2024, 10, 25), ENG).due_on == date(2025, 4, 25)
    # Decision 21 Oct 2024 → 21 Apr 2025, Easter Monday → Tuesday 22 April.
    deadline = compute_deadline(LCSPR, date(2024, 10, 21), ENG)
    assert deadline.due_on == date(2025, 4, 22)
    assert "6 calendar months after the decision" in deadline.rule


def test_a_hold_stops_a_calendar_month_clock() -> None:
    hold = Pause(date(2025, 1, 10), date(2025, 2, 9))  # 30 days on hold
    deadline = compute_deadline(LCSPR, date(2024, 10, 25), ENG, (hold,))
    assert deadline.due_on == date(2025, 5, 27)  # 25 May is a Sunday, 26 May a bank holiday
    assert deadline.paused_days == 30
    assert "stopped for 30 days on hold" in deadline.rule


def test_a_hold_stops_a_working_day_clock() -> None:
    # Notified Thu 2 Jan 2025 (due 23 Jan); on hold Mon 6 to Mon 13 Jan: five working days.
    hold = Pause(date(2025, 1, 6), date(2025, 1, 13))
    assert compute_deadline(RAPID_REVIEW, date(2025, 1, 2), ENG, (hold,)).due_on == date(
        2025, 1, 30
    )


def test_a_hold_after_the_deadline_does_not_move_it() -> None:
    hold = Pause(date(2025, 6, 1), None)
    deadline = compute_deadline(RAPID_REVIEW, date(2025, 1, 2), ENG, (hold,), date(2025, 7, 1))
    assert deadline.due_on == date(2025, 1, 23)
    assert deadline.paused_days == 0


def test_an_open_hold_keeps_pushing_the_deadline() -> None:
    hold = Pause(date(2025, 1, 6), None)
    early = compute_deadline(RAPID_REVIEW, date(2025, 1, 2), ENG, (hold,), date(2025, 1, 20))
    later = compute_deadline(RAPID_REVIEW, date(2025, 1, 2), ENG, (hold,), date(2025, 3, 3))
    assert early.due_on < later.due_on
    assert later.due_on > date(2025, 3, 3)


def test_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown jurisdiction"):
        Calendar("XYZ").is_working_day(date(2025, 1, 6))


starts = st.dates(min_value=date(2016, 1, 1), max_value=date(2032, 12, 31))
jurisdictions = st.sampled_from(sorted(JURISDICTIONS))
working_day_clocks = st.builds(
    Clock,
    key=st.just("c"),
    name=st.just("c"),
    start_event=st.just("aware"),
    length=st.integers(min_value=1, max_value=40),
    unit=st.just("working_days"),
    jurisdiction=st.just("ENG"),
    met_by=st.just("notified"),
    first_day=st.sampled_from(["next", "start"]),
)
month_clocks = st.builds(
    Clock,
    key=st.just("c"),
    name=st.just("c"),
    start_event=st.just("decision"),
    length=st.integers(min_value=1, max_value=12),
    unit=st.just("calendar_months"),
    jurisdiction=st.just("ENG"),
    met_by=st.just("completed"),
)
day_clocks = st.builds(
    Clock,
    key=st.just("c"),
    name=st.just("c"),
    start_event=st.just("stage:ratified"),
    length=st.integers(min_value=1, max_value=60),
    unit=st.just("calendar_days"),
    jurisdiction=st.just("SCT"),
    met_by=st.just("completed"),
)
clocks = st.one_of(working_day_clocks, month_clocks, day_clocks)
closures = st.frozensets(starts, max_size=5)


@settings(max_examples=300, deadline=None)
@given(clock=clocks, start=starts, jurisdiction=jurisdictions, extra=closures)
def test_a_due_date_is_always_a_working_day_after_the_start(
    clock: Clock, start: date, jurisdiction: str, extra: frozenset[date]
) -> None:
    calendar = Calendar(jurisdiction, extra)
    due = compute_deadline(clock, start, calendar).due_on
    assert calendar.is_working_day(due)
    assert due.weekday() < 5
    assert due not in extra
    assert due >= start


@settings(max_examples=300, deadline=None)
@given(
    clock=clocks,
    first=starts,
    gap=st.integers(min_value=0, max_value=60),
    jurisdiction=jurisdictions,
)
def test_a_later_start_never_gives_an_earlier_deadline(
    clock: Clock, first: date, gap: int, jurisdiction: str
) -> None:
    calendar = Calendar(jurisdiction)
    later = first + timedelta(days=gap)
    assert (
        compute_deadline(clock, first, calendar).due_on
        <= compute_deadline(clock, later, calendar).due_on
    )


@settings(max_examples=200, deadline=None)
@given(
    clock=clocks,
    start=starts,
    hold_offset=st.integers(min_value=0, max_value=120),
    hold_length=st.integers(min_value=1, max_value=90),
)
def test_a_hold_never_brings_a_deadline_forward(
    clock: Clock, start: date, hold_offset: int, hold_length: int
) -> None:
    hold_start = start + timedelta(days=hold_offset)
    hold = Pause(hold_start, hold_start + timedelta(days=hold_length))
    plain = compute_deadline(clock, start, ENG)
    held = compute_deadline(clock, start, ENG, (hold,))
    assert held.due_on >= plain.due_on
    assert ENG.is_working_day(held.due_on)


@settings(max_examples=200, deadline=None)
@given(start=starts, count=st.integers(min_value=1, max_value=30))
def test_working_days_counted_exactly(start: date, count: int) -> None:
    due = add_working_days(start, count, ENG)
    days = [start + timedelta(days=n) for n in range(1, (due - start).days + 1)]
    assert sum(ENG.is_working_day(day) for day in days) == count


@settings(max_examples=200)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    span=st.integers(min_value=-5, max_value=120),
    limit=st.integers(min_value=1, max_value=10),
)
def test_counting_working_days_can_stop_early_without_changing_the_comparison(
    start: date, span: int, limit: int
) -> None:
    later = start + timedelta(days=span)
    full = working_days_between(start, later, ENG)
    stopped = working_days_between(start, later, ENG, stop_after=limit)
    assert stopped == min(full, limit)


# --- Issue 22: calendar-day clocks and the four nations' calendars ----------------------

OUTCOME_FORM = Clock(
    "outcome_form",
    "Send the outcome form",
    "stage:cog_ratified",
    7,
    "calendar_days",
    "SCT",
    "stage:outcome_notified",
)
FIVE_DAYS = Clock("notify", "Notify", "decision", 5, "working_days", "ENG", "completed")


@pytest.mark.parametrize(
    ("start", "place", "due", "why"),
    [
        # Scotland's 2 January: Fri 26 Dec 2025 + 7 = Fri 2 Jan 2026, a Scottish holiday.
        (date(2025, 12, 26), "SCT", date(2026, 1, 5), "2 January 2026 is a holiday in Scotland"),
        (date(2025, 12, 26), "ENG", date(2026, 1, 2), "2 January 2026 is worked in England"),
        # St Andrew's Day: Mon 30 November 2026 itself.
        (date(2026, 11, 23), "SCT", date(2026, 12, 1), "St Andrew's Day, Mon 30 Nov 2026"),
        (date(2026, 11, 23), "ENG", date(2026, 11, 30), "30 November is worked in England"),
        # St Andrew's Day 2025 fell on a Sunday: the substitute day is Mon 1 December.
        (date(2025, 11, 24), "SCT", date(2025, 12, 2), "substitute St Andrew's Day 1 Dec 2025"),
        (date(2025, 11, 24), "ENG", date(2025, 12, 1), "1 December 2025 is worked in England"),
        # Northern Ireland's 12 July: Sunday in 2026 (substitute Mon 13), Monday in 2027.
        (date(2026, 7, 6), "NIR", date(2026, 7, 14), "Battle of the Boyne substitute 13 Jul 2026"),
        (date(2026, 7, 6), "ENG", date(2026, 7, 13), "13 July 2026 is worked in England"),
        (date(2027, 7, 5), "NIR", date(2027, 7, 13), "Battle of the Boyne, Mon 12 July 2027"),
        # Wales keeps Easter Monday (6 April 2026); Scotland does not.
        (date(2026, 3, 30), "WLS", date(2026, 4, 7), "Easter Monday 2026 in Wales"),
        (date(2026, 3, 30), "SCT", date(2026, 4, 6), "Scotland works Easter Monday"),
        # An ordinary week: seven days on from a Monday is the next Monday.
        (date(2026, 2, 2), "SCT", date(2026, 2, 9), "no holiday in the way"),
    ],
)
def test_calendar_day_deadline_golden(start: date, place: str, due: date, why: str) -> None:
    deadline = compute_deadline(OUTCOME_FORM, start, Calendar(place), as_of=start)
    assert deadline.due_on == due, why
    assert deadline.rule == (
        '7 calendar days after the move to "Cog ratified" '
        "(a non-working day moves to the next working day)"
    )
    assert f"GB subdivision {place}" in deadline.calendar


@pytest.mark.parametrize(
    ("start", "place", "due", "why"),
    [
        (date(2025, 12, 30), "SCT", date(2026, 1, 8), "31 Dec, then 5, 6, 7, 8 Jan"),
        (date(2025, 12, 30), "ENG", date(2026, 1, 7), "31 Dec, 2, 5, 6, 7 Jan"),
        (date(2026, 11, 25), "SCT", date(2026, 12, 3), "St Andrew's Day skipped"),
        (date(2026, 11, 25), "ENG", date(2026, 12, 2), "26, 27, 30 Nov, 1, 2 Dec"),
        (date(2026, 7, 9), "NIR", date(2026, 7, 17), "13 July 2026 skipped in NI"),
        (date(2026, 7, 9), "ENG", date(2026, 7, 16), "10, 13, 14, 15, 16 July"),
        (date(2026, 4, 2), "WLS", date(2026, 4, 13), "Good Friday and Easter Monday in Wales"),
        (date(2026, 4, 2), "SCT", date(2026, 4, 10), "only Good Friday in Scotland"),
    ],
)
def test_working_day_deadline_golden_in_each_nation(
    start: date, place: str, due: date, why: str
) -> None:
    assert compute_deadline(FIVE_DAYS, start, Calendar(place), as_of=start).due_on == due, why


def test_a_hold_stops_a_calendar_day_clock() -> None:
    # Due Mon 5 Jan 2026 (2 January is a Scottish holiday); a week on hold from 29 Dec
    # moves the 2 January due day to 9 January.
    deadline = compute_deadline(
        OUTCOME_FORM,
        date(2025, 12, 26),
        Calendar("SCT"),
        (Pause(date(2025, 12, 29), date(2026, 1, 5)),),
        as_of=date(2026, 1, 10),
    )
    assert deadline.due_on == date(2026, 1, 9)
    assert deadline.paused_days == 7


@pytest.mark.parametrize(
    ("review", "partnership", "clock", "nation"),
    [
        ("NIR", "SCT", "ENG", "NIR"),
        (None, "SCT", "ENG", "SCT"),
        (None, None, "WLS", "WLS"),
        (None, None, None, "ENG"),
    ],
)
def test_which_nation_a_clock_counts_by(
    review: str | None, partnership: str | None, clock: str | None, nation: str
) -> None:
    assert clock_jurisdiction(review, partnership, clock) == nation
