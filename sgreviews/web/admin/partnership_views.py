"""The administrator's partnerships (issue 20): the list, adding one and changing one.
On the admin blueprint; every change needs a recent sign-in and is audited."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.models import Partnership, PartnershipKind, User
from sgreviews.policy import Permission
from sgreviews.review_types import JURISDICTIONS
from sgreviews.services.editing import FieldError
from sgreviews.services.organisations import directory
from sgreviews.services.organisations import partnerships as partnership_admin
from sgreviews.web.access import requires
from sgreviews.web.admin.forms import settle_date_inputs
from sgreviews.web.admin.partnership_forms import PartnershipForm
from sgreviews.web.admin.views import blueprint
from sgreviews.web.auth.session_security import recent_authentication_required
from sgreviews.web.forms_common import add_error
from sgreviews.web.transactions import transaction


def _actor() -> User:
    assert isinstance(current_user, User)
    return current_user


@blueprint.route("/partnerships")
@requires(Permission.MANAGE_PARTNERSHIPS)
def partnerships() -> str:
    return render_template(
        "admin/partnerships.html",
        partnerships=partnership_admin.list_partnerships(),
        jurisdictions=JURISDICTIONS,
    )


def _save(form: PartnershipForm, partnership: Partnership | None) -> Response | None:
    values = {
        "actor": _actor(),
        "name": form.name.data or "",
        "short_name": form.short_name.data or "",
        "kind": PartnershipKind(form.kind.data),
        "jurisdiction": form.jurisdiction.data or "",
        "go_live_on": form.go_live_on.data,
    }
    try:
        with transaction():
            if partnership is None:
                partnership = partnership_admin.create_partnership(**values)  # type: ignore[arg-type]
            else:
                partnership_admin.update_partnership(partnership, **values)  # type: ignore[arg-type]
    except FieldError as error:
        add_error(form, error.field_name, error.message)
        return None
    flash(f"{partnership.name} saved.", "success")
    return redirect(url_for("admin.partnerships"))


@blueprint.route("/partnerships/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_PARTNERSHIPS)
@recent_authentication_required
def new_partnership() -> Response | str:
    form = PartnershipForm()
    if form.validate_on_submit() and (response := _save(form, None)):
        return response
    settle_date_inputs(form)
    return render_template("admin/partnership_form.html", form=form, partnership=None)


@blueprint.route("/partnerships/<int:partnership_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_PARTNERSHIPS)
@recent_authentication_required
def edit_partnership(partnership_id: int) -> Response | str:
    partnership = directory.get_partnership(partnership_id)
    if partnership is None:
        abort(404)
    form = PartnershipForm(
        data=None
        if request.method == "POST"
        else {
            "name": partnership.name,
            "short_name": partnership.short_name,
            "kind": partnership.kind.value,
            "jurisdiction": partnership.jurisdiction or "",
            "go_live_on": partnership.go_live_on,
        }
    )
    if form.validate_on_submit() and (response := _save(form, partnership)):
        return response
    settle_date_inputs(form)
    return render_template("admin/partnership_form.html", form=form, partnership=partnership)
