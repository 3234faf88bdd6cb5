"""sgreviews: safeguarding reviews, learning and actions for UK safeguarding partnerships.

``create_app`` is the only way to get an application; there is no module-level app.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, g
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from sgreviews.extensions import csrf, db, login_manager, migrate
from sgreviews.logs import configure_logging, init_request_ids
from sgreviews.review_types import load_review_types
from sgreviews.services.accounts import hashing as password_hashing
from sgreviews.services.actions.tally_hooks import register_tally_hooks
from sgreviews.services.storage import build_storage
from sgreviews.settings import PROJECT_ROOT, Settings
from sgreviews.submission_bodies import check_review_types, load_submission_bodies

SERVICE_NAME = "Safeguarding reviews"


def create_app(overrides: dict[str, str] | None = None) -> Flask:
    """Build the web application from environment settings (``overrides`` win; tests use
    them)."""
    settings = Settings.from_env(overrides)
    settings.refuse_unsafe_production()
    configure_logging(settings.log_format)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.environment == "testing",
        WTF_CSRF_ENABLED=overrides is None or overrides.get("WTF_CSRF_ENABLED", "1") != "0",
    )
    app.extensions["sgreviews.settings"] = settings
    app.extensions["sgreviews.storage"] = build_storage(settings)
    # First of the request hooks: everything logged during a request carries its id.
    init_request_ids(app)
    password_hashing.install(app, for_tests=settings.environment == "testing")
    app.extensions["sgreviews.review_types"] = load_review_types(
        settings.config_dir / "review_types.toml"
    )
    app.extensions["sgreviews.submission_bodies"] = load_submission_bodies(
        settings.config_dir / "submission_bodies.toml"
    )
    check_review_types(
        app.extensions["sgreviews.review_types"], app.extensions["sgreviews.submission_bodies"]
    )
    from sgreviews.services.reminders.wiring import init_reminders

    init_reminders(app, settings.config_dir, overrides)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    from sgreviews.web import forms_common

    # The same error summary list, with date links that move focus to the Day box.
    app.add_template_global(forms_common.wtforms_errors)

    db.init_app(app)
    # Before anything can write an action: the tallies are kept in the same flush.
    register_tally_hooks()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    _configure_login(app)
    _configure_security_headers(app)
    _configure_proxies(app, settings)
    _configure_templates(app)
    from sgreviews.web.request_transactions import init_request_transactions

    init_request_transactions(app)
    _check_configuration(app, settings)
    _configure_sign_in(app)

    from sgreviews.web import register_blueprints, register_error_pages

    register_blueprints(app)
    register_error_pages(app)
    # The API reads no session cookie: a call is authenticated by its bearer token alone
    # (web/api_auth.py), so a cross-site form cannot act through it and CSRF tokens do not
    # apply. Every other blueprint keeps CSRF protection.
    csrf.exempt(app.blueprints["api"])
    from sgreviews.web import api_auth

    api_auth.init_app(app)

    from sgreviews.cli import register_commands

    register_commands(app)
    return app


def _check_configuration(app: Flask, settings: Settings) -> None:
    """Read every configuration file at start-up, so a bad key stops the app with its name
    instead of failing on the first page that needs it. The RAG rules are kept for the
    action pages (``current_rules``)."""
    from sgreviews.services.actions.rag import load_rules
    from sgreviews.services.actions.tracker_import import load_config as load_import_config
    from sgreviews.services.briefings.personal_data import load_allow_list, load_forenames
    from sgreviews.services.search.config import load_search_settings
    from sgreviews.services.themes import read_taxonomy

    config_dir = settings.config_dir
    app.extensions["sgreviews.rag_rules"] = load_rules(config_dir / "rag.toml")
    load_allow_list(config_dir / "personal_data.toml")
    load_forenames(config_dir / "forenames.toml")
    read_taxonomy(config_dir / "themes.toml")
    from sgreviews.web.sso import client as sso_client

    sso_client.init_app(app, settings)
    from sgreviews.services.learning import crosswalk
    from sgreviews.services.learning.engines import make_engine

    app.extensions[crosswalk.EXTENSION_KEY] = crosswalk.load_crosswalk(
        config_dir / "national_themes.toml", read_taxonomy(config_dir / "themes.toml")
    )
    app.extensions["sgreviews.similarity"] = make_engine(
        settings.similarity_backend, settings.similarity_model
    )
    load_search_settings(config_dir / "search.toml")
    app.extensions["sgreviews.import_config"] = load_import_config(config_dir / "imports.toml")


def _configure_sign_in(app: Flask) -> None:
    """The session rules (idle time-out, NUL characters refused) and the sign-in rate
    limiter, for every request."""
    from sgreviews.web.auth import rate_limit, session_security

    session_security.init_app(app)
    rate_limit.init_app(app)


def _configure_proxies(app: Flask, settings: Settings) -> None:
    """Behind SGREVIEWS_TRUSTED_PROXIES reverse proxies, take the client's address (which
    the sign-in rate limit counts by), scheme and host from their X-Forwarded-* headers.
    With 0 (the default) the headers are ignored: anyone could send them."""
    hops = settings.trusted_proxies
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


@event.listens_for(Engine, "connect")
def _sqlite_connection_setup(dbapi_connection: Any, _record: Any) -> None:
    """On SQLite: enforce foreign keys, and let SQLAlchemy own transactions (the driver's
    own BEGIN handling breaks SAVEPOINTs, which tests and nested writes rely on).

    Write-ahead logging: the web workers read while the scheduler process writes (a
    rollback journal makes readers and the writer wait for each other), and a commit
    appends to the log instead of rewriting pages and syncing twice; with
    ``synchronous=NORMAL`` the database cannot be corrupted by a crash, and a power cut
    can lose only the last commits (SQLite's documented trade-off for WAL). The reminder
    run's first catch-up at national scale spent 9 of its 66 s waiting on commits."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        # Job processes (reminders, outbox) set this option so a transaction takes the
        # write lock at once: a read that later writes would otherwise fail immediately
        # ("database is locked") when another process writes in between.
        immediate = connection.get_execution_options().get("sqlite_begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _configure_login(app: Flask) -> None:
    from sqlalchemy.orm import joinedload

    from sgreviews.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    def load_user(user_id: str) -> User | None:
        # With the agency: the header of every page names it.
        user = db.session.get(User, int(user_id), options=[joinedload(User.agency)])
        if user is None or not user.is_active:
            return None
        return user

    login_manager.user_loader(load_user)


def _configure_security_headers(app: Flask) -> None:
    from sgreviews.web.sso.client import provider_origin

    # Signing out of a single sign-on session ends at the provider's end-session page: a
    # redirect after a form, which browsers follow only to an allowed form target.
    provider = provider_origin(app.extensions["sgreviews.settings"])
    form_action = "'self'" + (f" {provider}" if provider else "")

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(response: Response) -> Response:
        nonce = getattr(g, "csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"object-src 'none'; base-uri 'self'; form-action {form_action}; "
            "frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if response.mimetype == "text/html" or _is_download(response):
            response.headers["Cache-Control"] = "no-store"
        return response


def _is_download(response: Response) -> bool:
    """A file the browser saves (an export, evidence, a report, a briefing PDF) or the
    calendar feed: kept out of every cache, shared or on disk, so personal data is not left
    behind on a shared computer or a proxy. The public briefing PDF is included: a
    withdrawn briefing should not live on in a cache either."""
    disposition = response.headers.get("Content-Disposition", "")
    return disposition.lower().startswith("attachment") or response.mimetype == "text/calendar"


def _configure_templates(app: Flask) -> None:
    from sgreviews.markdown_filter import render_markdown
    from sgreviews.web.navigation import service_navigation
    from sgreviews.web.notifications.views import notification_count
    from sgreviews.web.template_filters import register_template_filters

    app.add_template_filter(render_markdown, "markdown")
    register_template_filters(app)
    app.add_template_global(service_navigation)
    app.context_processor(notification_count)

    @app.context_processor
    def service_context() -> dict[str, Any]:
        return {"service_name": SERVICE_NAME, "csp_nonce": getattr(g, "csp_nonce", "")}
