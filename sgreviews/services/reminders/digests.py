"""Digests: each person's unsent reminder items gathered into one outbox message, and the
message rendered.

:func:`build_digests` walks the people with unsent items a batch at a time (one
transaction per batch: messages inserted, items claimed with a conditional UPDATE so an
item joins exactly one digest, bodies rendered), optionally in several threads that share
one recipient cursor. :func:`render_digest` renders one digest's subject, text and HTML,
most urgent items first under their severity labels.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import cast

from flask import current_app
from sqlalchemy import Table, bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import aliased

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Notification, OutboxMessage, OutboxState
from sgreviews.services.reminders.decisions import SEVERITY_RANK
from sgreviews.services.reminders.directory import Directory, Person
from sgreviews.services.reminders.workers import in_worker_threads

DIGEST_BATCH = 200
# Items listed in the email itself; the rest are on the notifications page.
DIGEST_ITEM_LIMIT = 100

NOTIFICATIONS = cast(Table, Notification.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)


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

    def build() -> int:
        return _build_digests_from(cursor, today, directory, base_url, summaries)

    return sum(in_worker_threads(build, workers, "digests"))


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
    "decision": "Decisions on your actions",
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
            for severity in ("decision", "escalation", "overdue", "due", "due_soon")
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
