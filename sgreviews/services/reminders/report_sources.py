"""The yearly report's publication clock as a reminder source: each partnership's report of
the business year just finished is due ``[yearly_report] publication_months`` after the
year ends, and is reminded to the partnership's secretariat until a version is
signed off (the partnership's own report, or the all-partnerships one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Partnership
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reminders.go_live import reminded, reminders_start
from sgreviews.services.reminders.rules import YearlyReportRules
from sgreviews.services.reminders.subjects import Subject
from sgreviews.services.reports.narrative import scope_key
from sgreviews.services.reports.signoff import publication_due, signed_scopes


@dataclass(frozen=True)
class PublicationClock:
    """The yearly report's publication clock for one report: due ``months`` after the year
    ends; a report due before the partnership started using the service (its go-live, or
    the site-wide default) is a historical record, neither reminded nor counted late."""

    due: date
    months: int
    go_live_on: date | None

    @property
    def counted(self) -> bool:
        return reminded(self.due, [self.go_live_on], None)


def publication_clock(
    year: BusinessYear, partnership_id: int | None, months: int, default_go_live_on: date | None
) -> PublicationClock:
    """The clock of the report of ``year`` for a partnership (or all: the default go-live)."""
    go_live_on = None
    if partnership_id is not None:
        go_live_on = db.session.scalar(
            select(Partnership.go_live_on).where(Partnership.id == partnership_id)
        )
    return PublicationClock(
        due=publication_due(year, months),
        months=months,
        go_live_on=reminders_start(go_live_on, default_go_live_on),
    )


class YearlyReportSource:
    """Unsigned yearly reports of the last two finished business years whose publication
    date is within the reminder horizon, or past it by no more than the last overdue
    threshold and a week (so an old year is not reminded about for ever)."""

    subject_type = "yearly_report"

    def __init__(self, rules: YearlyReportRules, default_go_live_on: date | None = None) -> None:
        self.rules = rules
        self.default_go_live_on = default_go_live_on
        self.thresholds = rules.thresholds

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        current = BusinessYear.containing(today).start_year
        late_window = max(self.thresholds.after, default=0) + 7
        years = []
        for start_year in (current - 1, current - 2):
            year = BusinessYear(start_year)
            due = publication_due(year, self.rules.publication_months)
            ahead = today + timedelta(days=self.thresholds.horizon)
            if due <= ahead and today <= due + timedelta(days=late_window):
                years.append((year, due))
        if not years:
            return
        signed = signed_scopes([year.start_year for year, _due in years])
        partnerships = db.session.scalars(select(Partnership).order_by(Partnership.id)).all()
        subjects = []
        for year, due in years:
            if (scope_key(None), year.start_year) in signed:
                continue
            for partnership in partnerships:
                if (scope_key(partnership.id), year.start_year) in signed:
                    continue
                # A report due before the partnership used the system is not reminded.
                clock = PublicationClock(
                    due,
                    self.rules.publication_months,
                    reminders_start(partnership.go_live_on, self.default_go_live_on),
                )
                if not clock.counted:
                    continue
                subjects.append(
                    Subject(
                        self.subject_type,
                        partnership.id,
                        f"Yearly report {year.label} ({partnership.short_name})",
                        f"Sign off and publish the yearly report {year.label} of "
                        f"{partnership.name}.",
                        due,
                        None,
                        None,
                        link=(
                            f"/dashboard/yearly-report?partnership={partnership.id}"
                            f"&year={year.start_year}"
                        ),
                        headline=(
                            f"Yearly report {year.label} of {partnership.short_name}: "
                            f"publication due {due:%-d %B %Y}"
                        ),
                        partnership_ids=(partnership.id,),
                    )
                )
        for start in range(0, len(subjects), page_size):
            yield subjects[start : start + page_size]
