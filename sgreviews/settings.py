"""Typed settings read from the environment.

Secrets and connection strings come only from environment variables (see
``config/env.example``). Defaults are safe for production or absent: a production
deployment without ``SECRET_KEY`` refuses to start.
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "testing")


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot give a safe configuration."""


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "")
    if raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from error


def default_sqlite_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'sgreviews.db'}"


def web_workers(env: Mapping[str, str]) -> int:
    """gunicorn's worker processes: GUNICORN_WORKERS, else two per CPU plus one. Read by
    ``config/gunicorn.conf.py`` and by the production check of the rate limiter's store."""
    raw = env.get("GUNICORN_WORKERS", "")
    if raw == "":
        return multiprocessing.cpu_count() * 2 + 1
    try:
        workers = int(raw)
    except ValueError as error:
        raise ConfigurationError(f"GUNICORN_WORKERS must be a whole number, not {raw!r}") from error
    if workers < 1:
        raise ConfigurationError(f"GUNICORN_WORKERS must be at least 1, not {workers}")
    return workers


def _is_local_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost") or host == "":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    environment: str
    secret_key: str
    database_url: str
    instance_path: Path
    session_cookie_secure: bool
    session_idle_minutes: int
    evidence_dir: Path
    config_dir: Path
    base_url: str
    evidence_max_mb: int = 20
    # Security settings (issue 8). Defaults keep other tests and the demo working.
    two_factor_required: bool = True
    ratelimit_storage_uri: str = "memory://"
    sign_in_rate_limit: str = "20 per minute"
    lockout_threshold: int = 10
    lockout_minutes: int = 15
    # Reverse proxies in front of the app whose X-Forwarded-For (and -Proto, -Host) are
    # trusted; 0 trusts none and the client address is the connection's.
    trusted_proxies: int = 0
    # Benchmarks only (benchmarks/pages.py): the size of the bare "floor" page at
    # /benchmark/floor; 0 (the default) leaves the route out. Refused in production.
    benchmark_floor_bytes: int = 0
    # Threads building reminder digests at once, each with its own database connection;
    # 0 (the default) means 2 on PostgreSQL and 1 on SQLite, which has one writer at a time.
    digest_workers: int = 0
    # The JSON API (issue 21): requests allowed per token (and, for requests with no
    # valid token, per client address), in Flask-Limiter's notation; "" is no limit.
    api_rate_limit: str = "300 per minute"
    # The longest life a personal access token may be given, in days.
    api_token_max_days: int = 365
    # Production refuses these unsafe defaults unless the matching SGREVIEWS_ALLOW_*
    # variable says they are meant (see ``refuse_unsafe_production``).
    allow_sqlite: bool = False
    allow_local_base_url: bool = False
    allow_memory_ratelimit: bool = False
    web_workers: int = 1
    # "json" (one JSON object a line, with the request id) or "text".
    log_format: str = "text"

    @classmethod
    def from_env(cls, overrides: dict[str, str] | None = None) -> Settings:
        """Read settings from the process environment, with optional test overrides."""
        env = dict(os.environ)
        if overrides:
            env.update(overrides)
        environment = env.get("SGREVIEWS_ENV", "production")
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(
                f"SGREVIEWS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}"
            )
        instance_path = Path(env.get("SGREVIEWS_INSTANCE_PATH", PROJECT_ROOT / "instance"))
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key:
            if environment == "production":
                raise ConfigurationError(
                    "SECRET_KEY is not set. Production refuses to start without it: set "
                    "SECRET_KEY to a long random value (for example the output of "
                    "`python -c 'import secrets; print(secrets.token_hex(32))'`), or set "
                    "SGREVIEWS_ENV=development for a local demo."
                )
            secret_key = _development_secret(instance_path)
        database_url = env.get("DATABASE_URL") or default_sqlite_url(instance_path)
        return cls(
            environment=environment,
            secret_key=secret_key,
            database_url=database_url,
            instance_path=instance_path,
            session_cookie_secure=_flag(env, "SESSION_COOKIE_SECURE", environment == "production"),
            session_idle_minutes=_int(env, "SGREVIEWS_SESSION_IDLE_MINUTES", 30),
            evidence_dir=Path(env.get("SGREVIEWS_EVIDENCE_DIR", instance_path / "evidence")),
            config_dir=Path(env.get("SGREVIEWS_CONFIG_DIR", PROJECT_ROOT / "config")),
            base_url=env.get("SGREVIEWS_BASE_URL", "http://127.0.0.1:5000"),
            evidence_max_mb=_int(env, "SGREVIEWS_EVIDENCE_MAX_MB", 20),
            two_factor_required=_two_factor(env, environment),
            ratelimit_storage_uri=env.get("SGREVIEWS_RATELIMIT_STORAGE_URI") or "memory://",
            sign_in_rate_limit=_rate_limit(env, environment),
            lockout_threshold=_int(env, "SGREVIEWS_LOCKOUT_THRESHOLD", 10),
            lockout_minutes=_int(env, "SGREVIEWS_LOCKOUT_MINUTES", 15),
            trusted_proxies=_trusted_proxies(env),
            benchmark_floor_bytes=_floor_bytes(env, environment),
            digest_workers=_digest_workers(env),
            api_rate_limit=_api_rate_limit(env, environment),
            api_token_max_days=_api_token_max_days(env),
            allow_sqlite=_flag(env, "SGREVIEWS_ALLOW_SQLITE", False),
            allow_local_base_url=_flag(env, "SGREVIEWS_ALLOW_LOCAL_BASE_URL", False),
            allow_memory_ratelimit=_flag(env, "SGREVIEWS_ALLOW_MEMORY_RATELIMIT", False),
            web_workers=web_workers(env),
            log_format=_log_format(env, environment),
        )

    def unsafe_production_defaults(self) -> list[str]:
        """What a production start would run on that suits only a single test machine,
        each with the way to fix it or to say it is meant. Empty outside production."""
        if self.environment != "production":
            return []
        problems = []
        if self.database_url.startswith("sqlite") and not self.allow_sqlite:
            problems.append(
                "the database is SQLite (set DATABASE_URL to PostgreSQL, "
                "or SGREVIEWS_ALLOW_SQLITE=1)"
            )
        if _is_local_host(self.base_url) and not self.allow_local_base_url:
            problems.append(
                f"SGREVIEWS_BASE_URL {self.base_url!r} is this machine, so links in emails "
                "cannot work (set the public address, or SGREVIEWS_ALLOW_LOCAL_BASE_URL=1)"
            )
        if (
            self.ratelimit_storage_uri.startswith("memory://")
            and self.sign_in_rate_limit
            and self.web_workers > 1
            and not self.allow_memory_ratelimit
        ):
            problems.append(
                f"the sign-in rate limiter counts in memory with {self.web_workers} gunicorn "
                "workers, each counting alone (set SGREVIEWS_RATELIMIT_STORAGE_URI to "
                "redis://..., GUNICORN_WORKERS=1, or SGREVIEWS_ALLOW_MEMORY_RATELIMIT=1)"
            )
        return problems

    def refuse_unsafe_production(self) -> None:
        """Stop a production start on unsafe defaults, naming each (``create_app``)."""
        problems = self.unsafe_production_defaults()
        if problems:
            raise ConfigurationError(
                "Production refuses unsafe settings: " + "; ".join(problems) + "."
            )


