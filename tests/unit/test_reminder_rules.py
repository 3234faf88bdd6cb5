"""Reminder rules from config/reminders.toml: thresholds, and bad values named at start-up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sgreviews import create_app
from sgreviews.services.reminders.rules import (
    ReminderConfigError,
    load_reminder_rules,
    parse_reminder_rules,
)
from sgreviews.settings import PROJECT_ROOT

RULES = load_reminder_rules(PROJECT_ROOT / "config" / "reminders.toml")


def test_defaults_from_the_shipped_file() -> None:
    assert RULES.before_due_days == (1, 7, 14)
    assert RULES.overdue_days == (1, 7)
    assert RULES.overdue_repeat_every_days == 7
    assert [(step.days_overdue, step.notify) for step in RULES.escalation] == [
        (7, ("agency_leads",)),
        (28, ("secretariat", "chair")),
    ]
    assert RULES.timezone == "Europe/London"
    assert RULES.daily_run_time.strftime("%H:%M") == "07:00"


@pytest.mark.parametrize(
    ("days_overdue", "latest"),
    [(-20, None), (-14, -14), (-10, -14), (-7, -7), (-1, -1), (0, 0), (1, 1), (6, 1), (7, 7),
     (13, 7), (14, 14), (20, 14), (21, 21), (400, 399)],
)  # fmt: skip
def test_latest_threshold(days_overdue: int, latest: int | None) -> None:
    assert RULES.latest_reminder_threshold(days_overdue) == latest
    reached = RULES.reminder_thresholds_reached(days_overdue)
    assert (reached[-1] if reached else None) == latest


def test_escalations_reached() -> None:
    assert RULES.escalations_reached(6) == []
    assert [step.days_overdue for step in RULES.escalations_reached(30)] == [7, 28]


@pytest.mark.parametrize(
    ("toml_data", "named"),
    [
        ({"schedule": {"daily_run_time": "7am"}}, "schedule.daily_run_time"),
        ({"schedule": {"timezone": "Mars/Olympus"}}, "schedule.timezone"),
        ({"actions": {"before_due_days": [14, -1]}}, "actions.before_due_days"),
        ({"actions": {"overdue_days": "weekly"}}, "actions.overdue_days"),
        ({"actions": {"on_due_date": "yes"}}, "actions.on_due_date"),
        (
            {"actions": {"escalation": [{"days_overdue": 7, "notify": ["mayor"]}]}},
            "actions.escalation[0].notify",
        ),
        (
            {"actions": {"escalation": [{"days_overdue": 0, "notify": ["chair"]}]}},
            "actions.escalation[0].days_overdue",
        ),
        ({"outbox": {"backoff_base_seconds": 0}}, "outbox.backoff_base_seconds"),
        ({"review_clocks": {"enabled": "yes"}}, "review_clocks.enabled"),
        ({"review_clocks": {"warn_working_days_before": [0]}}, "review_clocks.warn_working_days"),
        ({"review_clocks": {"clocks": ["rapid review"]}}, "review_clocks.clocks"),
        ({"review_clocks": {"overdue_working_days": "often"}}, "review_clocks.overdue_working"),
        ({"briefing_review": {"before_days": [-1]}}, "briefing_review.before_days"),
        ({"briefing_review": {"on_review_by_date": 1}}, "briefing_review.on_review_by_date"),
    ],
)
def test_a_bad_rule_is_named(toml_data: dict[str, object], named: str) -> None:
    with pytest.raises(ReminderConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_reminder_rules(toml_data)


def test_a_bad_rule_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    path = config / "reminders.toml"
    path.write_text(
        path.read_text().replace("before_due_days = [14, 7, 1]", 'before_due_days = "soon"')
    )
    with pytest.raises(ReminderConfigError, match=r"actions\.before_due_days"):
        create_app(
            {
                "SGREVIEWS_ENV": "testing",
                "SECRET_KEY": "x",
                "SGREVIEWS_CONFIG_DIR": str(config),
                "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
            }
        )


def test_mail_misconfiguration_is_collected_not_raised() -> None:
    from sgreviews.services.mail.config import MailSettings
    from sgreviews.services.mail.transports import check_connection

    settings = MailSettings.from_env(
        {
            "SGREVIEWS_SMTP_HOST": "mail.test.example",
            "SGREVIEWS_SMTP_PORT": "70000",
            "SGREVIEWS_SMTP_STARTTLS": "maybe",
            "SGREVIEWS_SMTP_USERNAME": "reminders",
            "SGREVIEWS_SMTP_PASSWORD": "",
        }
    )
    assert not settings.usable
    problems = check_connection(settings)
    assert any("SGREVIEWS_SMTP_PORT" in problem for problem in problems)
    assert any("SGREVIEWS_SMTP_STARTTLS" in problem for problem in problems)
    assert any("SGREVIEWS_SMTP_PASSWORD" in problem for problem in problems)
    assert "password=" not in repr(settings)


def test_review_clock_and_briefing_rules_default_to_issue_5() -> None:
    rules = parse_reminder_rules({"review_clocks": {"enabled": True}})
    clocks = rules.review_clocks
    assert clocks.enabled and clocks.thresholds.before == (3,)
    assert clocks.covers("rapid_review", "rapid_review")
    assert clocks.covers("dhr", "decision") and clocks.covers("lcspr", "completion")
    assert not clocks.covers("silp", "completion")
    # Working-day offsets: three before, on the day, one after.
    assert clocks.thresholds.latest_reminder_threshold(-4) is None
    assert clocks.thresholds.latest_reminder_threshold(-2) == -3
    assert clocks.thresholds.latest_reminder_threshold(5) == 1
    assert rules.briefing_review.reminder_thresholds_reached(0) == [-14, 0]


def test_impact_assessments_and_decisions_told_back_from_the_shipped_file() -> None:
    impact = RULES.impact_assessments
    assert impact.thresholds.before == (1, 14)
    assert impact.thresholds.on_due_date is True
    assert impact.thresholds.after == (1, 7)
    assert [(step.days_overdue, step.notify) for step in impact.escalation] == [
        (14, ("agency_leads", "secretariat")),
    ]
    assert impact.evidence_expected_days_after_assurance == 90
    assert impact.latest_reminder_threshold(-14) == -14
    assert impact.latest_reminder_threshold(30) == 7  # no weekly repeat: escalation instead
    assert [step.days_overdue for step in impact.escalations_reached(20)] == [14]
    assert RULES.decisions_told_back.enabled is True
    assert RULES.decisions_told_back.look_back_days == 14


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"impact_assessments": {"before_days": [0]}}, "impact_assessments.before_days"),
        (
            {"impact_assessments": {"evidence_expected_days_after_assurance": 0}},
            "impact_assessments.evidence_expected_days_after_assurance",
        ),
        (
            {"impact_assessments": {"escalation": [{"days_overdue": 3, "notify": ["nobody"]}]}},
            "impact_assessments.escalation[0].notify: unknown audience 'nobody'",
        ),
        ({"decisions_told_back": {"enabled": "yes"}}, "decisions_told_back.enabled"),
        ({"decisions_told_back": {"look_back_days": 0}}, "decisions_told_back.look_back_days"),
    ],
)
def test_bad_impact_and_told_back_values_are_named(data: dict[str, object], named: str) -> None:
    with pytest.raises(ReminderConfigError) as refused:
        parse_reminder_rules(data)
    assert named in str(refused.value)


def test_the_yearly_report_publication_clock_from_the_shipped_file() -> None:
    report = RULES.yearly_report
    assert report.publication_months == 6
    assert report.thresholds.before == (7, 28)
    assert report.thresholds.on_due_date is True
    assert report.thresholds.after == (1, 14)
    assert report.thresholds.latest_reminder_threshold(-10) == -28


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"yearly_report": {"publication_months": 0}}, "yearly_report.publication_months"),
        ({"yearly_report": {"before_days": "soon"}}, "yearly_report.before_days"),
        ({"yearly_report": {"publish_by": 3}}, "unknown key yearly_report.'publish_by'"),
    ],
)
def test_bad_yearly_report_values_are_named(data: dict[str, object], named: str) -> None:
    with pytest.raises(ReminderConfigError) as refused:
        parse_reminder_rules(data)
    assert named in str(refused.value)


def test_the_go_live_default_is_empty_in_the_shipped_file_and_read_as_a_date() -> None:
    from datetime import date

    shipped = load_reminder_rules(PROJECT_ROOT / "config" / "reminders.toml")
    assert shipped.default_go_live_on is None
    assert parse_reminder_rules({}).default_go_live_on is None
    assert parse_reminder_rules({"go_live": {"default_on": ""}}).default_go_live_on is None
    for value in (date(2024, 4, 1), "2024-04-01"):
        rules = parse_reminder_rules({"go_live": {"default_on": value}})
        assert rules.default_go_live_on == date(2024, 4, 1)


@pytest.mark.parametrize("value", ["April 2024", 20240401, "2024-13-01"])
def test_a_bad_go_live_default_is_named(value: object) -> None:
    with pytest.raises(ReminderConfigError, match=r"go_live\.default_on"):
        parse_reminder_rules({"go_live": {"default_on": value}})


def test_an_unknown_go_live_key_is_named() -> None:
    with pytest.raises(ReminderConfigError, match="go_live"):
        parse_reminder_rules({"go_live": {"start": "2024-04-01"}})
