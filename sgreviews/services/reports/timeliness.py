"""The yearly report's "Timeliness against each clock": the statutory deadlines that fell
due in the year, per review type and clock, met on time, met late, missed and still open,
and not yet due or paused, as at the year's end. The one definition is the dashboard's
(``dashboard.statutory_timeliness.timeliness``): a deadline met after that day counts as
not yet met, and one paused by a hold for proceedings is not missed."""

from __future__ import annotations

from datetime import date

from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.dashboard.statutory_timeliness import timeliness
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports.parts import Part, Words, first_upper

TITLE = "Timeliness against each clock"


def timeliness_against_each_clock(
    year: BusinessYear, partnership_id: int | None, today: date, words: Words
) -> Part:
    filters = Filters(year=year, partnership_id=partnership_id, today=today)
    rows = timeliness(filters)
    counts = words.counts
    if not rows:
        return Part(TITLE, ["No statutory deadline fell due in the year."])
    due = sum(row.due for row in rows)
    on_time = sum(row.met_on_time for row in rows)
    late = sum(row.met_late for row in rows)
    missed = sum(row.overdue for row in rows)
    running = sum(row.running for row in rows)
    summary = (
        f"{first_upper(counts.of(due, 'statutory deadline'))} fell due in the year. "
        f"On {words.long(filters.as_at)}, {counts.number(on_time) if on_time else 'none'} "
        f"{counts.were(on_time)} met on time, {counts.number(late) if late else 'none'} "
        f"late, and {counts.number(missed) if missed else 'none'} "
        f"{counts.were(missed)} missed and still open"
        + (
            f"; {counts.number(running)} {counts.were(running)} not yet due or paused "
            "for proceedings."
            if running
            else "."
        )
    )
    paragraphs = [summary]
    worst = sorted(
        (row for row in rows if row.met_late + row.overdue),
        key=lambda row: (-(row.met_late + row.overdue), row.review_type, row.clock_key),
    )
    if worst:
        paragraphs.append(
            "The clocks most often met late or missed were: "
            + words.join(
                [f"{row.clock_name} ({words.type_name(row.review_type)[1]})" for row in worst[:3]]
            )
            + "."
        )
    return Part(
        TITLE,
        paragraphs,
        [
            "Review type",
            "Clock",
            "Due in the year",
            "Met on time",
            "Met late",
            f"Missed, still open on {words.long(filters.as_at)}",
            "Not yet due or paused",
        ],
        [
            (
                words.type_label(row.review_type),
                row.clock_name,
                counts.cell(row.due),
                counts.cell(row.met_on_time),
                counts.cell(row.met_late),
                counts.cell(row.overdue),
                counts.cell(row.running),
            )
            for row in rows
        ],
    )