def _log_format(env: dict[str, str], environment: str) -> str:
    raw = env.get("SGREVIEWS_LOG_FORMAT", "").strip().lower()
    if raw == "":
        return "json" if environment == "production" else "text"
    if raw not in ("json", "text"):
        raise ConfigurationError(f"SGREVIEWS_LOG_FORMAT must be json or text, not {raw!r}")
    return raw


def _digest_workers(env: dict[str, str]) -> int:
    workers = _int(env, "SGREVIEWS_DIGEST_WORKERS", 0)
    if not 0 <= workers <= 16:
        raise ConfigurationError(
            f"SGREVIEWS_DIGEST_WORKERS must be between 0 (automatic) and 16, not {workers}"
        )
    return workers


def _trusted_proxies(env: dict[str, str]) -> int:
    name = "SGREVIEWS_TRUSTED_PROXIES"
    hops = _int(env, name, 0)
    if not 0 <= hops <= 5:
        raise ConfigurationError(f"{name} must be the number of proxies, 0 to 5, not {hops}")
    return hops


def _floor_bytes(env: dict[str, str], environment: str) -> int:
    size = _int(env, "SGREVIEWS_BENCHMARK_FLOOR_BYTES", 0)
    if size < 0 or size > 10 * 1024 * 1024:
        raise ConfigurationError("SGREVIEWS_BENCHMARK_FLOOR_BYTES must be from 0 to 10485760")
    if size and environment == "production":
        raise ConfigurationError(
            "SGREVIEWS_BENCHMARK_FLOOR_BYTES is for benchmarks and is refused in production"
        )
    return size


