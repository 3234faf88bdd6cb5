"""The audit-trail viewer: filter by type of record, event, person and dates; page
through the results; export them as CSV (a sensitive export: it needs a recent sign-in)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from sgreviews.clock import utcnow
from sgreviews.policy import Permission
from sgreviews.services import audit_trail
from sgreviews.web.access import requires
from sgreviews.web.admin.forms import AuditFilterForm, settle_date_inputs
from sgreviews.web.auth.session_security import recent_authentication_required
from sgreviews.web.forms_common import choices_of

blueprint = Blueprint("audit_trail", __name__, url_prefix="/admin/audit")


def _form() -> tuple[AuditFilterForm, audit_trail.AuditFilter]:
    form = AuditFilterForm(formdata=request.args if request.args else None)
    types, events = audit_trail.filter_choices()
    form.entity_type.choices = choices_of([("", "Any")] + [(value, value) for value in types])
    form.event.choices = choices_of([("", "Any")] + [(value, value) for value in events])
    valid = not request.args or form.validate()
    settle_date_inputs(form)
    if not valid:
        return form, audit_trail.AuditFilter(match_nothing=True)
    filters = audit_trail.AuditFilter(
        entity_type=form.entity_type.data or "",
        event=form.event.data or "",
        actor_email=form.actor.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    return form, filters


def _url_with(endpoint: str, page: int | None) -> str:
    """The same filters on another page (or, with ``page`` None, for the export)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    if page is not None:
        args.append(("page", str(page)))
    query = urlencode(args)
    return url_for(endpoint) + (f"?{query}" if query else "")


@blueprint.route("", endpoint="events")
@requires(Permission.MANAGE_USERS)
def events() -> str:
    form, filters = _form()
    page = audit_trail.search(filters, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "admin/audit.html",
        form=form,
        result=page,
        previous_url=_url_with("audit_trail.events", page.page - 1) if page.page > 1 else None,
        next_url=_url_with("audit_trail.events", page.page + 1) if page.page < page.pages else None,
        export_url=_url_with("audit_trail.export", None),
    )


@blueprint.route("/export.csv")
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def export() -> Response:
    _form_unused, filters = _form()
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(audit_trail.export_csv(filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-trail-{stamp}.csv"'},
    )
