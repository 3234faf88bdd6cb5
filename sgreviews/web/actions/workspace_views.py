"""The agency lead workspace: the agency's actions, filtered and paged, with a bulk
progress update.

Views are thin: parse the form, call one service inside one transaction, redirect; a refused
input goes back beside its field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import ActionStatus
from sgreviews.policy import Permission
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as action_service
from sgreviews.services.actions.rag import Rag, current_rules
from sgreviews.services.editing import FieldError
from sgreviews.web.access import requires
from sgreviews.web.actions.common import blueprint, signed_in_user
from sgreviews.web.actions.forms import BulkUpdateForm
from sgreviews.web.forms_common import add_error, choices_of
from sgreviews.web.paging import govuk_pagination
from sgreviews.web.transactions import transaction

DUE_WINDOWS = {
    "overdue": "Overdue",
    "30": "Due in the next 30 days",
    "90": "Due in the next 90 days",
    "later": "Due later than 90 days",
}


def workspace_filter(args: Any, agency_id: int, today: date) -> action_lists.ActionFilter:
    filters = action_lists.ActionFilter(agency_id=agency_id)
    for value in args.getlist("status"):
        try:
            filters.statuses.append(ActionStatus(value))
        except ValueError:
            continue
    for value in args.getlist("rag"):
        try:
            filters.rags.append(Rag(value))
        except ValueError:
            continue
    window = args.get("due", "")
    if window == "overdue":
        filters.overdue = True
    elif window in ("30", "90"):
        filters.due_after = today
        filters.due_before = today + timedelta(days=int(window))
    elif window == "later":
        filters.due_after = today + timedelta(days=91)
    filters.review_id = args.get("review", type=int)
    return filters


@blueprint.route("/agency/actions", methods=["GET", "POST"])
@requires(Permission.VIEW_AGENCY_ACTIONS)
def agency_actions() -> Response | str:
    user = signed_in_user()
    agency = user.agency
    if agency is None:
        abort(403)
    today = london_today()
    rules = current_rules()
    form = BulkUpdateForm()
    filters = workspace_filter(request.args, agency.id, today)
    listed = action_lists.list_actions_page(
        filters, today, rules, page=request.args.get("page", 1, type=int) or 1
    )
    actions, rag = listed.actions, listed.rag
    form.selected.choices = choices_of([(action.id, action.reference) for action in actions])
    if request.method == "POST":
        # Bulk update: only actions of the user's own agency can be chosen at all.
        form.selected.choices = choices_of(
            [
                (action.id, action.reference)
                for action in action_lists.list_actions(
                    action_lists.ActionFilter(agency_id=agency.id), today, rules
                )[0]
            ]
        )
        if form.validate_on_submit():
            chosen = action_reads.actions_by_ids(form.selected.data or [])
            if not chosen:
                add_error(form, "selected", "Select at least one action to update")
            else:
                try:
                    with transaction():
                        result = action_service.bulk_progress(
                            actor=user,
                            actions=chosen,
                            status=ActionStatus(form.status.data) if form.status.data else None,
                            note=form.note.data or "",
                        )
                except FieldError as error:
                    add_error(form, error.field_name, error.message)
                else:
                    if result.updated:
                        flash(f"Updated {', '.join(result.updated)}.", "success")
                    for refused in result.refused:
                        flash(f"Not updated: {refused}", "info")
                    return redirect(request.full_path)
        elif "selected" in form.errors:
            form.selected.errors = ["Select at least one action to update"]
    return render_template(
        "actions/workspace.html",
        agency=agency,
        actions=actions,
        rag=rag,
        rules=rules,
        form=form,
        today=today,
        statuses=list(ActionStatus),
        rags=list(Rag),
        windows=DUE_WINDOWS,
        reviews=action_reads.reviews_for_agency(agency.id),
        pending=action_reads.pending_extension_counts([action.id for action in actions]),
        args=request.args,
        bulk_statuses=form.status.choices,
        listed=listed,
        pagination=_workspace_pagination(listed),
    )


def _workspace_pagination(listed: action_lists.ActionPage) -> dict[str, Any] | None:
    """Page links that keep the filters (the query string, less the page)."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]

    def href(number: int) -> str:
        return url_for("actions.agency_actions") + "?" + urlencode([*kept, ("page", number)])

    return govuk_pagination(listed.page, listed.pages, href, "Pages of your agency's actions")
