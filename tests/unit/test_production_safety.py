"""Production refuses the defaults that suit only one test machine (issue 21): SQLite, a
base URL on this machine, and a rate limiter counting in memory with several workers;
each is named, with the variable that allows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews import create_app
from sgreviews.settings import ConfigurationError, Settings, web_workers

SAFE = {
    "SGREVIEWS_ENV": "production",
    "SECRET_KEY": "a-production-like-secret-key-for-this-test-only",
    "DATABASE_URL": "postgresql+psycopg://sgreviews@db.example:5432/sgreviews",
    "SGREVIEWS_BASE_URL": "https://reviews.example.gov.uk",
    "SGREVIEWS_RATELIMIT_STORAGE_URI": "memory://",
    "GUNICORN_WORKERS": "1",
}


def _problems(tmp_path: Path, **changes: str) -> list[str]:
    overrides = {**SAFE, "SGREVIEWS_INSTANCE_PATH": str(tmp_path), **changes}
    return Settings.from_env(overrides).unsafe_production_defaults()


def test_safe_production_settings_start(tmp_path: Path) -> None:
    assert _problems(tmp_path) == []
    app = create_app({**SAFE, "SGREVIEWS_INSTANCE_PATH": str(tmp_path)})
    assert app.extensions["sgreviews.settings"].environment == "production"


def test_sqlite_is_refused_unless_allowed(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, DATABASE_URL="")
    assert "SQLite" in problem and "SGREVIEWS_ALLOW_SQLITE=1" in problem
    assert _problems(tmp_path, DATABASE_URL="", SGREVIEWS_ALLOW_SQLITE="1") == []


@pytest.mark.parametrize(
    "base_url",
    ["", "http://127.0.0.1:5000", "http://localhost:8000", "https://[::1]/", "http://127.0.1.1"],
)
def test_a_base_url_on_this_machine_is_refused_unless_allowed(
    tmp_path: Path, base_url: str
) -> None:
    (problem,) = _problems(tmp_path, SGREVIEWS_BASE_URL=base_url)
    assert "SGREVIEWS_BASE_URL" in problem and "SGREVIEWS_ALLOW_LOCAL_BASE_URL=1" in problem
    allowed = _problems(tmp_path, SGREVIEWS_BASE_URL=base_url, SGREVIEWS_ALLOW_LOCAL_BASE_URL="1")
    assert allowed == []


def test_a_memory_rate_limiter_with_several_workers_is_refused_unless_allowed(
    tmp_path: Path,
) -> None:
    (problem,) = _problems(tmp_path, GUNICORN_WORKERS="4")
    assert "4 gunicorn workers" in problem
    assert "SGREVIEWS_RATELIMIT_STORAGE_URI" in problem
    assert "SGREVIEWS_ALLOW_MEMORY_RATELIMIT=1" in problem
    assert _problems(tmp_path, GUNICORN_WORKERS="4", SGREVIEWS_ALLOW_MEMORY_RATELIMIT="1") == []
    # A shared store, or no rate limit at all, is safe with any number of workers.
    assert (
        _problems(
            tmp_path,
            GUNICORN_WORKERS="4",
            SGREVIEWS_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        )
        == []
    )
    assert _problems(tmp_path, GUNICORN_WORKERS="4", SGREVIEWS_SIGN_IN_RATE_LIMIT="off") == []


def test_the_workers_default_to_gunicorns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    assert web_workers({}) == 5
    assert web_workers({"GUNICORN_WORKERS": "3"}) == 3
    with pytest.raises(ConfigurationError, match="GUNICORN_WORKERS must be a whole number"):
        web_workers({"GUNICORN_WORKERS": "many"})


def test_a_production_start_names_every_unsafe_default_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as refused:
        create_app(
            {
                "SGREVIEWS_ENV": "production",
                "SECRET_KEY": SAFE["SECRET_KEY"],
                "SGREVIEWS_INSTANCE_PATH": str(tmp_path),
                "GUNICORN_WORKERS": "3",
            }
        )
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("Production refuses unsafe settings: ")
    for named in ("SGREVIEWS_ALLOW_SQLITE", "SGREVIEWS_BASE_URL", "3 gunicorn workers"):
        assert named in message


def test_development_keeps_its_local_defaults(tmp_path: Path) -> None:
    assert (
        _problems(
            tmp_path,
            SGREVIEWS_ENV="development",
            DATABASE_URL="",
            SGREVIEWS_BASE_URL="",
            GUNICORN_WORKERS="4",
        )
        == []
    )
