"""The digest phase with several threads at once (``build_digests(workers=N)``, the
default on PostgreSQL), on a database of its own: every unsent item lands in exactly one
digest, each person gets one digest per batch of their items, and the counts and bodies
match the items claimed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Notification, OutboxMessage, Role, User
from sgreviews.services.reminders import digests
from sgreviews.services.reminders.directory import Directory
from tests.conftest import make_test_app
from tests.databases import fresh_database

PEOPLE = 9
ITEMS_EACH = 7
TODAY = date(2026, 12, 3)


@pytest.fixture
def digest_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """Committed data on a database of its own: each worker thread has its own connection
    and must see it."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    url = fresh_database(tmp_path, suffix="_digests")
    application = make_test_app(url, tmp_path / "instance")
    with application.app_context():
        upgrade()
        for number in range(PEOPLE):
            user = User(
                email=f"lead{number}@digest.example",
                display_name=f"Lead {number}",
                role=Role.AGENCY_LEAD,
                password_hash="x",
            )
            db.session.add(user)
            db.session.flush()
            for item in range(ITEMS_EACH):
                db.session.add(
                    Notification(
                        user_id=user.id,
                        subject_type="action",
                        subject_id=number * 100 + item,
                        run_date=TODAY,
                        severity="overdue",
                        headline=f"ACT-{number}-{item} is {item + 1} days overdue",
                        detail="Fictional action for Child Q.",
                        link_path=f"/actions/{number * 100 + item}",
                        wants_email=True,
                    )
                )
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("workers", [1, 3])
def test_every_item_in_exactly_one_digest(
    digest_app: Flask, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two people a batch: five batches shared among the threads.
    monkeypatch.setattr(digests, "DIGEST_BATCH", 2)
    with digest_app.app_context():
        directory = Directory.load()
        db.session.commit()
        summaries: list[digests.DigestSummary] = []
        made = digests.build_digests(
            TODAY, directory, "https://reviews.test.example", summaries, workers
        )
        assert made == PEOPLE
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.digest_id.is_(None))
            )
            == 0
        )
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert len(messages) == PEOPLE
        assert Counter(message.recipient_user_id for message in messages).most_common(1)[0][1] == 1
        claimed = dict(
            db.session.execute(
                select(Notification.digest_id, func.count()).group_by(Notification.digest_id)
            ).all()
        )
        for message in messages:
            assert message.item_count == ITEMS_EACH == claimed[message.id]
            number = message.to_address.removeprefix("lead").split("@")[0]
            assert f"ACT-{number}-0 is 1 days overdue" in message.body_text
            assert "ACT-" + str((int(number) + 1) % PEOPLE) + "-0" not in message.body_text
        assert sorted(summary.to_address for summary in summaries) == sorted(
            f"lead{number}@digest.example" for number in range(PEOPLE)
        )
        # Nothing left: a second pass makes no digest.
        assert digests.build_digests(TODAY, directory, "https://x.example", [], workers) == 0
