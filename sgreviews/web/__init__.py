"""Blueprints, one per area, and the error pages."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_login import AnonymousUserMixin, current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from sgreviews.services.conflicts import WriteConflict
from sgreviews.web.actions import blueprint as actions_blueprint
from sgreviews.web.admin import blueprint as admin_blueprint
from sgreviews.web.api import blueprint as api_blueprint
from sgreviews.web.api_problems import API_PATH_PREFIX, for_http_exception, problem_response
from sgreviews.web.api_tokens.views import blueprint as api_tokens_blueprint
from sgreviews.web.audit_trail.views import blueprint as audit_trail_blueprint
from sgreviews.web.auth.views import blueprint as auth_blueprint
from sgreviews.web.briefings import blueprint as briefings_blueprint
from sgreviews.web.calendar.views import blueprint as calendar_blueprint
from sgreviews.web.dashboard import blueprint as dashboard_blueprint
from sgreviews.web.entered_text import entered_fields
from sgreviews.web.findings.views import blueprint as findings_blueprint
from sgreviews.web.health import blueprint as health_blueprint
from sgreviews.web.home.views import blueprint as home_blueprint
from sgreviews.web.national_reviews import blueprint as national_reviews_blueprint
from sgreviews.web.plan.views import blueprint as plan_blueprint
from sgreviews.web.request_transactions import roll_back_for_error_page
from sgreviews.web.reviews import blueprint as reviews_blueprint
from sgreviews.web.search.views import blueprint as search_blueprint
from sgreviews.web.sso import blueprint as sso_blueprint

ERROR_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That is not allowed on this page",
    409: "Someone else saved at the same moment",
    410: "This file has been removed",
    500: "Sorry, there is a problem with the service",
}

log = logging.getLogger(__name__)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(auth_blueprint)
    app.register_blueprint(sso_blueprint)
    app.register_blueprint(health_blueprint)
    app.register_blueprint(home_blueprint)
    app.register_blueprint(admin_blueprint)
    app.register_blueprint(dashboard_blueprint)
    app.register_blueprint(reviews_blueprint)
    app.register_blueprint(calendar_blueprint)
    app.register_blueprint(briefings_blueprint)
    app.register_blueprint(actions_blueprint)
    app.register_blueprint(findings_blueprint)
    app.register_blueprint(plan_blueprint)
    app.register_blueprint(national_reviews_blueprint)
    app.register_blueprint(audit_trail_blueprint)
    app.register_blueprint(search_blueprint)
    app.register_blueprint(api_blueprint)
    app.register_blueprint(api_tokens_blueprint)
    from sgreviews.web.notifications.views import blueprint as notifications_blueprint

    app.register_blueprint(notifications_blueprint)
    if app.extensions["sgreviews.settings"].benchmark_floor_bytes:
        from sgreviews.web.benchmark import blueprint as benchmark_blueprint

        app.register_blueprint(benchmark_blueprint)


def _ready_to_render_an_error() -> None:
    """Make the error page safe to render whatever state the request left the session in:
    roll back a failed transaction (else every query raises ``PendingRollbackError``), and
    settle the header's signed-in person and unread count now, without the database if it
    cannot answer."""
    roll_back_for_error_page()
    # The error page shows no count: it must not depend on a query.
    g.unread_notifications = 0
    try:
        bool(current_user.is_authenticated)
    except Exception:
        log.warning("the signed-in person could not be loaded for an error page", exc_info=True)
        roll_back_for_error_page()
        # Flask-Login keeps the request's user here; the header then shows no one.
        g._login_user = AnonymousUserMixin()


def _is_api_call() -> bool:
    """Errors under /api/ are answered as problem details, never as pages."""
    return request.path.startswith(API_PATH_PREFIX)


def register_error_pages(app: Flask) -> None:
    def render_error(error: HTTPException) -> tuple[str, int] | Response:
        if _is_api_call():
            roll_back_for_error_page()
            return for_http_exception(error)
        code = error.code or 500
        title = ERROR_TITLES.get(code, ERROR_TITLES[500])
        _ready_to_render_an_error()
        return render_template("errors/error.html", code=code, title=title), code

    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(WriteConflict)
    def write_conflict(_error: WriteConflict) -> tuple[str, int] | Response:
        if _is_api_call():
            roll_back_for_error_page()
            return problem_response(409, detail="Another change was saved at the same moment.")
        _ready_to_render_an_error()
        # The form cannot be shown again from here: what was typed is listed to copy.
        entered = entered_fields(request.form, request.files)
        return render_template(
            "errors/error.html", code=409, title=ERROR_TITLES[409], entered=entered
        ), 409

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> tuple[str, int] | Response:
        app.logger.exception("Unhandled error", exc_info=error)
        if _is_api_call():
            roll_back_for_error_page()
            return problem_response(500)
        _ready_to_render_an_error()
        return (
            render_template("errors/error.html", code=500, title=ERROR_TITLES[500]),
            500,
        )
