"""The reminder run: decide who must be told what today, record each decision once in the
ledger, and gather each person's items into one digest.

The engine works on *reminder sources*: anything with dated subjects (``ActionSource``
here; the review-clock and briefing review-by sources in
:mod:`sgreviews.services.reminders.sources`), each implementing :class:`ReminderSource` and
listed by :func:`default_sources`. A run:

1. takes the ``reminders-daily`` job lock, so a second scheduler waits rather than racing;
2. streams each source's subjects page by page (keyset pages, short transactions: memory
   stays flat however many actions there are), with one or more worker threads taking the
   next page from one cursor (2 on PostgreSQL: one computes while the other waits on the
   database);
3. per page, compares the most urgent threshold reached today with the ledger for the
   subject's *current* due date, and inserts the new decision with insert-or-skip on the
   ledger's unique key. Only the rows this process inserted produce notifications, so a
   decision is acted on once even if two processes race past the lock. Thresholds missed
   while the service was down are not replayed one by one: the latest one is recorded and
   the line says how many were missed (catch-up collapses into one line);
4. gathers every person's unsent items into one outbox message (claimed with a
   conditional UPDATE, so an item joins exactly one digest), in the same transaction.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, cast

from flask import current_app
from sqlalchemy import (
    Insert,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionSnooze,
    ActionStatus,
    Agency,
    Finding,
    JobLock,
    Notification,
    NotificationSetting,
    OutboxMessage,
    OutboxState,
    ReminderLedgerEntry,
    Review,
    Role,
    User,
)
from sgreviews.models.action import action_finding
from sgreviews.models.user import user_partnership
from sgreviews.services.reminders.rules import EscalationStep, ReminderRules
from sgreviews.services.sqlparts import insert_rows

PAGE_SIZE = 2000
DIGEST_BATCH = 200
# Items listed in the email itself; the rest are on the notifications page.
DIGEST_ITEM_LIMIT = 100
LOCK_NAME = "reminders-daily"
LOCK_LEASE = timedelta(minutes=10)

LEDGER = cast(Table, ReminderLedgerEntry.__table__)
NOTIFICATIONS = cast(Table, Notification.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
LOCKS = cast(Table, JobLock.__table__)

SEVERITY_RANK = {"due_soon": 1, "due": 2, "overdue": 3, "escalation": 4}
REMINDER = "reminder"
ESCALATION = "escalation"


# --- sources -------------------------------------------------------------------------


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


OPEN_STATUSES = [status for status in ActionStatus if status.is_open]


class ActionSource:
    """Open actions (not started or in progress), minus those the secretariat snoozed."""

    subject_type = "action"

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        snoozed = exists().where(
            ActionSnooze.action_id == Action.id,
            ActionSnooze.ended_at.is_(None),
            ActionSnooze.snoozed_until >= today,
        )
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    Action.id,
                    Action.reference,
                    Action.action_text,
                    Action.due_date,
                    Action.owning_agency_id,
                    Action.lead_user_id,
                )
                .where(
                    Action.id > last_id,
                    Action.status.in_(OPEN_STATUSES),
                    Action.due_date <= today + timedelta(days=horizon_days),
                    ~snoozed,
                )
                .order_by(Action.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            partnerships = _action_partnerships(rows[0][0], rows[-1][0])
            last_id = rows[-1][0]
            yield [
                Subject(
                    "action",
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    partnership_ids=partnerships.get(row[0], ()),
                )
                for row in rows
            ]


def _action_partnerships(first_id: int, last_id: int) -> dict[int, tuple[int, ...]]:
    """The partnerships of the actions with ids in [first_id, last_id], through the
    findings they answer (one query per page, a range scan of action_finding's key)."""
    rows = db.session.execute(
        select(action_finding.c.action_id, Review.partnership_id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(action_finding.c.action_id.between(first_id, last_id))
        .distinct()
    ).all()
    found: dict[int, list[int]] = defaultdict(list)
    for action_id, partnership_id in rows:
        found[action_id].append(partnership_id)
    return {action_id: tuple(sorted(ids)) for action_id, ids in found.items()}


def default_sources(rules: ReminderRules | None = None) -> list[ReminderSource]:
    """Actions, and (with the rules that enable them) review clocks and briefings."""
    from sgreviews.services.reminders.sources import (
        BriefingReviewBySource,
        PrePublicationSource,
        ReviewClockSource,
    )

    sources: list[ReminderSource] = [ActionSource()]
    if rules is None:
        return sources
    if rules.review_clocks.enabled:
        sources.append(ReviewClockSource(rules.review_clocks))
        if rules.review_clocks.pre_publication_notice:
            sources.append(PrePublicationSource())
    sources.append(BriefingReviewBySource(rules.briefing_review))
    return sources


def days_overdue_of(subject: Subject, today: date) -> int:
    return subject.offset if subject.offset is not None else (today - subject.due_date).days


# --- who is who ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    role: Role
    agency_id: int | None
    wants_email: bool


PARTNERSHIP_ROLES = (Role.SECRETARIAT, Role.CHAIR)


@dataclass
class Directory:
    """Active users and agencies, loaded once per run (it grows with users, not actions).

    Secretariat and chair users linked to partnerships serve those partnerships
    (``serving``); the unlinked ones are national (``national``)."""

    people: dict[int, Person]
    agency_names: dict[int, str]
    agency_leads: dict[int, list[int]]
    by_role: dict[Role, list[int]]
    serving: dict[tuple[int, Role], list[int]] = field(default_factory=dict)
    national: dict[Role, list[int]] = field(default_factory=dict)
    _staff_cache: dict[tuple[Role, tuple[int, ...]], list[int]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def load(cls) -> Directory:
        rows = db.session.execute(
            select(
                User.id,
                User.email,
                User.role,
                User.agency_id,
                NotificationSetting.email_digest,
            )
            .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
            .where(User.is_active.is_(True))
        ).all()
        people = {
            row[0]: Person(row[0], row[1], row[2], row[3], row[4] is not False) for row in rows
        }
        agency_leads: dict[int, list[int]] = defaultdict(list)
        by_role: dict[Role, list[int]] = defaultdict(list)
        for person in people.values():
            by_role[person.role].append(person.id)
            if person.role is Role.AGENCY_LEAD and person.agency_id is not None:
                agency_leads[person.agency_id].append(person.id)
        agency_names = dict(db.session.execute(select(Agency.id, Agency.name)).all())
        serving: dict[tuple[int, Role], list[int]] = defaultdict(list)
        linked: set[int] = set()
        links = db.session.execute(
            select(user_partnership.c.user_id, user_partnership.c.partnership_id).order_by(
                user_partnership.c.partnership_id, user_partnership.c.user_id
            )
        ).all()
        for user_id, partnership_id in links:
            linked_person = people.get(user_id)
            if linked_person is None or linked_person.role not in PARTNERSHIP_ROLES:
                continue
            serving[(partnership_id, linked_person.role)].append(user_id)
            linked.add(user_id)
        national = {
            role: [uid for uid in by_role.get(role, []) if uid not in linked]
            for role in PARTNERSHIP_ROLES
        }
        return cls(people, agency_names, dict(agency_leads), dict(by_role), dict(serving), national)

    def staff(self, role: Role, partnership_ids: Sequence[int]) -> list[int]:
        """The secretariat (or chair) users to tell about a subject of these partnerships:
        those linked to them; when none is, the national (unlinked) ones; when there are
        none of those either, every user of the role, so nothing falls on nobody."""
        if role not in PARTNERSHIP_ROLES:
            return self.by_role.get(role, [])
        key = (role, tuple(partnership_ids))
        cached = self._staff_cache.get(key)
        if cached is not None:
            return cached
        found = sorted({uid for pid in key[1] for uid in self.serving.get((pid, role), [])})
        result = found or self.national.get(role) or self.by_role.get(role, [])
        self._staff_cache[key] = result
        return result

    def audience(self, name: str, subject: Subject) -> list[int]:
        if name == "agency_leads":
            return self.agency_leads.get(subject.agency_id or -1, [])
        return self.staff(Role(name), subject.partnership_ids)


# --- decisions -------------------------------------------------------------------------


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


def _insert_or_skip(table: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


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
            severity = _severity(days_overdue)
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
            agency = directory.agency_names.get(subject.agency_id or -1, "an agency")
            notes.append(
                f"Escalated: {decision.threshold} or more days overdue (owned by {agency})."
            )
        for user_id in recipients:
            own_severity = _severity(days_overdue) if user_id in owners else severity
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


# --- the job lock ----------------------------------------------------------------------


def acquire_lock(name: str, holder: str, now: datetime | None = None) -> bool:
    """Take the named lease if it is free or its holder stopped heartbeating."""
    now = now or utcnow()
    inserted = db.session.execute(
        _insert_or_skip(LOCKS)
        .values(name=name, holder=holder, heartbeat_at=now)
        .returning(JobLock.name)
    ).first()
    if inserted is None:
        result = db.session.execute(
            update(JobLock)
            .where(
                JobLock.name == name,
                (JobLock.holder.is_(None)) | (JobLock.heartbeat_at < now - LOCK_LEASE),
            )
            .values(holder=holder, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        taken = bool(result.rowcount)  # type: ignore[attr-defined]
    else:
        taken = True
    db.session.commit()
    return taken


def heartbeat(name: str, holder: str) -> None:
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def release_lock(name: str, holder: str) -> None:
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(holder=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# --- digests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSummary:
    to_address: str
    item_count: int
    headlines: tuple[str, ...]


def _pending_recipients(after: int, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.user_id)
            .where(
                Notification.wants_email.is_(True),
                Notification.digest_id.is_(None),
                Notification.user_id > after,
            )
            .group_by(Notification.user_id)
            .order_by(Notification.user_id)
            .limit(limit)
        )
    )


def build_digests(
    today: date,
    directory: Directory,
    base_url: str,
    summaries: list[DigestSummary],
    workers: int = 1,
) -> int:
    """One outbox message per person with unsent items, whatever run made the items.
    Each batch is one transaction: messages inserted, items claimed (an item already
    claimed by another process is not claimed again), bodies rendered. With ``workers``
    above 1, that many threads build batches at once, each on its own connection and in
    its own transactions (as separate processes would), so one renders while another
    waits on the database."""
    cursor = _RecipientCursor()
    if workers <= 1:
        return _build_digests_from(cursor, today, directory, base_url, summaries)
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def work() -> int:
        with app.app_context():
            try:
                return _build_digests_from(cursor, today, directory, base_url, summaries)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digests") as pool:
        futures = [pool.submit(work) for _ in range(workers)]
        return sum(future.result() for future in futures)


class _RecipientCursor:
    """The next batch of people with unsent items, handed to one worker at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_user = 0

    def next_batch(self) -> list[int]:
        with self._lock:
            user_ids = _pending_recipients(self._last_user, DIGEST_BATCH)
            db.session.commit()
            if user_ids:
                self._last_user = user_ids[-1]
            return user_ids


def _build_digests_from(
    cursor: _RecipientCursor,
    today: date,
    directory: Directory,
    base_url: str,
    summaries: list[DigestSummary],
) -> int:
    made = 0
    while user_ids := cursor.next_batch():
        made += _build_digest_batch(
            [directory.people[uid] for uid in user_ids if uid in directory.people],
            today,
            base_url,
            summaries,
        )
        db.session.commit()
    return made


def _build_digest_batch(
    people: list[Person], today: date, base_url: str, summaries: list[DigestSummary]
) -> int:
    if not people:
        return 0
    now = utcnow()
    message_rows = db.session.execute(
        insert(OUTBOX)
        .values(
            [
                {
                    "recipient_user_id": person.id,
                    "to_address": person.email,
                    "subject": "",
                    "body_text": "",
                    "body_html": "",
                    "kind": "digest",
                    "run_date": today,
                    "item_count": 0,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for person in people
            ]
        )
        .returning(OutboxMessage.id, OutboxMessage.recipient_user_id)
    ).all()
    message_for = {row[1]: row[0] for row in message_rows}
    # Each person's unsent items join their new message: one statement per person, run
    # as one batch, each reading that person's items through ix_notification_pending_email.
    # (A single UPDATE ... FROM the batch's messages let SQLite's planner read every
    # unsent item in the country once per batch: 147 s of a 167 s digest phase at xl.)
    # Items another process claimed first no longer match "digest_id IS NULL".
    table = NOTIFICATIONS
    db.session.execute(
        update(table)
        .where(
            table.c.user_id == bindparam("c_user"),
            table.c.wants_email.is_(True),
            table.c.digest_id.is_(None),
        )
        .values(digest_id=bindparam("c_message"))
        .execution_options(synchronize_session=False),
        [{"c_user": user_id, "c_message": mid} for user_id, mid in message_for.items()],
    )
    counts: dict[int | None, int] = {
        row[0]: row[1]
        for row in db.session.execute(
            select(Notification.digest_id, func.count())
            .where(Notification.digest_id.in_(message_for.values()))
            .group_by(Notification.digest_id)
        )
    }
    empty = [mid for mid in message_for.values() if not counts.get(mid)]
    if empty:
        db.session.execute(delete(OUTBOX).where(OutboxMessage.id.in_(empty)))
    items = _first_items([mid for mid in message_for.values() if counts.get(mid)])
    updates = []
    for person in people:
        mid = message_for.get(person.id)
        if mid is None or not counts.get(mid):
            continue
        subject, text, html = render_digest(items[mid], counts[mid], today, base_url)
        updates.append(
            {
                "b_mid": mid,
                "b_subject": subject,
                "b_text": text,
                "b_html": html,
                "b_count": counts[mid],
            }
        )
        if len(summaries) < 500:
            summaries.append(
                DigestSummary(
                    person.email, counts[mid], tuple(row.headline for row in items[mid][:5])
                )
            )
    if updates:
        outbox = OUTBOX
        db.session.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("b_mid"))
            .values(
                subject=bindparam("b_subject"),
                body_text=bindparam("b_text"),
                body_html=bindparam("b_html"),
                item_count=bindparam("b_count"),
            ),
            updates,
        )
    return len(updates)


@dataclass(frozen=True)
class DigestLine:
    severity: str
    headline: str
    detail: str
    link_path: str


def _first_items(message_ids: list[int]) -> dict[int, list[DigestLine]]:
    """The most urgent items of each digest, at most DIGEST_ITEM_LIMIT per digest."""
    result: dict[int, list[DigestLine]] = {mid: [] for mid in message_ids}
    if not message_ids:
        return result
    rank = func.row_number().over(
        partition_by=Notification.digest_id,
        order_by=(case(SEVERITY_RANK, value=Notification.severity).desc(), Notification.id),
    )
    numbered = (
        select(
            Notification.digest_id,
            Notification.severity,
            Notification.headline,
            Notification.detail,
            Notification.link_path,
            rank.label("position"),
        )
        .where(Notification.digest_id.in_(message_ids))
        .subquery()
    )
    alias = aliased(numbered)
    rows = db.session.execute(select(alias).where(alias.c.position <= DIGEST_ITEM_LIMIT)).all()
    for row in rows:
        result[row[0]].append(DigestLine(row[1], row[2], row[3], row[4]))
    for lines in result.values():
        lines.sort(key=lambda line: -SEVERITY_RANK.get(line.severity, 0))
    return result


SEVERITY_LABELS = {
    "escalation": "Escalated to you",
    "overdue": "Overdue",
    "due": "Due today",
    "due_soon": "Due soon",
}


def render_digest(
    lines: list[DigestLine], total: int, today: date, base_url: str
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one digest."""
    plural = "s" if total != 1 else ""
    subject = f"Safeguarding reviews: {total} reminder{plural} for {today:%-d %B %Y}"
    groups: dict[str, list[DigestLine]] = defaultdict(list)
    for line in lines:
        groups[line.severity].append(line)
    context = {
        "subject": subject,
        "groups": [
            (SEVERITY_LABELS[severity], groups[severity])
            for severity in ("escalation", "overdue", "due", "due_soon")
            if groups.get(severity)
        ],
        "total": total,
        "shown": len(lines),
        "base_url": base_url.rstrip("/"),
        "today": today,
    }
    # The templates straight from the environment: no request context processors (they
    # would query per digest), and thousands of digests render in one run.
    environment = current_app.jinja_env
    text = environment.get_template("notifications/digest_email.txt").render(**context)
    html = environment.get_template("notifications/digest_email.html").render(**context)
    return subject, text, html


# --- the run ---------------------------------------------------------------------------


@dataclass
class RunReport:
    run_date: date
    dry_run: bool
    subjects_checked: int = 0
    decisions: int = 0
    notifications: int = 0
    digests: int = 0
    in_app_only: int = 0
    skipped_locked: bool = False
    digest_summaries: list[DigestSummary] = field(default_factory=list)
    # Dry run: how many items each person would get, and the first few.
    preview: dict[str, list[str]] = field(default_factory=dict)
    preview_counts: dict[str, int] = field(default_factory=dict)


ANALYZE_AFTER = 10_000


def _refresh_statistics(*tables: str) -> None:
    """After a run grew these tables a lot, refresh PostgreSQL's planner statistics for
    them, so the lookups that follow are planned on real sizes, not on "empty"."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(text(f"ANALYZE {', '.join(tables)}"))
    db.session.commit()


def digest_workers() -> int:
    """Threads for each phase of a run (the decisions, then the digests): the setting, or
    automatically 2 on PostgreSQL and 1 on SQLite (one writer at a time: a second thread
    would only wait for the first)."""
    configured: int = current_app.extensions["sgreviews.settings"].digest_workers
    if configured:
        return configured
    return 2 if db.session.get_bind().dialect.name == "postgresql" else 1


class RunInProgress(RuntimeError):
    """Another process holds the daily run lock and kept it past the wait."""


class _PageCursor:
    """The sources' next page of subjects, handed to one worker at a time: each page is
    read by the worker that takes it, in that worker's session, and the sources are walked
    in order, each by its own keyset."""

    def __init__(
        self, sources: Sequence[ReminderSource], today: date, horizon_days: int, page_size: int
    ) -> None:
        self._lock = threading.Lock()
        self._pages = (
            (source, page)
            for source in sources
            for page in source.pages(today, horizon_days, page_size)
        )

    def next_page(self) -> tuple[ReminderSource, list[Subject]] | None:
        with self._lock:
            return next(self._pages, None)


class _Decisions:
    """One run's decision phase: pages of subjects compared with the ledger, the new
    decisions recorded, and their items stored, by one or more workers."""

    def __init__(
        self,
        report: RunReport,
        today: date,
        rules: ReminderRules,
        directory: Directory,
        holder: str,
        dry_run: bool,
    ) -> None:
        self.report = report
        self.today = today
        self.rules = rules
        self.directory = directory
        self.holder = holder
        self.dry_run = dry_run
        self._lock = threading.Lock()
        self._written_when_analyzed = 0

    def work(self, cursor: _PageCursor) -> None:
        while (taken := cursor.next_page()) is not None:
            self.page(*taken)

    def page(self, source: ReminderSource, page: list[Subject]) -> None:
        report, today, directory = self.report, self.today, self.directory
        decisions = decide(page, today, self.rules, getattr(source, "thresholds", None))
        db.session.commit()  # end the read before writing (SQLite locking)
        if self.dry_run:
            with self._lock:
                report.subjects_checked += len(page)
                _preview(report, items_for(decisions, today, directory), directory)
                report.decisions += len(decisions)
            return
        recorded = record_decisions(decisions, today)
        items = items_for(recorded, today, directory)
        stored = store_items(items, today, directory)
        in_app_only = sum(1 for item in items if not directory.people[item.user_id].wants_email)
        if decisions:
            heartbeat(LOCK_NAME, self.holder)
        db.session.commit()
        with self._lock:
            report.subjects_checked += len(page)
            report.decisions += len(recorded)
            report.notifications += stored
            report.in_app_only += in_app_only
            written = report.decisions + report.notifications
            analyze = written >= max(ANALYZE_AFTER, 2 * self._written_when_analyzed)
            if analyze:
                self._written_when_analyzed = written
        if analyze:
            _refresh_statistics("reminder_ledger", "notification")


def _run_decisions(
    decisions: _Decisions, sources: Sequence[ReminderSource], page_size: int, workers: int
) -> None:
    """The decision phase. With ``workers`` above 1, that many threads take pages from one
    cursor, each on its own connection and in its own transactions (as separate processes
    would): one computes while another waits on the database. Every decision is still
    acted on once: the ledger's unique key decides, whatever thread or process asks."""
    cursor = _PageCursor(sources, decisions.today, decisions.rules.horizon_days, page_size)
    if workers <= 1:
        decisions.work(cursor)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def work() -> None:
        with app.app_context():
            try:
                decisions.work(cursor)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decisions") as pool:
        for future in [pool.submit(work) for _ in range(workers)]:
            future.result()


def run_reminders(
    today: date,
    rules: ReminderRules,
    base_url: str,
    *,
    dry_run: bool = False,
    sources: Sequence[ReminderSource] | None = None,
    lock_wait_seconds: float | None = None,
    page_size: int = PAGE_SIZE,
) -> RunReport:
    """Run the reminders for ``today``. Safe to run any number of times, in any number of
    processes: each decision is acted on once."""
    report = RunReport(run_date=today, dry_run=dry_run)
    sources = list(sources) if sources is not None else default_sources(rules)
    holder = secrets.token_hex(8)
    if not dry_run:
        wait = rules.lock_wait_seconds if lock_wait_seconds is None else lock_wait_seconds
        deadline = time.monotonic() + wait
        while not acquire_lock(LOCK_NAME, holder):
            if time.monotonic() >= deadline:
                raise RunInProgress(
                    "another reminder run is in progress; its decisions are not repeated"
                )
            time.sleep(0.5)
    # A run that grows the ledger and the notifications from (nearly) nothing refreshes
    # PostgreSQL's statistics as they double, and before the digests: planned on "empty",
    # the ledger lookup of each page became a scan (234 s of a 302 s first run at xl with
    # autovacuum off; autovacuum's own ANALYZE may come a minute late, or never).
    try:
        directory = Directory.load()
        db.session.commit()
        decisions = _Decisions(report, today, rules, directory, holder, dry_run)
        # A preview runs in one thread: its lines come in the sources' order.
        workers = 1 if dry_run else digest_workers()
        _run_decisions(decisions, sources, page_size, workers)
        if not dry_run:
            if report.notifications > ANALYZE_AFTER:
                _refresh_statistics("reminder_ledger", "notification")
            report.digests = build_digests(
                today, directory, base_url, report.digest_summaries, workers
            )
            if report.digests > ANALYZE_AFTER // 10:
                _refresh_statistics("outbox_message", "notification")
    finally:
        db.session.rollback()
        if not dry_run:
            release_lock(LOCK_NAME, holder)
    return report


PREVIEW_LINES = 10


def _preview(report: RunReport, items: list[Item], directory: Directory) -> None:
    """Count each person's items and keep the first few lines (memory stays flat)."""
    for item in items:
        person = directory.people[item.user_id]
        channel = "" if person.wants_email else " (in-app only)"
        who = person.email + channel
        report.preview_counts[who] = report.preview_counts.get(who, 0) + 1
        lines = report.preview.setdefault(who, [])
        if len(lines) < PREVIEW_LINES:
            lines.append(f"{SEVERITY_LABELS[item.severity]}: {item.headline}")
        report.notifications += 1


# --- snoozes ---------------------------------------------------------------------------


def active_snooze(action_id: int, today: date) -> ActionSnooze | None:
    return db.session.scalar(
        select(ActionSnooze)
        .where(
            and_(
                ActionSnooze.action_id == action_id,
                ActionSnooze.ended_at.is_(None),
                ActionSnooze.snoozed_until >= today,
            )
        )
        .order_by(ActionSnooze.created_at.desc())
        .limit(1)
    )
