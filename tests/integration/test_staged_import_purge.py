"""Abandoned staged imports (tracker uploads whose preview was never confirmed) are
deleted after SGREVIEWS_STAGED_IMPORT_HOURS: by the scheduler's hourly job and by
``sgreviews import purge-staged``. Both storages are covered by the same purge in
tests/unit/test_storage.py; here the job and the command, on a local folder whose file
times can be set back."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from sgreviews.jobs.scheduler import build_scheduler
from sgreviews.services.actions import staged_imports
from sgreviews.services.reminders.wiring import current_rules
from sgreviews.services.storage import Storage, build_storage


@pytest.fixture
def storage(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Storage:
    settings = app.extensions["sgreviews.settings"]
    settings = dataclasses.replace(
        settings,
        instance_path=tmp_path,
        evidence_dir=tmp_path / "evidence",
        storage=dataclasses.replace(settings.storage, staged_import_hours=24),
    )
    monkeypatch.setitem(app.extensions, "sgreviews.settings", settings)
    built = build_storage(settings)
    monkeypatch.setitem(app.extensions, "sgreviews.storage", built)
    return built


def _age(folder: Path, token: str, hours: float) -> None:
    when = time.time() - hours * 3600
    os.utime(folder / token, (when, when))


def test_the_command_deletes_only_abandoned_staged_imports(
    app: Flask, storage: Storage, tmp_path: Path
) -> None:
    old = staged_imports.stage(storage.imports, "csv", b"a,b\n")
    recent = staged_imports.stage(storage.imports, "xlsx", b"PK")
    _age(tmp_path / "imports", old, 25)
    _age(tmp_path / "imports", recent, 23)
    storage.evidence.put("0123abcd", b"%PDF- evidence is never purged")
    _age(tmp_path / "evidence", "0123abcd", 1000)

    result = app.test_cli_runner().invoke(args=["import", "purge-staged"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 abandoned staged imports deleted, 1 recent kept"
    assert {p.name for p in (tmp_path / "imports").iterdir()} == {recent}
    assert storage.evidence.exists("0123abcd")

    result = app.test_cli_runner().invoke(
        args=["import", "purge-staged", "--older-than-hours", "22"]
    )
    assert result.output.strip() == "1 abandoned staged imports deleted, 0 recent kept"
    assert list((tmp_path / "imports").iterdir()) == []


def test_the_command_refuses_a_zero_age(app: Flask, storage: Storage) -> None:
    result = app.test_cli_runner().invoke(
        args=["import", "purge-staged", "--older-than-hours", "0"]
    )
    assert result.exit_code != 0
    assert "--older-than-hours" in result.output


def test_the_scheduler_purges_hourly(app: Flask, storage: Storage, tmp_path: Path) -> None:
    with app.app_context():
        scheduler = build_scheduler(app, current_rules())
    job = scheduler.get_job("purge-staged-imports")
    assert job is not None
    assert job.trigger.interval == timedelta(hours=1)
    old = staged_imports.stage(storage.imports, "csv", b"a,b\n")
    _age(tmp_path / "imports", old, 30)
    job.func()  # what the scheduler runs, in its own app context
    assert not storage.imports.exists(old)
