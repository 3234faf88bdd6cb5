"""Each role's home page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from sgreviews.clock import london_today
from sgreviews.models import ActionStatus, Role
from sgreviews.policy import Permission
from sgreviews.services.dashboard import overview as overview_service
from sgreviews.services.reminders.wiring import current_rules
from sgreviews.services.storage import current_storage
from sgreviews.services.work import queues as work_queues
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


@blueprint.route("/work")
@requires(Permission.VIEW_WORK_QUEUES)
def work() -> str:
    """The secretariat's and chair's home: what waits for their decision."""
    today = london_today()
    rules = current_rules()
    settings = work_queues.WorkSettings(
        briefing_ahead_days=rules.briefing_review.horizon,
        impact_after_days=rules.impact_assessments.evidence_expected_days_after_assurance,
        # Where the tracker import keeps uploads until they are confirmed (web/plan).
        imports=current_storage().imports,
    )
    chair = current_user.role is Role.CHAIR
    queues = (
        work_queues.chair_queues(today, settings)
        if chair
        else work_queues.secretariat_queues(today, settings)
    )
    return render_template("home/work.html", queues=queues, chair=chair)
