"""The reminder run: decide who must be told what today, record each decision once in the
ledger, and gather each person's items into one digest. The small interface is
:func:`run_reminders` (with :class:`RunReport` and :class:`RunInProgress`) and
:func:`digest_workers`; the rest of the engine lives in modules named after their part:

- :mod:`.subjects` and :mod:`.sources`: what can be reminded about;
- :mod:`.directory`: the people who are told;
- :mod:`.decisions`: the decisions, their ledger and the items they make;
- :mod:`.digests`: the digests gathering each person's items;
- :mod:`.lock`: the job lock; :mod:`.workers`: the worker threads of each phase.

A run:

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

A dry run (the preview) decides without recording anything, and reports how many items
each person would get and the first few lines.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import text

from sgreviews.extensions import db
from sgreviews.services.reminders.decisions import (
    Item,
    decide,
    items_for,
    record_decisions,
    store_items,
)
from sgreviews.services.reminders.digests import SEVERITY_LABELS, DigestSummary, build_digests
from sgreviews.services.reminders.directory import Directory
from sgreviews.services.reminders.lock import LOCK_NAME, acquire_lock, heartbeat, release_lock
from sgreviews.services.reminders.rules import ReminderRules
from sgreviews.services.reminders.sources import default_sources
from sgreviews.services.reminders.subjects import ReminderSource, Subject
from sgreviews.services.reminders.workers import in_worker_threads

PAGE_SIZE = 2000


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
    in_worker_threads(lambda: decisions.work(cursor), workers, "decisions")


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
