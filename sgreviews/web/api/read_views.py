"""The API's reading calls: reviews, findings, actions, clocks and the dashboard's
figures, and the CSV feed of actions. Each parses its parameters, makes one service call
under the policy's reach and answers JSON with an entity tag."""

from __future__ import annotations

from typing import Any

from flask import Response

from sgreviews.clock import london_today
from sgreviews.models import ActionStatus, FindingKind
from sgreviews.policy import Permission, can_view_action, can_view_review
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.lists import ratings
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.api import figures, records
from sgreviews.services.api import reads as api_reads
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.periods import BusinessYear
from sgreviews.web.access import api_token
from sgreviews.web.api.common import blueprint, tagged
from sgreviews.web.api.params import Params
from sgreviews.web.api_auth import api_caller
from sgreviews.web.api_problems import Problem
from sgreviews.web.transactions import attempts

PAGING = {"limit", "cursor"}
COMMON = {"partnership", "review_type"}
ACTION_STATUSES = tuple(status.value for status in ActionStatus)
FINDING_KINDS = tuple(kind.value for kind in FindingKind)


def _common(params: Params) -> dict[str, Any]:
    return {
        "partnership_id": params.identifier("partnership"),
        "review_type": params.key("review_type"),
    }


@blueprint.route("/reviews")
@api_token(Permission.VIEW_REVIEW)
def reviews() -> Response:
    params = Params(
        PAGING | COMMON | {"stage", "completed", "agency", "started_after", "started_before"}
    )
    query = api_reads.ReviewQuery(
        **_common(params),
        stage=params.key("stage"),
        completed=params.flag("completed"),
        agency_id=params.identifier("agency"),
        started_after=params.day("started_after"),
        started_before=params.day("started_before"),
    )
    paging = params.paging()
    params.check()
    return tagged(api_reads.list_reviews(api_caller().user, query, paging).as_json())


@blueprint.route("/reviews/<int:review_id>")
@api_token(Permission.VIEW_REVIEW)
def review(review_id: int) -> Response:
    Params(set()).check()
    item = api_reads.get_review(review_id)
    if item is None:
        raise Problem(404, "There is no review with that id.")
    if not can_view_review(api_caller().user, item):
        raise Problem(403, "Your agency may not see this review.")
    return tagged(records.review(item))


@blueprint.route("/findings")
@api_token(Permission.VIEW_REVIEW)
def findings() -> Response:
    params = Params(PAGING | COMMON | {"review", "kind"})
    query = api_reads.FindingQuery(
        **_common(params),
        review_id=params.identifier("review"),
        kind=params.choice("kind", FINDING_KINDS),
    )
    paging = params.paging()
    params.check()
    return tagged(api_reads.list_findings(api_caller().user, query, paging).as_json())


ACTION_FILTERS = COMMON | {"review", "agency", "status", "due_before", "due_after", "overdue"}


def _action_query(params: Params) -> api_reads.ActionQuery:
    return api_reads.ActionQuery(
        **_common(params),
        review_id=params.identifier("review"),
        agency_id=params.identifier("agency"),
        statuses=tuple(ActionStatus(value) for value in params.choices("status", ACTION_STATUSES)),
        due_before=params.day("due_before"),
        due_after=params.day("due_after"),
        overdue=bool(params.flag("overdue")),
    )


@blueprint.route("/actions")
@api_token(Permission.VIEW_ACTION)
def actions() -> Response:
    params = Params(PAGING | ACTION_FILTERS)
    query = _action_query(params)
    paging = params.paging()
    params.check()
    page = api_reads.list_actions(api_caller().user, query, paging, london_today(), current_rules())
    return tagged(page.as_json())


@blueprint.route("/actions.csv")
@api_token(Permission.VIEW_ACTION)
def actions_csv() -> Response:
    """Every action the token may read, as CSV: the feed a Power BI or Excel report
    refreshes (README, "API")."""
    params = Params(ACTION_FILTERS)
    query = _action_query(params)
    params.check()
    rows = api_reads.all_actions(api_caller().user, query, london_today(), current_rules())
    response = Response(figures.actions_csv(rows), mimetype="text/csv")
    response.headers["Cache-Control"] = "no-store"
    return response


def record_denied(action: Any) -> None:
    """Keep the refusal in the audit trail, as the action pages do."""
    for attempt in attempts():
        with attempt:
            action_service.record_denied(api_caller().user, action, "api: read")


@blueprint.route("/actions/<int:action_id>")
@api_token(Permission.VIEW_ACTION)
def action(action_id: int) -> Response:
    Params(set()).check()
    item = action_reads.get_action(action_id)
    if item is None:
        raise Problem(404, "There is no action with that id.")
    if not can_view_action(api_caller().user, item):
        record_denied(item)
        raise Problem(403, "This action belongs to another agency.")
    rag = ratings([item], london_today(), current_rules())[item.id]
    return tagged(records.action(item, rag))


@blueprint.route("/clocks")
@api_token(Permission.VIEW_REVIEW)
def clocks() -> Response:
    params = Params(PAGING | COMMON | {"review", "due_before", "due_after", "met"})
    query = api_reads.ClockQuery(
        **_common(params),
        review_id=params.identifier("review"),
        due_before=params.day("due_before"),
        due_after=params.day("due_after"),
        met=params.flag("met"),
    )
    paging = params.paging()
    params.check()
    return tagged(api_reads.list_clocks(api_caller().user, query, paging, london_today()).as_json())


@blueprint.route("/dashboard")
@api_token(Permission.VIEW_DASHBOARD)
def dashboard() -> Response:
    params = Params({"year", "quarter", "partnership", "agency"})
    today = london_today()
    year = params.number("year", 2000, 2100)
    filters = Filters(
        year=BusinessYear(year) if year is not None else BusinessYear.containing(today),
        quarter=params.number("quarter", 1, 4),
        partnership_id=params.identifier("partnership"),
        agency_id=params.identifier("agency"),
        today=today,
    )
    params.check()
    return tagged(figures.dashboard(filters))
