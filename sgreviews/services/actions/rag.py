"""RAG ratings for actions: the one definition of the rule (``rate``), with the rules a
partnership writes in ``config/rag.toml``.

The amber window counts working days with the calendar of ``services/clocks.py``
(England's bank holidays and the administrator's extra closure days). Where a page must
rate in the database, ``rag_sql`` writes this rule in SQL; tests/unit/test_rag_sql_agrees.py
proves the two agree.
"""

from __future__ import annotations

import enum
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app

from sgreviews.config_keys import first_unknown_key
from sgreviews.models import Action, ActionStatus
from sgreviews.services.clocks import Calendar, working_days_between


class RagConfigError(ValueError):
    """The RAG rules file is malformed; the message names the key."""


class Rag(enum.Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    NONE = "none"


@dataclass(frozen=True)
class RagRules:
    blue_statuses: frozenset[ActionStatus]
    red_when_overdue: bool
    red_when_off_track: bool
    amber_due_within_working_days: int
    amber_no_update_within_days: int
    labels: dict[Rag, str]
    descriptions: dict[Rag, str]

    def label(self, rag: Rag) -> str:
        return self.labels[rag]

    def description(self, rag: Rag) -> str:
        return self.descriptions[rag]


DEFAULT_LABELS = {
    Rag.RED: "Red",
    Rag.AMBER: "Amber",
    Rag.GREEN: "Green",
    Rag.BLUE: "Blue",
    Rag.NONE: "Not rated",
}
DEFAULT_DESCRIPTIONS = {
    Rag.RED: "Overdue, or the agency says it is off track",
    Rag.AMBER: "At risk: due soon with no recent progress update",
    Rag.GREEN: "On track",
    Rag.BLUE: "Completed and evidenced",
    Rag.NONE: "Closed without implementation, or superseded",
}


# The keys of each table whose keys are fixed (labels and descriptions are keyed by RAG
# rating, checked by ``_words``); anything else stops start-up.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "blue": ("statuses",),
    "red": ("when_overdue", "when_off_track"),
    "amber": ("due_within_working_days", "no_update_within_days"),
}


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise RagConfigError(f"{where}: [{key}] must be a table")
    unknown = first_unknown_key(value, TABLE_KEYS[key]) if key in TABLE_KEYS else None
    if unknown is not None:
        raise RagConfigError(f"{where}: unknown key {key}.{unknown!r}")
    return value


def _bool(table: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise RagConfigError(f"{where}: {key} must be true or false")
    return value


def _whole(table: dict[str, Any], key: str, default: int, where: str) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RagConfigError(f"{where}: {key} must be a whole number of 0 or more")
    return value


def parse_rules(data: dict[str, Any], name: str = "rag.toml") -> RagRules:
    known = {"blue", "red", "amber", "labels", "descriptions"}
    unknown = set(data) - known
    if unknown:
        raise RagConfigError(f"{name}: unknown key {sorted(unknown)[0]!r}")
    blue = _table(data, "blue", name)
    statuses = blue.get("statuses", ["completed", "assured"])
    if not isinstance(statuses, list):
        raise RagConfigError(f"{name}: blue.statuses must be a list of action statuses")
    blue_statuses = set()
    for value in statuses:
        try:
            blue_statuses.add(ActionStatus(value))
        except ValueError as error:
            raise RagConfigError(
                f"{name}: blue.statuses has {value!r}, which is not an action status "
                f"({', '.join(status.value for status in ActionStatus)})"
            ) from error
    red = _table(data, "red", name)
    amber = _table(data, "amber", name)
    labels = _words(data, "labels", DEFAULT_LABELS, name)
    descriptions = _words(data, "descriptions", DEFAULT_DESCRIPTIONS, name)
    return RagRules(
        blue_statuses=frozenset(blue_statuses),
        red_when_overdue=_bool(red, "when_overdue", True, f"{name}: red"),
        red_when_off_track=_bool(red, "when_off_track", True, f"{name}: red"),
        amber_due_within_working_days=_whole(
            amber, "due_within_working_days", 20, f"{name}: amber"
        ),
        amber_no_update_within_days=_whole(amber, "no_update_within_days", 30, f"{name}: amber"),
        labels=labels,
        descriptions=descriptions,
    )


def _words(data: dict[str, Any], table: str, defaults: dict[Rag, str], name: str) -> dict[Rag, str]:
    words = dict(defaults)
    for key, value in _table(data, table, name).items():
        try:
            rag = Rag(key)
        except ValueError as error:
            raise RagConfigError(f"{name}: {table}.{key} is not a RAG rating") from error
        if not isinstance(value, str) or not value.strip():
            raise RagConfigError(f"{name}: {table}.{key} must be a non-empty string")
        words[rag] = value
    return words


def load_rules(path: Path) -> RagRules:
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise RagConfigError(f"{path.name}: {error}") from error
    return parse_rules(data, path.name)


def current_rules() -> RagRules:
    """The rules loaded at start-up (``create_app`` stores them on the app)."""
    rules = current_app.extensions.get("sgreviews.rag_rules")
    if rules is None:
        settings = current_app.extensions["sgreviews.settings"]
        rules = load_rules(settings.config_dir / "rag.toml")
        current_app.extensions["sgreviews.rag_rules"] = rules
    assert isinstance(rules, RagRules)
    return rules


# --- the rating --------------------------------------------------------------------------


def rate(
    *,
    status: ActionStatus,
    due_date: date,
    off_track: bool,
    last_update_at: datetime | None,
    today: date,
    rules: RagRules,
    calendar: Calendar,
) -> Rag:
    """The rating of one action; ``calendar`` counts the working days of the amber window
    (England's, with the administrator's extra closure days)."""
    if status in rules.blue_statuses:
        return Rag.BLUE
    if not status.is_open:
        return Rag.NONE
    if rules.red_when_overdue and due_date < today:
        return Rag.RED
    if rules.red_when_off_track and off_track:
        return Rag.RED
    window = rules.amber_due_within_working_days
    due_soon = working_days_between(today, due_date, calendar, stop_after=window + 1) <= window
    recent_cutoff = today - timedelta(days=rules.amber_no_update_within_days)
    updated_recently = last_update_at is not None and last_update_at.date() > recent_cutoff
    if due_soon and not updated_recently:
        return Rag.AMBER
    return Rag.GREEN


def rate_action(
    action: Action,
    last_update_at: datetime | None,
    today: date,
    rules: RagRules,
    calendar: Calendar,
) -> Rag:
    return rate(
        status=action.status,
        due_date=action.due_date,
        off_track=action.off_track,
        last_update_at=last_update_at,
        today=today,
        rules=rules,
        calendar=calendar,
    )
