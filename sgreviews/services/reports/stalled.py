"""The yearly report's "Areas of little or no progress" (Working Together 2023): the
actions of the year still open at its end that were past their due date, or had no
progress update recorded in the year, by theme (and by agency in the full version). The
actions and their states are the report's own (``history.actions_as_at``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, select

from sgreviews.extensions import db
from sgreviews.models import Action, Agency, Finding, Theme
from sgreviews.models.action import UpdateKind, action_finding
from sgreviews.models.finding import finding_theme
from sgreviews.services.history.actions_as_at import ActionAsAt
from sgreviews.services.history.event_dates import progress_recorded_on
from sgreviews.services.reports.parts import Part, Words

TITLE = "Areas of little or no progress"
NO_THEME = "No theme recorded"


def progressed_between(state: ActionAsAt, start: date, end: date) -> bool:
    """A progress update on the action took effect from ``start`` to ``end``."""
    return any(
        entry.kind is UpdateKind.PROGRESS and start <= progress_recorded_on(entry) <= end
        for entry in state.action.updates
    )


def stalled_actions(states: Sequence[ActionAsAt], start: date, as_at: date) -> list[ActionAsAt]:
    """The actions open on ``as_at`` that were overdue then or had no progress update
    from ``start`` to ``as_at``."""
    return [
        state
        for state in states
        if state.open and (state.overdue(as_at) or not progressed_between(state, start, as_at))
    ]


def _themes_and_agencies(
    stalled: Sequence[ActionAsAt], action_scope: Sequence[ColumnElement[bool]]
) -> tuple[dict[int, set[str]], dict[int, str]]:
    """Each stalled action's themes (through the findings it answers) and its owning
    agency's name. Two queries, bound by the report's own action scope and the agencies,
    never by a list of action ids (which at national scale would pass SQLite's limit on
    bound parameters)."""
    wanted = {state.action.id for state in stalled}
    themes: dict[int, set[str]] = {}
    if not wanted:
        return themes, {}
    for action_id, name in db.session.execute(
        select(action_finding.c.action_id, Theme.name)
        .join(Action, Action.id == action_finding.c.action_id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .join(finding_theme, finding_theme.c.finding_id == Finding.id)
        .join(Theme, Theme.id == finding_theme.c.theme_id)
        .where(*action_scope)
        .distinct()
    ).all():
        if action_id in wanted:
            themes.setdefault(action_id, set()).add(name)
    agency_ids = {state.action.owning_agency_id for state in stalled}
    names = {
        agency_id: name
        for agency_id, name in db.session.execute(
            select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))
        ).all()
    }
    agencies = {state.action.id: names.get(state.action.owning_agency_id, "") for state in stalled}
    return themes, agencies


def little_or_no_progress(
    states: Sequence[ActionAsAt],
    start: date,
    as_at: date,
    words: Words,
    action_scope: Sequence[ColumnElement[bool]],
) -> Part:
    """``states`` are the report's actions of the year, read within ``action_scope``."""
    counts = words.counts
    stalled = stalled_actions(states, start, as_at)
    on = words.long(as_at)
    if not stalled:
        return Part(
            TITLE,
            [
                f"On {on}, every open action of the year was on time and had a progress "
                "update recorded in the year."
            ],
        )
    overdue = sum(1 for state in stalled if state.overdue(as_at))
    silent = sum(1 for state in stalled if not progressed_between(state, start, as_at))
    themes, agencies = _themes_and_agencies(stalled, action_scope)
    # An action answering findings of several themes counts under each of them.
    by_theme: Counter[str] = Counter()
    by_group: dict[tuple[str, str], list[int]] = {}
    for state in stalled:
        action_id = state.action.id
        for theme in sorted(themes.get(action_id) or {NO_THEME}):
            by_theme[theme] += 1
            group = by_group.setdefault(
                (theme, "" if counts.public else agencies.get(action_id, "")), [0, 0, 0]
            )
            group[0] += 1
            group[1] += state.overdue(as_at)
            group[2] += not progressed_between(state, start, as_at)
    paragraphs = [
        f"On {on}, {counts.of(len(stalled), 'open action')} of the year had made little or "
        f"no progress: {counts.number(overdue) if overdue else 'none'} past the due date, "
        f"and {counts.number(silent) if silent else 'none'} with no progress update "
        "recorded in the year (an action can be both)."
    ]
    named = sorted(
        (theme for theme in by_theme if theme != NO_THEME),
        key=lambda theme: (-by_theme[theme], theme),
    )[:3]
    if named:
        listed = words.join(
            [f"{theme.lower()} ({counts.number(by_theme[theme])})" for theme in named]
        )
        paragraphs.append(
            f"The {'theme' if len(named) == 1 else 'themes'} with most such actions "
            f"{'was' if len(named) == 1 else 'were'} {listed}."
        )
    ordered = sorted(by_group.items(), key=lambda item: (-item[1][0], item[0]))
    if counts.public:
        return Part(
            TITLE,
            paragraphs,
            ["Theme", "Actions", "Past the due date", "No progress update in the year"],
            [
                (theme, counts.cell(n), counts.cell(late), counts.cell(quiet))
                for (theme, _agency), (n, late, quiet) in ordered
            ],
        )
    return Part(
        TITLE,
        paragraphs,
        ["Theme", "Agency", "Actions", "Past the due date", "No progress update in the year"],
        [
            (theme, agency, counts.cell(n), counts.cell(late), counts.cell(quiet))
            for (theme, agency), (n, late, quiet) in ordered
        ],
    )
