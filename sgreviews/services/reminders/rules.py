"""Reminder rules read from ``config/reminders.toml``.

A malformed file stops start-up with a :class:`ReminderConfigError` naming the key. The
rules turn an action's due date and today's date into the thresholds it has reached:
every threshold is a day offset from the due date (-14 = fourteen days before, 0 = the due
date, 7 = seven days overdue), so "later" always means "more urgent".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sgreviews.config_keys import first_unknown_key

AUDIENCES = ("agency_leads", "secretariat", "chair", "administrator")


class ReminderConfigError(ValueError):
    """The reminders file is malformed; the message names the key."""


@dataclass(frozen=True)
class EscalationStep:
    days_overdue: int
    notify: tuple[str, ...]


@dataclass(frozen=True)
class Thresholds:
    """A simple reminder schedule: before the due date, on it, after it. Offsets are in
    the subject's own unit (working days for review clocks, calendar days otherwise)."""

    before: tuple[int, ...] = ()
    on_due_date: bool = True
    after: tuple[int, ...] = ()

    @property
    def horizon(self) -> int:
        return max(self.before, default=0)

    def reminder_thresholds_reached(self, offset: int) -> list[int]:
        reached = [-days for days in sorted(self.before, reverse=True)]
        if self.on_due_date:
            reached.append(0)
        reached.extend(sorted(self.after))
        return [value for value in reached if value <= offset]

    def latest_reminder_threshold(self, offset: int) -> int | None:
        reached = self.reminder_thresholds_reached(offset)
        return reached[-1] if reached else None

    def escalations_reached(self, offset: int) -> list[EscalationStep]:
        return []


# The review clocks reminded about by default (issue 5): the rapid review, decision
# deadlines, the six-month completion of an LCSPR, SAR or DHR, and the notifications.
DEFAULT_REVIEW_CLOCKS = (
    "*.notification",
    "rapid_review.rapid_review",
    "*.decision",
    "lcspr.completion",
    "sar.completion",
    "dhr.completion",
)


@dataclass(frozen=True)
class ReviewClockRules:
    """Reminders to the secretariat about statutory review clocks, in working days."""

    enabled: bool = False
    thresholds: Thresholds = Thresholds(before=(3,), on_due_date=True, after=(1,))
    # "type.clock" patterns ("*" for any type) of the clocks reminded about.
    clocks: tuple[str, ...] = DEFAULT_REVIEW_CLOCKS
    # A reminder when an LCSPR (or any type with a final report lead time) reaches its
    # final report stage and the report has not yet gone to the Panel.
    pre_publication_notice: bool = True

    def covers(self, review_type: str, clock_key: str) -> bool:
        return f"{review_type}.{clock_key}" in self.clocks or f"*.{clock_key}" in self.clocks


@dataclass(frozen=True)
class ImpactAssessmentRules:
    """Reminders about an action's planned impact assessment date (to the action's lead,
    or its agency's leads), escalated when the date is missed, like a due date; and how
    long after assurance an action may go without impact evidence before it is listed in
    the secretariat's queue. Calendar days."""

    thresholds: Thresholds = Thresholds(before=(14, 1), on_due_date=True, after=(1, 7))
    escalation: tuple[EscalationStep, ...] = ()
    evidence_expected_days_after_assurance: int = 90

    def reminder_thresholds_reached(self, days_overdue: int) -> list[int]:
        return self.thresholds.reminder_thresholds_reached(days_overdue)

    def latest_reminder_threshold(self, days_overdue: int) -> int | None:
        return self.thresholds.latest_reminder_threshold(days_overdue)

    def escalations_reached(self, days_overdue: int) -> list[EscalationStep]:
        return [step for step in self.escalation if step.days_overdue <= days_overdue]


@dataclass(frozen=True)
class DecisionsToldBackRules:
    """Decisions told back to the action's lead and their agency's leads: an extension
    approved or declined, an action assured or sent back (its evidence not accepted).
    Each decision is told once, through the ledger; a decision older than
    ``look_back_days`` when the first run after it comes is not told (so turning the
    feature on does not tell the whole history)."""

    enabled: bool = True
    look_back_days: int = 14


@dataclass(frozen=True)
class YearlyReportRules:
    """The yearly report's publication clock: due ``publication_months`` after the business
    year ends (31 March + 6 months = 30 September), met when the chair signs it off, and
    reminded to the partnership's secretariat in calendar days."""

    publication_months: int = 6
    thresholds: Thresholds = Thresholds(before=(28, 7), on_due_date=True, after=(1, 14))


