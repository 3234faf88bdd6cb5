"""Typed settings read from the environment.

Secrets and connection strings come only from environment variables (see
``config/env.example``). Defaults are safe for production or absent: a production
deployment without ``SECRET_KEY`` refuses to start.
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "testing")
# How outgoing mail leaves (SGREVIEWS_MAIL_TRANSPORT); each transport's own variables are
# read and checked by ``sgreviews.services.mail.config``.
MAIL_TRANSPORTS = ("smtp", "graph", "notify")


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


def _retention_days(env: dict[str, str]) -> int:
    days = _int(env, "SGREVIEWS_REMOVED_EVIDENCE_RETENTION_DAYS", 90)
    if days < 1:
        raise ConfigurationError(
            f"SGREVIEWS_REMOVED_EVIDENCE_RETENTION_DAYS must be 1 or more, not {days}"
        )
    return days


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
    # Days a removed evidence file stays readable by administrators before it is deleted.
    removed_evidence_retention_days: int = 90
    # Security settings (issue 8). Defaults keep other tests and the demo working.
    two_factor_required: bool = True
    ratelimit_storage_uri: str = "memory://"
    sign_in_rate_limit: str = "20 per minute"
    # Downloads of a public briefing's PDF per client address ("" = no limit).
    public_pdf_rate_limit: str = "30 per minute"
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
    # smtp, graph or notify; "" when no mail is configured (messages wait in the outbox).
    mail_transport: str = ""
    # Where evidence and staged imports live (SGREVIEWS_STORAGE and SGREVIEWS_S3_*).
    storage: StorageSettings = field(default_factory=lambda: StorageSettings())
    # How people sign in: "passwords", "sso" (single sign-on only) or "both".
    sign_in_methods: str = "passwords"
    # Single sign-on by OpenID Connect (set when sign_in_methods is sso or both): the
    # provider's discovery document, the client registered there, and the scopes asked.
    oidc_metadata_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"

    @property
    def single_sign_on(self) -> bool:
        return self.sign_in_methods in ("sso", "both")

    @property
    def passwords_allowed(self) -> bool:
        return self.sign_in_methods in ("passwords", "both")

    # Similar earlier findings (issue 23): "lexical" (TF-IDF, the default) or "embedding"
    # (a sentence-embedding model already on disk at similarity_model; never downloaded).
    similarity_backend: str = "lexical"
    similarity_model: Path | None = None

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
            removed_evidence_retention_days=_retention_days(env),
            two_factor_required=_two_factor(env, environment),
            ratelimit_storage_uri=env.get("SGREVIEWS_RATELIMIT_STORAGE_URI") or "memory://",
            sign_in_rate_limit=_rate_limit(env, environment),
            public_pdf_rate_limit=_rate_limit(
                env, environment, "SGREVIEWS_PUBLIC_PDF_RATE_LIMIT", "30 per minute"
            ),
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
            mail_transport=mail_transport(env),
            storage=storage_settings(env),
            **_single_sign_on(env),
            similarity_backend=_similarity_backend(env),
            similarity_model=_similarity_model(env),
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


def mail_transport(env: Mapping[str, str]) -> str:
    """SGREVIEWS_MAIL_TRANSPORT: smtp, graph or notify. Unset means SMTP when
    SGREVIEWS_SMTP_HOST is set (the settings from before the choice existed), otherwise no
    mail at all: "" (messages wait in the outbox and the reminder log says why)."""
    raw = env.get("SGREVIEWS_MAIL_TRANSPORT", "").strip().lower()
    if raw == "":
        return "smtp" if env.get("SGREVIEWS_SMTP_HOST", "").strip() else ""
    if raw not in MAIL_TRANSPORTS:
        raise ConfigurationError(
            f"SGREVIEWS_MAIL_TRANSPORT must be one of {', '.join(MAIL_TRANSPORTS)}, not {raw!r}"
        )
    return raw


SIGN_IN_METHODS = ("passwords", "sso", "both")
DISCOVERY_PATH = "/.well-known/openid-configuration"


def _single_sign_on(env: dict[str, str]) -> dict[str, str]:
    """SGREVIEWS_SIGN_IN_METHODS and, for single sign-on, the OpenID Connect provider:
    SGREVIEWS_OIDC_METADATA_URL (or SGREVIEWS_OIDC_ISSUER, whose discovery document is
    at the issuer plus /.well-known/openid-configuration), SGREVIEWS_OIDC_CLIENT_ID,
    SGREVIEWS_OIDC_CLIENT_SECRET (empty: a public client, PKCE alone) and
    SGREVIEWS_OIDC_SCOPES. The provider is asked nothing at start-up."""
    methods = env.get("SGREVIEWS_SIGN_IN_METHODS", "").strip().lower() or "passwords"
    if methods not in SIGN_IN_METHODS:
        raise ConfigurationError(
            f"SGREVIEWS_SIGN_IN_METHODS must be one of {', '.join(SIGN_IN_METHODS)}, "
            f"not {methods!r}"
        )
    found = {"sign_in_methods": methods}
    if methods == "passwords":
        return found
    metadata_url = env.get("SGREVIEWS_OIDC_METADATA_URL", "").strip()
    issuer = env.get("SGREVIEWS_OIDC_ISSUER", "").strip().rstrip("/")
    if metadata_url and issuer:
        raise ConfigurationError(
            "Set SGREVIEWS_OIDC_METADATA_URL or SGREVIEWS_OIDC_ISSUER, not both"
        )
    if not metadata_url and not issuer:
        raise ConfigurationError(
            f"SGREVIEWS_SIGN_IN_METHODS={methods} needs the provider: set "
            "SGREVIEWS_OIDC_METADATA_URL (its discovery document) or SGREVIEWS_OIDC_ISSUER"
        )
    metadata_url = metadata_url or issuer + DISCOVERY_PATH
    parts = urlsplit(metadata_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"The OpenID Connect discovery address must be an https:// URL, not {metadata_url!r}"
        )
    if parts.scheme == "http" and not _is_local_host(metadata_url):
        raise ConfigurationError(
            "The OpenID Connect discovery address must use https:// (plain http is "
            f"accepted only on this machine, for tests): {metadata_url!r}"
        )
    client_id = env.get("SGREVIEWS_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise ConfigurationError(
            f"SGREVIEWS_SIGN_IN_METHODS={methods} needs SGREVIEWS_OIDC_CLIENT_ID, the "
            "application (client) ID registered with the provider"
        )
    scopes = " ".join(env.get("SGREVIEWS_OIDC_SCOPES", "").split()) or "openid email profile"
    if "openid" not in scopes.split():
        raise ConfigurationError(f"SGREVIEWS_OIDC_SCOPES must include openid, not {scopes!r}")
    found.update(
        oidc_metadata_url=metadata_url,
        oidc_client_id=client_id,
        oidc_client_secret=env.get("SGREVIEWS_OIDC_CLIENT_SECRET", ""),
        oidc_scopes=scopes,
    )
    return found


SIMILARITY_BACKENDS = ("lexical", "embedding")


def _similarity_backend(env: dict[str, str]) -> str:
    backend = env.get("SGREVIEWS_SIMILARITY_BACKEND", "") or "lexical"
    if backend not in SIMILARITY_BACKENDS:
        raise ConfigurationError(
            f"SGREVIEWS_SIMILARITY_BACKEND must be lexical or embedding, not {backend!r}"
        )
    if backend == "embedding" and not env.get("SGREVIEWS_EMBEDDING_MODEL"):
        raise ConfigurationError(
            "SGREVIEWS_SIMILARITY_BACKEND=embedding needs SGREVIEWS_EMBEDDING_MODEL, the "
            "directory of a sentence-transformers model already on this machine"
        )
    return backend


def _similarity_model(env: dict[str, str]) -> Path | None:
    raw = env.get("SGREVIEWS_EMBEDDING_MODEL", "")
    if not raw:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ConfigurationError(f"SGREVIEWS_EMBEDDING_MODEL {raw!r} is not a directory")
    return path


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


def _rate_limit(
    env: dict[str, str],
    environment: str,
    variable: str = "SGREVIEWS_SIGN_IN_RATE_LIMIT",
    default: str = "20 per minute",
) -> str:
    """SGREVIEWS_SIGN_IN_RATE_LIMIT: sign-in attempts allowed per client address, in
    Flask-Limiter's notation ("20 per minute", "20/minute;200/hour"), or ``off``. The test
    suite signs in hundreds of times from one address, so testing defaults to off.
    SGREVIEWS_PUBLIC_PDF_RATE_LIMIT: the same for downloads of public briefing PDFs."""
    from limits import parse_many

    raw = env.get(variable, "").strip()
    if raw == "":
        return "" if environment == "testing" else default
    if raw.lower() == "off":
        return ""
    try:
        parse_many(raw)
    except ValueError as error:
        raise ConfigurationError(
            f"{variable} must look like '{default}' or be off, not {raw!r}"
        ) from error
    return raw


# --- storage ----------------------------------------------------------------------------------

STORAGE_BACKENDS = ("local", "s3")
S3_ENCRYPTIONS = ("none", "AES256", "aws:kms")
S3_ADDRESSING_STYLES = ("auto", "path", "virtual")


@dataclass(frozen=True)
class StorageSettings:
    """Evidence files and staged imports: a local folder (``local``, the default) or an
    S3-compatible bucket (``s3``). S3 credentials are never read here: boto3 takes them
    from the standard AWS variables, profile or instance role."""

    backend: str = "local"
    s3_bucket: str = ""
    # Keys start with it ("sgreviews/" gives sgreviews/evidence/..., sgreviews/imports/...).
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_sse: str = "none"
    s3_kms_key_id: str = ""
    s3_addressing_style: str = "auto"
    # A staged import (an uploaded tracker waiting for its preview to be confirmed) older
    # than this is abandoned and deleted.
    staged_import_hours: int = 24


def storage_settings(env: Mapping[str, str]) -> StorageSettings:
    backend = env.get("SGREVIEWS_STORAGE", "").strip().lower() or "local"
    if backend not in STORAGE_BACKENDS:
        raise ConfigurationError(f"SGREVIEWS_STORAGE must be local or s3, not {backend!r}")
    hours = _int(dict(env), "SGREVIEWS_STAGED_IMPORT_HOURS", 24)
    if not 1 <= hours <= 24 * 90:
        raise ConfigurationError(
            f"SGREVIEWS_STAGED_IMPORT_HOURS must be from 1 to 2160 (90 days), not {hours}"
        )
    if backend == "local":
        stray = sorted(name for name in env if name.startswith("SGREVIEWS_S3_") and env[name])
        if stray:
            raise ConfigurationError(
                f"{stray[0]} is set but SGREVIEWS_STORAGE is not s3 (set SGREVIEWS_STORAGE=s3, "
                "or remove the SGREVIEWS_S3_ variables)"
            )
        return StorageSettings(staged_import_hours=hours)
    bucket = env.get("SGREVIEWS_S3_BUCKET", "").strip()
    if not bucket:
        raise ConfigurationError("SGREVIEWS_STORAGE=s3 needs SGREVIEWS_S3_BUCKET")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
        raise ConfigurationError(
            f"SGREVIEWS_S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, "
            f"dots and hyphens), not {bucket!r}"
        )
    prefix = env.get("SGREVIEWS_S3_PREFIX", "").strip().strip("/")
    if prefix and not re.fullmatch(r"[A-Za-z0-9._/-]+", prefix):
        raise ConfigurationError(
            f"SGREVIEWS_S3_PREFIX may hold letters, digits, '.', '_', '-' and '/', not {prefix!r}"
        )
    endpoint = env.get("SGREVIEWS_S3_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"SGREVIEWS_S3_ENDPOINT_URL must be an http(s) address, not {endpoint!r}"
            )
    sse = env.get("SGREVIEWS_S3_SSE", "").strip() or "none"
    if sse not in S3_ENCRYPTIONS:
        raise ConfigurationError(
            f"SGREVIEWS_S3_SSE must be one of {', '.join(S3_ENCRYPTIONS)}, not {sse!r}"
        )
    kms_key = env.get("SGREVIEWS_S3_KMS_KEY_ID", "").strip()
    if kms_key and sse != "aws:kms":
        raise ConfigurationError("SGREVIEWS_S3_KMS_KEY_ID needs SGREVIEWS_S3_SSE=aws:kms")
    style = env.get("SGREVIEWS_S3_ADDRESSING_STYLE", "").strip().lower() or "auto"
    if style not in S3_ADDRESSING_STYLES:
        raise ConfigurationError(
            f"SGREVIEWS_S3_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}"
        )
    return StorageSettings(
        backend="s3",
        s3_bucket=bucket,
        s3_prefix=f"{prefix}/" if prefix else "",
        s3_endpoint_url=endpoint,
        s3_region=env.get("SGREVIEWS_S3_REGION", "").strip(),
        s3_sse=sse,
        s3_kms_key_id=kms_key,
        s3_addressing_style=style,
        staged_import_hours=hours,
    )
