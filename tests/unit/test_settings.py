from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews import create_app
from sgreviews.settings import ConfigurationError, Settings


def test_production_without_secret_key_refuses_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app({"SGREVIEWS_ENV": "production", "SGREVIEWS_INSTANCE_PATH": str(tmp_path)})


def test_development_generates_and_keeps_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    overrides = {"SGREVIEWS_ENV": "development", "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    first = Settings.from_env(overrides).secret_key
    assert len(first) >= 32
    assert Settings.from_env(overrides).secret_key == first


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    app = create_app(
        {
            "SGREVIEWS_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "SGREVIEWS_INSTANCE_PATH": str(tmp_path),
            # Production refuses these unless allowed (test_production_safety).
            "SGREVIEWS_ALLOW_SQLITE": "1",
            "SGREVIEWS_BASE_URL": "https://sgreviews.example",
            "SGREVIEWS_ALLOW_MEMORY_RATELIMIT": "1",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SGREVIEWS_ENV", "staging", "SGREVIEWS_ENV must be one of"),
        ("SESSION_COOKIE_SECURE", "perhaps", "must be true or false"),
        ("SGREVIEWS_SESSION_IDLE_MINUTES", "ten", "must be a whole number"),
        ("SGREVIEWS_DIGEST_WORKERS", "two", "SGREVIEWS_DIGEST_WORKERS must be a whole number"),
        ("SGREVIEWS_DIGEST_WORKERS", "40", "SGREVIEWS_DIGEST_WORKERS must be between 0"),
        ("SGREVIEWS_SIMILARITY_BACKEND", "bm25", "must be lexical or embedding"),
        ("SGREVIEWS_SIMILARITY_BACKEND", "embedding", "needs SGREVIEWS_EMBEDDING_MODEL"),
        ("SGREVIEWS_EMBEDDING_MODEL", "/nonexistent/model", "is not a directory"),
    ],
)
def test_bad_settings_are_named(name: str, value: str, message: str, tmp_path: Path) -> None:
    overrides = {"SGREVIEWS_ENV": "development", "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    overrides[name] = value
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(overrides)


def test_the_embedding_backend_without_its_package_stops_start_up(tmp_path: Path) -> None:
    """The optional embedding engine needs sentence-transformers, which this install
    lacks (it is never a dependency here): start-up names what is missing."""
    from importlib.util import find_spec

    from sgreviews.services.learning.engines import EngineUnavailable

    assert find_spec("sentence_transformers") is None
    with pytest.raises(EngineUnavailable, match="needs the sentence-transformers package"):
        create_app(
            {
                "SGREVIEWS_ENV": "testing",
                "SECRET_KEY": "test-secret-key-not-for-production",
                "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
                "SGREVIEWS_SIMILARITY_BACKEND": "embedding",
                "SGREVIEWS_EMBEDDING_MODEL": str(tmp_path),
            }
        )


def test_the_lexical_backend_is_the_default(tmp_path: Path) -> None:
    overrides = {"SGREVIEWS_ENV": "development", "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    settings = Settings.from_env(overrides)
    assert (settings.similarity_backend, settings.similarity_model) == ("lexical", None)