@dataclass(frozen=True)
class SubmissionReplyRules:
    """Reminders to the secretariat about a submission to an external body still awaiting
    its reply (issue 22): before and on the date the reply is due, and the escalation
    ladder when it is missed. Offsets count in each submission's own unit (working days
    of the body's calendar, or calendar days)."""

    enabled: bool = True
    thresholds: Thresholds = Thresholds(before=(3,), on_due_date=True, after=())
    escalation: tuple[EscalationStep, ...] = (EscalationStep(1, ("secretariat", "chair")),)

    def reminder_thresholds_reached(self, days_overdue: int) -> list[int]:
        return self.thresholds.reminder_thresholds_reached(days_overdue)

    def latest_reminder_threshold(self, days_overdue: int) -> int | None:
        return self.thresholds.latest_reminder_threshold(days_overdue)

    def escalations_reached(self, days_overdue: int) -> list[EscalationStep]:
        return [step for step in self.escalation if step.days_overdue <= days_overdue]


@dataclass(frozen=True)
class ReminderRules:
    daily_run_time: time
    timezone: str
    outbox_interval_seconds: int
    lock_wait_seconds: int
    before_due_days: tuple[int, ...]
    on_due_date: bool
    overdue_days: tuple[int, ...]
    overdue_repeat_every_days: int
    escalation: tuple[EscalationStep, ...]
    backoff_base_seconds: int
    backoff_max_seconds: int
    outbox_batch_size: int
    review_clocks_enabled: bool
    review_clocks: ReviewClockRules = ReviewClockRules()
    # Reminders to a briefing's author before and on its review-by date (calendar days).
    briefing_review: Thresholds = Thresholds(before=(14,), on_due_date=True)
    impact_assessments: ImpactAssessmentRules = ImpactAssessmentRules()
    decisions_told_back: DecisionsToldBackRules = DecisionsToldBackRules()
    yearly_report: YearlyReportRules = YearlyReportRules()
    # The site-wide go-live (``[go_live] default_on``): reminders start from a
    # partnership's own go-live date, else this one, else from the beginning
    # (services/reminders/go_live.py).
    default_go_live_on: date | None = None
    submission_replies: SubmissionReplyRules = SubmissionReplyRules()

    @property
    def horizon_days(self) -> int:
        """How far ahead of the due date the first reminder goes."""
        return max(self.before_due_days, default=0)

    def reminder_thresholds_reached(self, days_overdue: int) -> list[int]:
        """Every reminder threshold (as a day offset) reached by ``days_overdue`` (negative
        when the due date is still ahead), in order."""
        reached = [-days for days in sorted(self.before_due_days, reverse=True)]
        if self.on_due_date:
            reached.append(0)
        reached.extend(sorted(self.overdue_days))
        if self.overdue_repeat_every_days > 0:
            last = max([0, *self.overdue_days])
            step = self.overdue_repeat_every_days
            reached.extend(range(last + step, max(days_overdue, last) + 1, step))
        return [offset for offset in reached if offset <= days_overdue]

    def latest_reminder_threshold(self, days_overdue: int) -> int | None:
        """The most urgent reminder threshold reached, computed without listing the weekly
        repeats (an action years overdue would otherwise list hundreds)."""
        candidates = [-days for days in self.before_due_days if -days <= days_overdue]
        if self.on_due_date and days_overdue >= 0:
            candidates.append(0)
        candidates.extend(days for days in self.overdue_days if days <= days_overdue)
        last = max([0, *self.overdue_days])
        step = self.overdue_repeat_every_days
        if step > 0 and days_overdue >= last + step:
            candidates.append(last + ((days_overdue - last) // step) * step)
        return max(candidates) if candidates else None

    def escalations_reached(self, days_overdue: int) -> list[EscalationStep]:
        return [step for step in self.escalation if step.days_overdue <= days_overdue]


# Every key the file may hold, table by table; anything else stops start-up.
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "schedule": ("daily_run_time", "timezone", "outbox_interval_seconds", "lock_wait_seconds"),
    "actions": (
        "before_due_days",
        "on_due_date",
        "overdue_days",
        "overdue_repeat_every_days",
        "escalation",
    ),
    "actions.escalation": ("days_overdue", "notify"),
    "outbox": ("backoff_base_seconds", "backoff_max_seconds", "batch_size"),
    "review_clocks": (
        "enabled",
        "warn_working_days_before",
        "on_due_date",
        "overdue_working_days",
        "clocks",
        "pre_publication_notice",
    ),
    "briefing_review": ("before_days", "on_review_by_date"),
    "impact_assessments": (
        "before_days",
        "on_assessment_date",
        "overdue_days",
        "escalation",
        "evidence_expected_days_after_assurance",
    ),
    "impact_assessments.escalation": ("days_overdue", "notify"),
    "decisions_told_back": ("enabled", "look_back_days"),
    "yearly_report": ("publication_months", "before_days", "on_due_date", "overdue_days"),
    "go_live": ("default_on",),
    "submission_replies": ("enabled", "before_days", "on_reply_due_date", "escalation"),
    "submission_replies.escalation": ("days_overdue", "notify"),
}
TOP_LEVEL_KEYS = (
    "schedule",
    "actions",
    "outbox",
    "review_clocks",
    "briefing_review",
    "impact_assessments",
    "decisions_told_back",
    "yearly_report",
    "go_live",
    "submission_replies",
)


def _refuse_unknown_keys(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = first_unknown_key(table, known)
    if unknown is not None:
        raise ReminderConfigError(f"unknown key {where}{unknown!r}")


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ReminderConfigError(f"{where}{key} must be a table")
    _refuse_unknown_keys(value, KNOWN_KEYS[key], f"{where}{key}.")
    return value


def _int(table: dict[str, Any], key: str, where: str, default: int, minimum: int = 0) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ReminderConfigError(f"{where}{key} must be a whole number of at least {minimum}")
    return value


def _bool(table: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ReminderConfigError(f"{where}{key} must be true or false")
    return value


def _days(table: dict[str, Any], key: str, where: str, default: list[int]) -> tuple[int, ...]:
    value = table.get(key, default)
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) and day > 0 for day in value
    ):
        raise ReminderConfigError(f"{where}{key} must be a list of whole numbers above 0")
    if len(set(value)) != len(value):
        raise ReminderConfigError(f"{where}{key} lists a day twice")
    return tuple(sorted(value))


def _escalation(table: dict[str, Any], name: str) -> tuple[EscalationStep, ...]:
    """An escalation ladder (``[[<name>.escalation]]``): who else hears of a date missed
    by this many days."""
    steps = table.get("escalation", [])
    if not isinstance(steps, list):
        raise ReminderConfigError(f"{name}.escalation must be a list of tables")
    escalation = []
    for index, step in enumerate(steps):
        where = f"{name}.escalation[{index}]."
        if not isinstance(step, dict):
            raise ReminderConfigError(f"{name}.escalation[{index}] must be a table")
        _refuse_unknown_keys(step, KNOWN_KEYS[f"{name}.escalation"], where)
        days = _int(step, "days_overdue", where, default=-1, minimum=1)
        notify = step.get("notify")
        if not isinstance(notify, list) or not notify:
            raise ReminderConfigError(f"{where}notify must list at least one audience")
        for audience in notify:
            if audience not in AUDIENCES:
                raise ReminderConfigError(
                    f"{where}notify: unknown audience {audience!r}; "
                    f"use one of {', '.join(AUDIENCES)}"
                )
        escalation.append(EscalationStep(days_overdue=days, notify=tuple(notify)))
    if len({step.days_overdue for step in escalation}) != len(escalation):
        raise ReminderConfigError(f"{name}.escalation has two steps with the same days_overdue")
    return tuple(sorted(escalation, key=lambda step: step.days_overdue))


def _optional_date(table: dict[str, Any], key: str, where: str) -> date | None:
    """A TOML date (2024-04-01), a "YYYY-MM-DD" string, or "" / absent for none."""
    value = table.get(key, "")
    if isinstance(value, datetime):
        raise ReminderConfigError(f"{where}{key} must be a date such as 2024-04-01, not a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ReminderConfigError(f"{where}{key} must be a date such as 2024-04-01, not {value!r}")


def parse_reminder_rules(data: dict[str, Any]) -> ReminderRules:
    _refuse_unknown_keys(data, TOP_LEVEL_KEYS, "")
    schedule = _table(data, "schedule", "")
    run_time = schedule.get("daily_run_time", "07:00")
    if not isinstance(run_time, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", run_time):
        raise ReminderConfigError('schedule.daily_run_time must be a time such as "07:00"')
    zone = schedule.get("timezone", "Europe/London")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ReminderConfigError(
            f"schedule.timezone must be a time zone name such as Europe/London, not {zone!r}"
        ) from error

    actions = _table(data, "actions", "")
    escalation = _escalation(actions, "actions")

    outbox = _table(data, "outbox", "")
    clocks = _table(data, "review_clocks", "")
    patterns = clocks.get("clocks", list(DEFAULT_REVIEW_CLOCKS))
    if not isinstance(patterns, list) or not all(
        isinstance(item, str) and re.fullmatch(r"(\*|[a-z0-9_]+)\.[a-z0-9_]+", item)
        for item in patterns
    ):
        raise ReminderConfigError(
            'review_clocks.clocks must list "review_type.clock_key" entries '
            '(such as "rapid_review.rapid_review" or "*.decision")'
        )
    review_clocks = ReviewClockRules(
        enabled=_bool(clocks, "enabled", "review_clocks.", False),
        thresholds=Thresholds(
            before=_days(clocks, "warn_working_days_before", "review_clocks.", [3]),
            on_due_date=_bool(clocks, "on_due_date", "review_clocks.", True),
            after=_days(clocks, "overdue_working_days", "review_clocks.", [1]),
        ),
        clocks=tuple(patterns),
        pre_publication_notice=_bool(clocks, "pre_publication_notice", "review_clocks.", True),
    )
    briefings = _table(data, "briefing_review", "")
    briefing_review = Thresholds(
        before=_days(briefings, "before_days", "briefing_review.", [14]),
        on_due_date=_bool(briefings, "on_review_by_date", "briefing_review.", True),
    )
    impact = _table(data, "impact_assessments", "")
    impact_assessments = ImpactAssessmentRules(
        thresholds=Thresholds(
            before=_days(impact, "before_days", "impact_assessments.", [14, 1]),
            on_due_date=_bool(impact, "on_assessment_date", "impact_assessments.", True),
            after=_days(impact, "overdue_days", "impact_assessments.", [1, 7]),
        ),
        escalation=_escalation(impact, "impact_assessments"),
        evidence_expected_days_after_assurance=_int(
            impact, "evidence_expected_days_after_assurance", "impact_assessments.", 90, minimum=1
        ),
    )
    told = _table(data, "decisions_told_back", "")
    decisions_told_back = DecisionsToldBackRules(
        enabled=_bool(told, "enabled", "decisions_told_back.", True),
        look_back_days=_int(told, "look_back_days", "decisions_told_back.", 14, minimum=1),
    )
    report = _table(data, "yearly_report", "")
    yearly_report = YearlyReportRules(
        publication_months=_int(report, "publication_months", "yearly_report.", 6, minimum=1),
        thresholds=Thresholds(
            before=_days(report, "before_days", "yearly_report.", [28, 7]),
            on_due_date=_bool(report, "on_due_date", "yearly_report.", True),
            after=_days(report, "overdue_days", "yearly_report.", [1, 14]),
        ),
    )
    default_go_live_on = _optional_date(_table(data, "go_live", ""), "default_on", "go_live.")
    replies = _table(data, "submission_replies", "")
    submission_replies = SubmissionReplyRules(
        enabled=_bool(replies, "enabled", "submission_replies.", True),
        thresholds=Thresholds(
            before=_days(replies, "before_days", "submission_replies.", [3]),
            on_due_date=_bool(replies, "on_reply_due_date", "submission_replies.", True),
        ),
        escalation=(
            _escalation(replies, "submission_replies")
            if "escalation" in replies
            else SubmissionReplyRules().escalation
        ),
    )
    hour, minute = (int(part) for part in run_time.split(":"))
    rules = ReminderRules(
        daily_run_time=time(hour, minute),
        timezone=str(zone),
        outbox_interval_seconds=_int(
            schedule, "outbox_interval_seconds", "schedule.", 60, minimum=1
        ),
        lock_wait_seconds=_int(schedule, "lock_wait_seconds", "schedule.", 120),
        before_due_days=_days(actions, "before_due_days", "actions.", [14, 7, 1]),
        on_due_date=_bool(actions, "on_due_date", "actions.", True),
        overdue_days=_days(actions, "overdue_days", "actions.", [1, 7]),
        overdue_repeat_every_days=_int(actions, "overdue_repeat_every_days", "actions.", 7),
        escalation=escalation,
        backoff_base_seconds=_int(outbox, "backoff_base_seconds", "outbox.", 60, minimum=1),
        backoff_max_seconds=_int(outbox, "backoff_max_seconds", "outbox.", 3600, minimum=1),
        outbox_batch_size=_int(outbox, "batch_size", "outbox.", 50, minimum=1),
        review_clocks_enabled=review_clocks.enabled,
        review_clocks=review_clocks,
        briefing_review=briefing_review,
        impact_assessments=impact_assessments,
        decisions_told_back=decisions_told_back,
        yearly_report=yearly_report,
        default_go_live_on=default_go_live_on,
        submission_replies=submission_replies,
    )
    if rules.backoff_max_seconds < rules.backoff_base_seconds:
        raise ReminderConfigError(
            "outbox.backoff_max_seconds must not be less than outbox.backoff_base_seconds"
        )
    return rules


def load_reminder_rules(path: Path) -> ReminderRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ReminderConfigError(f"{path}: file not found") from error
    except tomllib.TOMLDecodeError as error:
        raise ReminderConfigError(f"{path}: not valid TOML ({error})") from error
    try:
        return parse_reminder_rules(data)
    except ReminderConfigError as error:
        raise ReminderConfigError(f"{path}: {error}") from error
