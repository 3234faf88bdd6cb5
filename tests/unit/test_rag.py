"""RAG rules from config/rag.toml, and the working days behind the amber rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sgreviews.models import ActionStatus
from sgreviews.services.actions.rag import (
    Rag,
    RagConfigError,
    load_rules,
    parse_rules,
    rate,
)
from sgreviews.services.clocks import Calendar, working_days_between

ENGLAND = Calendar(jurisdiction="ENG", extra_closures=frozenset())

CONFIG = Path(__file__).resolve().parents[2] / "config" / "rag.toml"
RULES = load_rules(CONFIG)
TODAY = date(2026, 3, 2)  # a Monday


def _rate(
    status: ActionStatus, due: date, *, off_track: bool = False, updated: date | None = None
) -> Rag:
    last = datetime(updated.year, updated.month, updated.day, 12, tzinfo=UTC) if updated else None
    return rate(
        status=status,
        due_date=due,
        off_track=off_track,
        last_update_at=last,
        today=TODAY,
        rules=RULES,
        calendar=ENGLAND,
    )


def test_working_days_skip_weekends_and_english_bank_holidays() -> None:
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April are both holidays in England.
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7), ENGLAND) == 1
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 9), ENGLAND) == 5
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 2), ENGLAND) == 0


def test_overdue_or_off_track_is_red() -> None:
    assert _rate(ActionStatus.IN_PROGRESS, date(2026, 3, 1)) is Rag.RED
    assert _rate(ActionStatus.IN_PROGRESS, date(2027, 1, 1), off_track=True) is Rag.RED


def test_due_soon_without_recent_update_is_amber() -> None:
    due = date(2026, 3, 20)  # 14 working days away
    assert _rate(ActionStatus.NOT_STARTED, due) is Rag.AMBER
    assert _rate(ActionStatus.IN_PROGRESS, due, updated=date(2026, 1, 15)) is Rag.AMBER
    # A progress update within the last 30 days keeps it green.
    assert _rate(ActionStatus.IN_PROGRESS, due, updated=date(2026, 2, 20)) is Rag.GREEN


def test_amber_window_counts_working_days_not_calendar_days() -> None:
    # 30 March is exactly 20 working days after 2 March; 31 March is 21.
    assert _rate(ActionStatus.IN_PROGRESS, date(2026, 3, 30)) is Rag.AMBER
    assert _rate(ActionStatus.IN_PROGRESS, date(2026, 3, 31)) is Rag.GREEN


def test_completed_and_assured_are_blue_closed_are_not_rated() -> None:
    assert _rate(ActionStatus.COMPLETED, date(2020, 1, 1)) is Rag.BLUE
    assert _rate(ActionStatus.ASSURED, date(2020, 1, 1)) is Rag.BLUE
    assert _rate(ActionStatus.CLOSED_NOT_IMPLEMENTED, date(2020, 1, 1)) is Rag.NONE
    assert _rate(ActionStatus.SUPERSEDED, date(2020, 1, 1)) is Rag.NONE


def test_labels_carry_the_word_and_a_description() -> None:
    assert [RULES.label(rag) for rag in Rag] == ["Red", "Amber", "Green", "Blue", "Not rated"]
    assert "20 working days" in RULES.description(Rag.AMBER)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"amber": {"due_within_working_days": "twenty"}}, "due_within_working_days"),
        ({"blue": {"statuses": ["finished"]}}, "blue.statuses"),
        ({"labels": {"purple": "Purple"}}, "labels.purple"),
        ({"descriptions": {"red": ""}}, "descriptions.red"),
        ({"colours": {}}, "colours"),
        ({"red": {"when_overdue": "yes"}}, "when_overdue"),
    ],
)
def test_bad_config_names_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(RagConfigError, match=key.replace(".", r"\.")):
        parse_rules(data)


def test_rules_are_configuration() -> None:
    strict = parse_rules({"amber": {"due_within_working_days": 0}})
    assert (
        rate(
            status=ActionStatus.IN_PROGRESS,
            due_date=date(2026, 3, 20),
            off_track=False,
            last_update_at=None,
            today=TODAY,
            rules=strict,
            calendar=ENGLAND,
        )
        is Rag.GREEN
    )


def test_app_refuses_to_start_with_bad_rag_config(tmp_path: Path) -> None:
    import shutil

    from sgreviews import create_app

    config = tmp_path / "config"
    shutil.copytree(CONFIG.parent, config)
    (config / "rag.toml").write_text("[amber]\ndue_within_working_days = -3\n")
    with pytest.raises(RagConfigError, match="due_within_working_days"):
        create_app(
            {
                "SGREVIEWS_ENV": "testing",
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
                "SGREVIEWS_CONFIG_DIR": str(config),
            }
        )
