"""Two processes at once, for real: two `sgreviews reminders run` subprocesses for the same
day, and two `sgreviews scheduler` processes, against a database of their own (SQLite, or
PostgreSQL when the suite runs on it). Every digest arrives exactly once."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from sgreviews.clock import london_today
from sgreviews.models import (
    Action,
    Agency,
    OutboxMessage,
    OutboxState,
    ReminderLedgerEntry,
    Role,
    Sector,
    User,
)
from sgreviews.settings import PROJECT_ROOT
from tests.databases import fresh_database
from tests.smtp import Inbox, smtp_server

SGREVIEWS = str(Path(sys.executable).parent / "sgreviews")
# Offsets from the run day to each action's due date: every kind of reminder.
OFFSETS = [14, 7, 1, 0, -1, -3, -7, -14, -28, -35]
AGENCIES = 6
ACTIONS = 120
LINE = re.compile(r"^\* (\S+) is ", re.M)


def _environment(url: str, tmp: Path, port: int, config_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SGREVIEWS_TEST_DATABASE_URL", None)
    env.update(
        {
            "SGREVIEWS_ENV": "testing",
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DATABASE_URL": url,
            "SGREVIEWS_INSTANCE_PATH": str(tmp / "instance"),
            "SGREVIEWS_SMTP_HOST": "127.0.0.1",
            "SGREVIEWS_SMTP_PORT": str(port),
            "SGREVIEWS_SMTP_STARTTLS": "false",
            "SGREVIEWS_BASE_URL": "https://reviews.test.example",
            "FLASK_APP": "sgreviews",
        }
    )
    if config_dir is not None:
        env["SGREVIEWS_CONFIG_DIR"] = str(config_dir)
    return env


def _seed(url: str, day: date) -> set[tuple[str, str]]:
    """Agencies with two leads each, a secretariat and a chair, and actions due around
    ``day``. Returns the (lead email, action reference) pairs the leads must be told."""
    engine = create_engine(url)
    expected: set[tuple[str, str]] = set()
    with Session(engine) as session:
        session.add(User(email="sec@test.example", display_name="Sec", role=Role.SECRETARIAT,
                         password_hash="x"))  # fmt: skip
        session.add(User(email="chair@test.example", display_name="Chair", role=Role.CHAIR,
                         password_hash="x"))  # fmt: skip
        leads = []
        for number in range(AGENCIES):
            agency = Agency(name=f"Testshire Agency {number}", sector=Sector.HEALTH)
            session.add(agency)
            for which in ("a", "b"):
                lead = User(
                    email=f"lead{number}{which}@test.example",
                    display_name=f"Lead {number}{which}",
                    role=Role.AGENCY_LEAD,
                    agency=agency,
                    password_hash="x",
                )
                session.add(lead)
                leads.append(lead)
        session.flush()
        for number in range(ACTIONS):
            lead = leads[number % len(leads)]
            due = day + timedelta(days=OFFSETS[number % len(OFFSETS)])
            reference = f"ACT-{number:04d}"
            session.add(
                Action(
                    reference=reference,
                    outcome_sought="Outcome",
                    action_text=f"Action {number}",
                    measure_of_success="Measure",
                    owning_agency_id=lead.agency_id,
                    lead_user_id=lead.id,
                    due_date=due,
                    original_due_date=due,
                )
            )
            expected.add((lead.email, reference))
        session.commit()
    engine.dispose()
    return expected


def _database(tmp: Path, suffix: str) -> str:
    """A database of the processes' own: a new SQLite file, or on PostgreSQL the test
    database's name plus the suffix."""
    return fresh_database(tmp, suffix=suffix)


def _upgrade(env: dict[str, str]) -> None:
    subprocess.run(
        [SGREVIEWS, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )


DID_NOT_STOP = "(the scheduler did not stop within 60 s of Ctrl+C and was killed)"


def _stopped_output(process: subprocess.Popen[bytes]) -> str:
    """What a scheduler printed once it stopped after Ctrl+C. One that does not stop in
    time is killed and reaped (a live child would leak into the next test as a
    ResourceWarning) and its output says so, for the caller to fail on."""
    try:
        return process.communicate(timeout=60)[0].decode()
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0].decode() + DID_NOT_STOP


def _check_exactly_once(inbox: Inbox, url: str, expected_leads: set[tuple[str, str]]) -> None:
    received = inbox.take()
    per_recipient = Counter(message.to for message in received)
    assert per_recipient, "no mail arrived"
    assert max(per_recipient.values()) == 1, f"a digest arrived twice: {per_recipient}"
    lines: Counter[tuple[str, str]] = Counter()
    for message in received:
        text = message.part("plain")
        found = LINE.findall(text)
        count = int(re.search(r": (\d+) reminder", message.subject).group(1))  # type: ignore[union-attr]
        assert len(found) == count, message.subject
        lines.update((message.to, reference) for reference in found)
    assert max(lines.values()) == 1, "an item was listed twice"
    assert expected_leads <= set(lines), expected_leads - set(lines)
    # Escalations: the second lead of each agency and the secretariat and chair.
    assert {"sec@test.example", "chair@test.example"} <= set(per_recipient)
    engine = create_engine(url)
    with Session(engine) as session:
        states = Counter(session.scalars(select(OutboxMessage.state)))
        assert states == {OutboxState.SENT: len(received)}
        ledger = session.scalar(select(func.count()).select_from(ReminderLedgerEntry))
        assert ledger and ledger >= ACTIONS
    engine.dispose()


def test_two_reminder_runs_at_once_send_every_digest_exactly_once(tmp_path: Path) -> None:
    day = date(2026, 9, 14)
    url = _database(tmp_path, "_tworuns")
    with smtp_server() as inbox:
        env = _environment(url, tmp_path, inbox.port)
        _upgrade(env)
        expected = _seed(url, day)
        command = [SGREVIEWS, "reminders", "run", "--today", day.isoformat()]
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=180)[0].decode() for process in processes]
        assert [process.returncode for process in processes] == [0, 0], outputs
        # One of them did the work; the other found every decision already made.
        assert any(" 0 new decisions" in output for output in outputs), outputs
        _check_exactly_once(inbox, url, expected)


def test_two_scheduler_processes_at_once_send_every_digest_exactly_once(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    rules = config / "reminders.toml"
    rules.write_text(
        rules.read_text().replace("outbox_interval_seconds = 60", "outbox_interval_seconds = 1")
    )
    url = _database(tmp_path, "_twoschedulers")
    with smtp_server() as inbox:
        env = _environment(url, tmp_path, inbox.port, config)
        _upgrade(env)
        expected = _seed(url, london_today())
        processes = [
            subprocess.Popen(
                [SGREVIEWS, "scheduler"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        try:
            recipients = len({lead for lead, _ in expected}) + 2
            inbox.wait_for(recipients, timeout=90)
            time.sleep(3)  # several more outbox passes in both processes
        finally:
            for process in processes:
                process.send_signal(signal.SIGINT)
            outputs = [_stopped_output(process) for process in processes]
        assert not any(DID_NOT_STOP in output for output in outputs), outputs
        assert all("Scheduler started" in output for output in outputs), outputs
        assert not any("Traceback" in output for output in outputs), outputs
        _check_exactly_once(inbox, url, expected)
