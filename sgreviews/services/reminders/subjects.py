"""What a reminder is about: a :class:`Subject` (something dated that people must be told
about), the :class:`ReminderSource` protocol that yields subjects page by page, the
:class:`Schedule` protocol of a kind of subject's thresholds, and how far past its due
date a subject is today.

These types are shared by the sources (:mod:`.sources`), the directory of people
(:mod:`.directory`), the decisions (:mod:`.decisions`) and the run (:mod:`.run`); they sit
in a module of their own so that none of those imports another just for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sgreviews.services.reminders.rules import EscalationStep


@dataclass(frozen=True)
class Subject:
    """Something with a due date that people must be reminded about."""

    subject_type: str
    subject_id: int
    reference: str
    summary: str
    due_date: date
    agency_id: int | None
    # The named person responsible, when they have an account.
    owner_user_id: int | None
    # Where the digest line links to (an action's page when None).
    link: str | None = None
    # How far past the due date today is, in the source's unit (working days for review
    # clocks); None: calendar days, computed from the due date.
    offset: int | None = None
    unit: str = "days"
    # A line of its own instead of "<reference> is due in ...".
    headline: str | None = None
    # The partnerships the subject belongs to (an action: those of the reviews whose
    # findings it answers). The secretariat and chair users linked to them are the ones
    # told; with nobody linked, the national (unlinked) ones.
    partnership_ids: tuple[int, ...] = ()
    # News rather than a date (a decision told back): its own severity instead of one
    # worked out from the date, and told to the agency's leads as well as the owner.
    severity: str | None = None
    tell_agency_leads: bool = False


class ReminderSource(Protocol):
    """A kind of subject the engine reminds about. ``pages`` yields the subjects that may
    need a reminder on ``today`` (due within ``horizon_days`` or past due), a page at a
    time, each page read in its own short query."""

    subject_type: str

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        """Yield pages of subjects."""
        ...


class Schedule(Protocol):
    """The thresholds of a kind of subject (actions use the ``[actions]`` rules; other
    sources carry their own as a ``thresholds`` attribute)."""

    def reminder_thresholds_reached(self, days_overdue: int) -> list[int]: ...

    def latest_reminder_threshold(self, days_overdue: int) -> int | None: ...

    def escalations_reached(self, days_overdue: int) -> list[EscalationStep]: ...


def days_overdue_of(subject: Subject, today: date) -> int:
    return subject.offset if subject.offset is not None else (today - subject.due_date).days
