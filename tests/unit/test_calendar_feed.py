"""The iCalendar feed's text follows RFC 5545: escaped values, folded long lines, CRLF."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sgreviews.models import Action
from sgreviews.services.notifications.preferences import render_calendar


def test_calendar_escapes_and_folds() -> None:
    action = Action(
        id=7,
        reference="LCSPR-2024-01/1.1",
        action_text="Add a prompt; test accounts, history and " + "context " * 20,
        due_date=date(2026, 3, 20),
    )
    body = render_calendar(
        [action], "https://reviews.test.example/", datetime(2026, 1, 1, tzinfo=UTC)
    )
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART;VALUE=DATE:20260320" in lines
    assert "UID:action-7-20260320@sgreviews" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "")
    assert "DESCRIPTION:Add a prompt\\; test accounts\\, history and context" in unfolded
    assert "URL:https://reviews.test.example/agency/actions" in unfolded


def test_line_breaks_of_every_kind_become_escaped_newlines_and_no_bare_cr() -> None:
    text = (
        "First line from Windows\r\nSecond from an old Mac\rThird from Unix\nFourth, "
        "long enough to be folded: " + "see every adult in the home; " * 4
    )
    action = Action(
        id=8, reference="LCSPR-2024-02/3.1", action_text=text, due_date=date(2026, 4, 1)
    )
    body = render_calendar(
        [action], "https://reviews.test.example/", datetime(2026, 1, 1, tzinfo=UTC)
    )
    lines = body.split("\r\n")
    assert not any("\r" in line or "\n" in line for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "").split("\r\n")
    (description,) = [line for line in unfolded if line.startswith("DESCRIPTION:")]
    assert description == (
        "DESCRIPTION:First line from Windows\\nSecond from an old Mac\\nThird from Unix\\n"
        "Fourth\\, long enough to be folded: " + "see every adult in the home\\; " * 4
    )


def test_the_feed_reads_back_as_the_same_events() -> None:
    """Written by the icalendar library, the feed parses back to the same content; a
    control character TEXT may not carry is dropped."""
    import icalendar

    actions = [
        Action(
            id=1,
            reference="DHR-2025-01/2.1",
            action_text="Line one\r\nline\x07 two",
            due_date=date(2026, 5, 1),
        ),
        Action(
            id=2,
            reference="SAR-2025-03/1.4",
            action_text="Ask, record; act",
            due_date=date(2026, 6, 2),
        ),
    ]
    body = render_calendar(
        actions, "https://reviews.test.example", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["prodid"]) == "-//sgreviews//Action due dates//EN"
    events = list(calendar.walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == [
        "action-1-20260501@sgreviews",
        "action-2-20260602@sgreviews",
    ]
    assert [e.decoded("dtstart") for e in events] == [date(2026, 5, 1), date(2026, 6, 2)]
    assert events[0].decoded("dtstamp") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [str(e["description"]) for e in events] == ["Line one\nline two", "Ask, record; act"]
    assert [str(e["summary"]) for e in events] == ["Due: DHR-2025-01/2.1", "Due: SAR-2025-03/1.4"]
    assert str(events[1]["url"]) == "https://reviews.test.example/agency/actions"