def _api_rate_limit(env: dict[str, str], environment: str) -> str:
    """SGREVIEWS_API_RATE_LIMIT: API requests allowed per token (per client address for
    requests without a valid token), in Flask-Limiter's notation, or ``off``. Off by
    default in testing, like the sign-in limit (schemathesis makes hundreds of calls)."""
    from limits import parse_many

    raw = env.get("SGREVIEWS_API_RATE_LIMIT", "").strip()
    if raw == "":
        return "" if environment == "testing" else "300 per minute"
    if raw.lower() == "off":
        return ""
    try:
        parse_many(raw)
    except ValueError as error:
        raise ConfigurationError(
            f"SGREVIEWS_API_RATE_LIMIT must look like '300 per minute' or be off, not {raw!r}"
        ) from error
    return raw


def _api_token_max_days(env: dict[str, str]) -> int:
    days = _int(env, "SGREVIEWS_API_TOKEN_MAX_DAYS", 365)
    if not 1 <= days <= 3650:
        raise ConfigurationError(
            f"SGREVIEWS_API_TOKEN_MAX_DAYS must be between 1 and 3650, not {days}"
        )
    return days


def _development_secret(instance_path: Path) -> str:
    """A per-checkout secret for development, kept in the instance folder so sessions
    survive a restart. Never used in production."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def _two_factor(env: dict[str, str], environment: str) -> bool:
    """SGREVIEWS_TWO_FACTOR=required|off. Required by default in production, and production
    refuses ``off``; development and testing default to ``off`` so the demo and tests can
    sign in as administrators, secretariat and chairs with a password alone."""
    raw = env.get("SGREVIEWS_TWO_FACTOR", "").strip().lower()
    if raw == "":
        return environment == "production"
    if raw not in ("required", "off"):
        raise ConfigurationError(f"SGREVIEWS_TWO_FACTOR must be required or off, not {raw!r}")
    if raw == "off" and environment == "production":
        raise ConfigurationError(
            "SGREVIEWS_TWO_FACTOR=off is refused in production: administrators, secretariat "
            "and chairs must use two-factor authentication."
        )
    return raw == "required"


def _rate_limit(env: dict[str, str], environment: str) -> str:
    """SGREVIEWS_SIGN_IN_RATE_LIMIT: sign-in attempts allowed per client address, in
    Flask-Limiter's notation ("20 per minute", "20/minute;200/hour"), or ``off``. The test
    suite signs in hundreds of times from one address, so testing defaults to off."""
    from limits import parse_many

    raw = env.get("SGREVIEWS_SIGN_IN_RATE_LIMIT", "").strip()
    if raw == "":
        return "" if environment == "testing" else "20 per minute"
    if raw.lower() == "off":
        return ""
    try:
        parse_many(raw)
    except ValueError as error:
        raise ConfigurationError(
            f"SGREVIEWS_SIGN_IN_RATE_LIMIT must look like '20 per minute' or be off, not {raw!r}"
        ) from error
    return raw
