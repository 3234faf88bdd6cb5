"""Security settings: two-factor, rate limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews.settings import ConfigurationError, Settings


def _settings(tmp_path: Path, **extra: str) -> Settings:
    overrides = {"SECRET_KEY": "x" * 40, "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    overrides.update(extra)
    return Settings.from_env(overrides)


def test_two_factor_is_required_in_production_by_default(tmp_path: Path) -> None:
    assert _settings(tmp_path, SGREVIEWS_ENV="production").two_factor_required is True
    assert _settings(tmp_path, SGREVIEWS_ENV="development").two_factor_required is False
    assert _settings(tmp_path, SGREVIEWS_ENV="testing").two_factor_required is False


def test_production_refuses_two_factor_off(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="refused in production"):
        _settings(tmp_path, SGREVIEWS_ENV="production", SGREVIEWS_TWO_FACTOR="off")


def test_development_may_require_two_factor(tmp_path: Path) -> None:
    settings = _settings(tmp_path, SGREVIEWS_ENV="development", SGREVIEWS_TWO_FACTOR="required")
    assert settings.two_factor_required is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SGREVIEWS_TWO_FACTOR", "sometimes", "SGREVIEWS_TWO_FACTOR must be required or off"),
        ("SGREVIEWS_SIGN_IN_RATE_LIMIT", "lots", "SGREVIEWS_SIGN_IN_RATE_LIMIT must look like"),
        ("SGREVIEWS_LOCKOUT_THRESHOLD", "many", "SGREVIEWS_LOCKOUT_THRESHOLD must be a whole"),
        ("SGREVIEWS_TRUSTED_PROXIES", "yes", "SGREVIEWS_TRUSTED_PROXIES must be a whole"),
        ("SGREVIEWS_TRUSTED_PROXIES", "-1", "SGREVIEWS_TRUSTED_PROXIES must be the number"),
        ("SGREVIEWS_TRUSTED_PROXIES", "9", "SGREVIEWS_TRUSTED_PROXIES must be the number"),
        ("SGREVIEWS_API_RATE_LIMIT", "plenty", "SGREVIEWS_API_RATE_LIMIT must look like"),
        ("SGREVIEWS_API_TOKEN_MAX_DAYS", "0", "SGREVIEWS_API_TOKEN_MAX_DAYS must be between"),
        ("SGREVIEWS_API_TOKEN_MAX_DAYS", "ever", "SGREVIEWS_API_TOKEN_MAX_DAYS must be a whole"),
    ],
)
def test_bad_security_settings_are_named(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _settings(tmp_path, SGREVIEWS_ENV="development", **{name: value})


def test_rate_limit_defaults(tmp_path: Path) -> None:
    assert _settings(tmp_path, SGREVIEWS_ENV="production").sign_in_rate_limit == "20 per minute"
    assert _settings(tmp_path, SGREVIEWS_ENV="testing").sign_in_rate_limit == ""
    off = _settings(tmp_path, SGREVIEWS_ENV="production", SGREVIEWS_SIGN_IN_RATE_LIMIT="off")
    assert off.sign_in_rate_limit == ""
    assert _settings(tmp_path, SGREVIEWS_ENV="production").ratelimit_storage_uri == "memory://"


def test_api_settings_defaults(tmp_path: Path) -> None:
    production = _settings(tmp_path, SGREVIEWS_ENV="production")
    assert production.api_rate_limit == "300 per minute"
    assert production.api_token_max_days == 365
    assert _settings(tmp_path, SGREVIEWS_ENV="testing").api_rate_limit == ""
    chosen = _settings(tmp_path, SGREVIEWS_API_RATE_LIMIT="10/minute;100/hour")
    assert chosen.api_rate_limit == "10/minute;100/hour"


def test_no_proxy_is_trusted_by_default(tmp_path: Path) -> None:
    assert _settings(tmp_path, SGREVIEWS_ENV="production").trusted_proxies == 0
    assert _settings(tmp_path, SGREVIEWS_TRUSTED_PROXIES="2").trusted_proxies == 2
