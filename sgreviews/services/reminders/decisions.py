"""Reminder decisions and their ledger: which reminder or escalation each subject is owed
today, recorded once, and turned into one in-app item per person.

- :func:`decide` compares the most urgent threshold reached today with the ledger for the
  subject's *current* due date (so a moved due date re-arms its reminders). Thresholds
  missed while the service was down are not replayed one by one: the latest one is
  decided and the line says how many were missed.
- :func:`record_decisions` inserts them with insert-or-skip on the ledger's unique key and
  returns only the rows this process inserted, so a decision is acted on once even when
  two processes race.
- :func:`items_for` merges the decisions into one :class:`Item` per (person, subject), and
  :func:`store_items` stores them as notifications (the digests gather them later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, func, select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Notification, ReminderLedgerEntry, Role
from sgreviews.services.reminders.directory import Directory, Person
from sgreviews.services.reminders.rules import ReminderRules
from sgreviews.services.reminders.subjects import Schedule, Subject, days_overdue_of
from sgreviews.services.sqlparts import insert_rows

LEDGER = cast(Table, ReminderLedgerEntry.__table__)
NOTIFICATIONS = cast(Table, Notification.__table__)

# An item's severities, least urgent first (a digest lists the most urgent first).
# A decision told back (an extension decided, an action assured or sent back) is news
# for the people who own the action: listed first.
SEVERITY_RANK = {"due_soon": 1, "due": 2, "overdue": 3, "escalation": 4, "decision": 5}
REMINDER = "reminder"
ESCALATION = "escalation"


@dataclass(frozen=True)
class Decision:
    subject: Subject
    kind: str
    threshold: int
    # Thresholds reached since the last one sent, not sent separately (catch-up).
    missed: int
    audiences: tuple[str, ...] = ()


def _ledger_state(subjects: Sequence[Subject]) -> dict[tuple[int, str, date], int]:
    """The most urgent threshold already recorded per (subject, kind, due date)."""
    if not subjects:
        return {}
    entry = ReminderLedgerEntry
    rows = db.session.execute(
        select(entry.subject_id, entry.kind, entry.due_date, func.max(entry.threshold))
        .where(
            entry.subject_type == subjects[0].subject_type,
            entry.subject_id.in_([subject.subject_id for subject in subjects]),
        )
        .group_by(entry.subject_id, entry.kind, entry.due_date)
    ).all()
    return {(row[0], row[1], row[2]): row[3] for row in rows}


def decide(
    subjects: Sequence[Subject],
    today: date,
    rules: ReminderRules,
    schedule: Schedule | None = None,
) -> list[Decision]:
    """The new reminder and escalation decisions for these subjects today (``schedule``:
    the source's own thresholds; the action rules when None)."""
    state = _ledger_state(subjects)
    decisions: list[Decision] = []
    thresholds: Schedule = schedule if schedule is not None else rules
    for subject in subjects:
        days_overdue = days_overdue_of(subject, today)
        latest = thresholds.latest_reminder_threshold(days_overdue)
        sent = state.get((subject.subject_id, REMINDER, subject.due_date))
        if latest is not None and (sent is None or latest > sent):
            missed = 0
            if sent is not None:
                missed = sum(
                    1
                    for offset in thresholds.reminder_thresholds_reached(days_overdue)
                    if sent < offset < latest
                )
            decisions.append(Decision(subject, REMINDER, latest, missed))
        escalated = state.get((subject.subject_id, ESCALATION, subject.due_date))
        for step in thresholds.escalations_reached(days_overdue):
            if escalated is None or step.days_overdue > escalated:
                decisions.append(Decision(subject, ESCALATION, step.days_overdue, 0, step.notify))
    return decisions


def record_decisions(decisions: Sequence[Decision], today: date) -> list[Decision]:
    """Insert the decisions into the ledger; return those this process inserted (a row
    another process inserted first is skipped, and so is its notification)."""
    if not decisions:
        return []
    rows = insert_rows(
        LEDGER,
        {
            "subject_type": [decision.subject.subject_type for decision in decisions],
            "subject_id": [decision.subject.subject_id for decision in decisions],
            "kind": [decision.kind for decision in decisions],
            "threshold": [decision.threshold for decision in decisions],
            "due_date": [decision.subject.due_date for decision in decisions],
        },
        {"run_date": today, "created_at": utcnow()},
        skip_conflicts=True,
        returning=("subject_id", "kind", "threshold"),
    )
    inserted = {tuple(row) for row in rows}
    return [
        decision
        for decision in decisions
        if (decision.subject.subject_id, decision.kind, decision.threshold) in inserted
    ]


def _when(days_overdue: int, unit: str = "days") -> str:
    if unit != "days":
        # Working days: "tomorrow" would be wrong on a Friday.
        single = unit.removesuffix("s")
        if days_overdue < 0:
            count = -days_overdue
            return f"is due in {count} {single if count == 1 else unit}"
        if days_overdue == 0:
            return "is due today"
        return f"is {days_overdue} {single if days_overdue == 1 else unit} overdue"
    if days_overdue < -1:
        return f"is due in {-days_overdue} days"
    if days_overdue == -1:
        return "is due tomorrow"
    if days_overdue == 0:
        return "is due today"
    if days_overdue == 1:
        return "is 1 day overdue"
    return f"is {days_overdue} days overdue"


def _severity(days_overdue: int) -> str:
    return "due_soon" if days_overdue < 0 else "due" if days_overdue == 0 else "overdue"


@dataclass
class Item:
    """One line for one person about one subject (several decisions merge into it)."""

    user_id: int
    subject: Subject
    severity: str
    headline: str
    details: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _due_note(due: date) -> str:
    # Cached: a first run at xl writes 310,000 of these over a few thousand dates.
    return f"Due {due.strftime('%-d %B %Y')}."


def items_for(decisions: Sequence[Decision], today: date, directory: Directory) -> list[Item]:
    """Turn decisions into one item per (person, subject): a lead told of an overdue action
    and of its escalation gets one line, not two. The person responsible for the action
    sees it as overdue; only the people it is escalated to see "Escalated to you"."""
    items: dict[tuple[int, str, int], Item] = {}
    for decision in decisions:
        subject = decision.subject
        days_overdue = days_overdue_of(subject, today)
        owners = _owners(subject, directory)
        notes = [] if subject.headline else [_due_note(subject.due_date)]
        if decision.kind == REMINDER:
            recipients = owners
            if subject.tell_agency_leads:
                leads = directory.agency_leads.get(subject.agency_id or -1, [])
                recipients = sorted({*owners, *leads})
            severity = subject.severity or _severity(days_overdue)
            if decision.missed:
                plural = "s" if decision.missed != 1 else ""
                notes.append(
                    f"Includes {decision.missed} earlier reminder{plural} not sent "
                    "while reminders were not running."
                )
        else:
            recipients = sorted(
                {
                    user_id
                    for audience in decision.audiences
                    for user_id in directory.audience(audience, subject)
                }
            )
            # An escalation with nobody to hear it (an agency without leads) goes to the
            # secretariat rather than nowhere.
            recipients = recipients or directory.staff(Role.SECRETARIAT, subject.partnership_ids)
            severity = "escalation"
            if subject.agency_id is None and subject.subject_type == "submission_reply":
                # A submission to an external body: owned by nobody's agency.
                notes.append(f"Escalated: {decision.threshold} or more {subject.unit} late.")
            else:
                agency = directory.agency_names.get(subject.agency_id or -1, "an agency")
                notes.append(
                    f"Escalated: {decision.threshold} or more days overdue (owned by {agency})."
                )
        for user_id in recipients:
            own_severity = (
                subject.severity or _severity(days_overdue) if user_id in owners else severity
            )
            key = (user_id, subject.subject_type, subject.subject_id)
            item = items.get(key)
            if item is None:
                item = items[key] = Item(
                    user_id,
                    subject,
                    own_severity,
                    subject.headline or f"{subject.reference} {_when(days_overdue, subject.unit)}",
                )
            elif SEVERITY_RANK[own_severity] > SEVERITY_RANK[item.severity]:
                item.severity = own_severity
            item.details.extend(note for note in notes if note not in item.details)
    return list(items.values())


def _owners(subject: Subject, directory: Directory) -> list[int]:
    """The action's lead; when the lead has no (active) account, the agency's leads; when
    the agency has none (and for review clocks, which have no owner), the secretariat
    serving the subject's partnership, so no reminder falls on nobody."""
    if subject.owner_user_id in directory.people:
        return [subject.owner_user_id]
    leads = directory.agency_leads.get(subject.agency_id or -1, [])
    return leads or directory.staff(Role.SECRETARIAT, subject.partnership_ids)


def link_path(subject: Subject, person: Person) -> str:
    if subject.link is not None:
        return subject.link
    if subject.subject_type == "action":
        return f"/actions/{subject.subject_id}"
    if person.role is Role.AGENCY_LEAD:
        return "/agency/actions"
    if person.role in (Role.SECRETARIAT, Role.CHAIR):
        return "/overview"
    return "/notifications"


def store_items(items: Sequence[Item], today: date, directory: Directory) -> int:
    if not items:
        return 0
    people = [directory.people[item.user_id] for item in items]
    insert_rows(
        NOTIFICATIONS,
        {
            "user_id": [item.user_id for item in items],
            "subject_type": [item.subject.subject_type for item in items],
            "subject_id": [item.subject.subject_id for item in items],
            "severity": [item.severity for item in items],
            "headline": [item.headline[:300] for item in items],
            "detail": ["\n".join([item.subject.summary, " ".join(item.details)]) for item in items],
            "link_path": [
                link_path(item.subject, person) for item, person in zip(items, people, strict=True)
            ],
            "wants_email": [person.wants_email for person in people],
        },
        {"run_date": today, "created_at": utcnow()},
    )
    return len(items)
