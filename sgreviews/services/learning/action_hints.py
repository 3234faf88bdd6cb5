"""Quality hints on a SMART action while it is drafted or saved: no measurable measure of
success, no due date, no named lead, or an outcome that only restates the action. Hints
advise; they never stop a save. The dashboard counts the open actions with each hint.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionStatus
from sgreviews.services.dashboard.filters import Filters, action_scope
from sgreviews.services.learning.text import cosine, terms

# An outcome this close to the action's own words (cosine of their term counts) restates
# it instead of saying what should change for children, adults or families.
RESTATES_AT = 0.8

# A measure is measurable when it has a number ("80%", "20 strategy discussions", "Q3")
# or names a way of measuring (stems, as ``text.terms`` gives them).
_NUMBER = re.compile(r"\d")
MEASURING_WORDS = frozenset(
    terms(
        "audit audited re-audit survey surveyed sample dip data dataset rate percentage "
        "proportion baseline target count counted monitor monitored compliance scorecard "
        "feedback evaluation evaluated questionnaire"
    )
)
# Everything but dashes: "re-audit" splits into "re" and "audit", both kept.


class Hint(enum.Enum):
    NO_MEASURE = "no_measure"
    NO_DATE = "no_date"
    NO_LEAD = "no_lead"
    RESTATES = "restates"

    @property
    def label(self) -> str:
        return {
            "no_measure": "The measure of success has nothing measurable: no number, "
            "audit, survey, sample or data",
            "no_date": "There is no due date",
            "no_lead": "No lead is named",
            "restates": "The outcome restates the action: say what should change for people",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {
            "no_measure": "No measurable measure of success",
            "no_date": "No due date",
            "no_lead": "No named lead",
            "restates": "Outcome restates the action",
        }[self.value]


@dataclass(frozen=True)
class Draft:
    outcome: str
    action_text: str
    measure: str
    due_date: date | None
    lead_named: bool


def measurable(measure: str) -> bool:
    return bool(_NUMBER.search(measure)) or bool(MEASURING_WORDS & set(terms(measure)))


def hints(draft: Draft) -> list[Hint]:
    found = []
    if not measurable(draft.measure):
        found.append(Hint.NO_MEASURE)
    if draft.due_date is None:
        found.append(Hint.NO_DATE)
    if not draft.lead_named:
        found.append(Hint.NO_LEAD)
    if draft.outcome.strip() and cosine(draft.outcome, draft.action_text) >= RESTATES_AT:
        found.append(Hint.RESTATES)
    return found


def hints_for_action(action: Action) -> list[Hint]:
    return hints(
        Draft(
            outcome=action.outcome_sought,
            action_text=action.action_text,
            measure=action.measure_of_success,
            due_date=action.due_date,
            lead_named=action.lead_user_id is not None or bool((action.lead_name or "").strip()),
        )
    )


OPEN = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


def hint_counts(filters: Filters) -> list[tuple[str, int]]:
    """How many open actions in the dashboard's scope carry each hint: one query, reading
    only the columns the hints look at."""
    rows = db.session.execute(
        select(
            Action.outcome_sought,
            Action.action_text,
            Action.measure_of_success,
            Action.due_date,
            Action.lead_user_id,
            Action.lead_name,
        ).where(Action.status.in_(OPEN), *action_scope(filters))
    ).all()
    counted: Counter[Hint] = Counter()
    for outcome, action_text, measure, due_date, lead_user_id, lead_name in rows:
        counted.update(
            hints(
                Draft(
                    outcome=outcome,
                    action_text=action_text,
                    measure=measure,
                    due_date=due_date,
                    lead_named=lead_user_id is not None or bool((lead_name or "").strip()),
                )
            )
        )
    return [(hint.short_label, counted[hint]) for hint in Hint]
