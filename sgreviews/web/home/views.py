"""Each role's home page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from sgreviews.clock import london_today
from sgreviews.models import ActionStatus
from sgreviews.policy import Permission
from sgreviews.services.dashboard import overview as overview_service
from sgreviews.web.access import requires

blueprint = Blueprint("home", __name__)


@blueprint.route("/overview")
@requires(Permission.VIEW_OVERVIEW)
def overview() -> str:
    today = london_today()
    return render_template(
        "home/overview.html",
        reviews=overview_service.list_reviews(),
        counts=overview_service.action_counts(today),
        statuses=list(ActionStatus),
        review_types=current_app.extensions["sgreviews.review_types"],
    )
