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
