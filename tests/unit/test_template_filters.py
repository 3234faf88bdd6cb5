"""Times shown to people are UK local time: the template filters and their registration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, render_template_string

from sgreviews.web.template_filters import cell, local_date, local_datetime

# 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time (UTC+1).
SUMMER_NIGHT = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)


def test_a_summer_night_in_utc_is_the_next_day_in_the_uk() -> None:
    assert local_datetime(SUMMER_NIGHT) == "1 July 2025 at 00:30"
    assert local_date(SUMMER_NIGHT) == "1 July 2025"
    assert cell(SUMMER_NIGHT) == "1 Jul 2025"


def test_winter_time_is_utc() -> None:
    winter = datetime(2025, 1, 15, 23, 30, tzinfo=UTC)
    assert local_datetime(winter, "%-d %b %Y %H:%M") == "15 Jan 2025 23:30"


def test_a_naive_stored_moment_is_taken_as_utc() -> None:
    assert local_datetime(SUMMER_NIGHT.replace(tzinfo=None)) == "1 July 2025 at 00:30"


def test_a_plain_date_is_shown_as_it_is() -> None:
    assert local_date(date(2025, 6, 30)) == "30 June 2025"
    assert cell(date(2025, 6, 30)) == "30 Jun 2025"
    assert local_date(None) == "" and local_datetime(None) == ""


def test_the_factory_registers_the_filters(app: Flask) -> None:
    with app.test_request_context():
        shown = render_template_string(
            "{{ moment | local_datetime }} UK time; {{ moment | local_date }}",
            moment=SUMMER_NIGHT,
        )
    assert shown == "1 July 2025 at 00:30 UK time; 1 July 2025"
