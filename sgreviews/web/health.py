"""Health checks for load balancers and monitoring, public and JSON.

``/health/live``: the process answers (touches nothing else, so a database outage does not
get healthy web workers restarted). ``/health/ready``: the database answers, its schema is
at the migrations' head and the scheduler's heartbeat is fresh; 503 with the failing
check otherwise. ``/health`` (in ``web/auth``) stays as it was: the process answers.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from sgreviews.services.operations.readiness import check_readiness
from sgreviews.web.access import public

blueprint = Blueprint("health", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/health/live")
@public
def live() -> Response:
    return _no_store(jsonify(status="live"))


@blueprint.route("/health/ready")
@public
def ready() -> tuple[Response, int]:
    readiness = check_readiness(Path(current_app.extensions["migrate"].directory))
    return _no_store(jsonify(readiness.as_json())), 200 if readiness.ready else 503
