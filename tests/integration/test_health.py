"""/health/live and /health/ready (issue 21): public JSON for load balancers and
monitoring. Ready means the database answers, its schema is at the migrations' head and
the scheduler beat recently."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.jobs.scheduler import build_scheduler
from sgreviews.services.operations.heartbeat import (
    HEARTBEAT_SECONDS,
    STALE_AFTER,
    last_heartbeat,
    record_heartbeat,
)
from sgreviews.services.operations.readiness import migration_heads
from sgreviews.services.reminders.wiring import current_rules
from tests.conftest import make_test_app


def _beat(app: Flask, age: timedelta) -> None:
    with app.app_context():
        now = utcnow()
        record_heartbeat(started_at=now - timedelta(hours=1), now=now - age)
        db.session.commit()


def test_live_answers_without_touching_the_database(app: Flask) -> None:
    response = app.test_client().get("/health/live")
    assert response.status_code == 200
    assert response.get_json() == {"status": "live"}
    assert response.headers["Cache-Control"] == "no-store"


def test_the_old_health_path_still_answers(app: Flask) -> None:
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_with_a_fresh_heartbeat(app: Flask) -> None:
    _beat(app, timedelta(seconds=5))
    response = app.test_client().get("/health/ready")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "scheduler": True,
    }
    assert body["checks"]["scheduler"]["age_seconds"] in (5, 6)


def test_not_ready_when_the_heartbeat_is_stale(app: Flask) -> None:
    _beat(app, STALE_AFTER + timedelta(seconds=30))
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["scheduler"]["ok"] is False
    assert "too old" in body["checks"]["scheduler"]["detail"]
    assert body["checks"]["database"]["ok"] is True


def test_not_ready_when_no_scheduler_ever_ran(app: Flask) -> None:
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"]["detail"] == "no scheduler has ever run"


def test_not_ready_when_migrations_are_not_at_head(app: Flask) -> None:
    _beat(app, timedelta(seconds=5))
    with app.app_context():
        (head,) = migration_heads(app.extensions["migrate"].directory)
        # Rolled back with the test's transaction.
        db.session.execute(text("UPDATE alembic_version SET version_num = '0016'"))
        db.session.commit()
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    migrations = response.get_json()["checks"]["migrations"]
    assert migrations["ok"] is False
    assert migrations["database"] == "0016"
    assert migrations["head"] == head != "0016"
    assert response.get_json()["checks"]["scheduler"]["ok"] is True


@pytest.mark.own_database
def test_database_down_live_but_not_ready(tmp_path: Path) -> None:
    # Nothing listens on port 1: every connection attempt is refused at once.
    app = make_test_app("postgresql+psycopg://postgres:secret@127.0.0.1:1/none", tmp_path)
    client = app.test_client()
    assert client.get("/health/live").status_code == 200
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == {"ok": False, "detail": "the database did not answer"}
    assert "secret" not in response.get_data(as_text=True)
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_the_scheduler_beats_first_and_every_minute(app: Flask) -> None:
    with app.app_context():
        scheduler = build_scheduler(app, current_rules())
    job = scheduler.get_job("heartbeat")
    assert job is not None
    assert job.trigger.interval == timedelta(seconds=HEARTBEAT_SECONDS)
    job.func()  # what the scheduler runs, in its own app context
    with app.app_context():
        beat = last_heartbeat()
        assert beat is not None
        assert utcnow() - beat.beat_at < timedelta(seconds=30)
    assert app.test_client().get("/health/ready").status_code == 200
