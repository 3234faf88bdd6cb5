"""Extra closure days: non-working days beyond the bank holidays (administrators)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from sgreviews.policy import Permission
from sgreviews.review_types import JURISDICTIONS
from sgreviews.services.reviews import closure_days
from sgreviews.services.reviews.lifecycle import ReviewError
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.reviews.forms import GovDateField, add_error
from sgreviews.web.transactions import transaction

blueprint = Blueprint("calendar", __name__, url_prefix="/calendar")


class ClosureDayForm(FlaskForm):
    day = GovDateField("Date", description="For example, 27 12 2025", required="Enter the date")
    jurisdiction = SelectField(
        "Where",
        choices=choices_of([("", "Everywhere"), *JURISDICTIONS.items()]),
        widget=GovSelect(),
        validate_choice=False,
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the reason"),
            Length(max=200, message="Keep the reason to 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Add the closure day", widget=GovSubmitInput())


@blueprint.route("/closure-days", methods=["GET", "POST"], endpoint="closure_days")
@requires(Permission.MANAGE_CALENDAR)
def closure_days_page() -> str | Response:
    form = ClosureDayForm()
    if form.validate_on_submit():
        try:
            with transaction():
                item = closure_days.add_closure_day(
                    current_user, form.day.data, form.jurisdiction.data, form.reason.data
                )
        except ReviewError as error:
            add_error(form, error.field, error.message)
        else:
            flash(
                f"{item.day:%-d %B %Y} added. Every review's deadlines have been recalculated.",
                "success",
            )
            return redirect(url_for("calendar.closure_days"))
    return render_template(
        "calendar/closure_days.html",
        form=form,
        days=closure_days.list_closure_days(),
        jurisdictions=JURISDICTIONS,
    )


@blueprint.route("/closure-days/<int:closure_id>/delete", methods=["POST"], endpoint="delete")
@requires(Permission.MANAGE_CALENDAR)
def delete(closure_id: int) -> Response:
    with transaction():
        removed = closure_days.remove_closure_day(current_user, closure_id)
    if not removed:
        abort(404)
    flash("Closure day removed. Every review's deadlines have been recalculated.", "success")
    return redirect(url_for("calendar.closure_days"))
