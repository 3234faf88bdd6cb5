"""Two people saving the same action, finding or review at the same moment, each in their
own connection and transaction, committing for real: exactly one save wins, the other is
refused, and the winner's change is what is stored. No update is lost silently.

Runs on a database of its own (SQLite file or a PostgreSQL database named after the test
one), because the writes must commit for real to race."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Action, Finding, FindingKind, Review, Role, User
from sgreviews.services.actions import writes as actions
from sgreviews.services.editing import StaleEdit
from sgreviews.services.reviews import details as review_details
from sgreviews.services.reviews import findings
from sgreviews.services.reviews.lifecycle import StaleReviewError
from tests import factories
from tests.conftest import make_test_app
from tests.databases import fresh_database

pytestmark = pytest.mark.own_database

# What a refused concurrent save may look like: the version check saw the other save
# (StaleEdit / StaleReviewError), the UPDATE found the version changed (StaleDataError), or
# SQLite refused the second writer's lock (OperationalError).
REFUSED = (StaleEdit, StaleReviewError, StaleDataError, OperationalError)


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = fresh_database(tmp_path_factory.mktemp("race-db"), suffix="_race")
    app = make_test_app(url, Path(tmp_path_factory.mktemp("race-instance")))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def world(racing_app: Flask) -> dict[str, int]:
    with racing_app.app_context():
        secretariat = factories.user(Role.SECRETARIAT)
        review = factories.review(started_on=london_today() - timedelta(days=30))
        finding = factories.finding(review)
        action = factories.action(finding_=finding)
        db.session.commit()
        return {
            "user": secretariat.id,
            "review": review.id,
            "finding": finding.id,
            "action": action.id,
        }


def race(app: Flask, save: Callable[[str, threading.Barrier], None]) -> dict[str, object]:
    """Run ``save`` in two threads, each with its own session and connection; ``save``
    waits at the barrier after loading, so both load before either writes."""
    ready = threading.Barrier(2, timeout=30)
    outcome: dict[str, object] = {}

    def writer(name: str) -> None:
        with app.app_context():
            try:
                save(name, ready)
                db.session.commit()
                outcome[name] = "saved"
            except REFUSED as error:
                db.session.rollback()
                outcome[name] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def one_winner(outcome: dict[str, object]) -> str:
    winners = [name for name, result in outcome.items() if result == "saved"]
    losers = [name for name, result in outcome.items() if isinstance(result, REFUSED)]
    assert len(winners) == 1 and len(losers) == 1, outcome
    return winners[0]


def test_concurrent_action_edits_never_overwrite_silently(
    racing_app: Flask, world: dict[str, int]
) -> None:
    def save(name: str, ready: threading.Barrier) -> None:
        user = db.session.get(User, world["user"])
        action = db.session.get(Action, world["action"])
        assert user is not None and action is not None
        version = action.version
        ready.wait()
        fields = actions.ActionFields(
            outcome_sought=action.outcome_sought,
            action_text=f"Text saved by the {name} writer",
            measure_of_success=action.measure_of_success,
            owning_agency_id=action.owning_agency_id,
            due_date=action.due_date,
        )
        actions.update_action(actor=user, action=action, expected_version=version, fields=fields)

    winner = one_winner(race(racing_app, save))
    with racing_app.app_context():
        action = db.session.get(Action, world["action"])
        assert action is not None
        assert action.action_text == f"Text saved by the {winner} writer"
        assert action.version == 2


def test_concurrent_finding_edits_never_overwrite_silently(
    racing_app: Flask, world: dict[str, int]
) -> None:
    settings = racing_app.extensions["sgreviews.settings"]

    def save(name: str, ready: threading.Barrier) -> None:
        user = db.session.get(User, world["user"])
        finding = db.session.get(Finding, world["finding"])
        assert user is not None and finding is not None
        version = finding.version
        ready.wait()
        findings.update_finding(
            actor=user,
            finding=finding,
            expected_version=version,
            kind=FindingKind.LEARNING_POINT,
            text=f"Learning written by the {name} writer",
            theme_keys=[],
            agency_ids=[],
            themes_path=settings.config_dir / "themes.toml",
        )

    winner = one_winner(race(racing_app, save))
    with racing_app.app_context():
        finding = db.session.get(Finding, world["finding"])
        assert finding is not None and finding.text == f"Learning written by the {winner} writer"


def test_concurrent_review_edits_never_overwrite_silently(
    racing_app: Flask, world: dict[str, int]
) -> None:
    def save(name: str, ready: threading.Barrier) -> None:
        user = db.session.get(User, world["user"])
        review = db.session.get(Review, world["review"])
        assert user is not None and review is not None
        version = review.version
        ready.wait()
        review_details.update_details(
            user,
            review,
            reference=review.reference,
            subject_label=f"Child {name[0].upper()}",
            national_reference="",
            jurisdiction="",
            variant="",
            aware_on=None,
            notified_on=None,
            completed_on=None,
            expected_version=version,
        )

    winner = one_winner(race(racing_app, save))
    with racing_app.app_context():
        review = db.session.get(Review, world["review"])
        assert review is not None and review.subject_label == f"Child {winner[0].upper()}"
