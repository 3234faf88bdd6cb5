"""The steps a review moves through: the rapid review, the decision, commissioning, stage
moves, holds and their release, publication and the Home Office quality assurance.

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models.review import HoldReason, Methodology
from sgreviews.policy import Permission
from sgreviews.services.reviews import creation as review_creation
from sgreviews.services.reviews import decisions as review_decisions
from sgreviews.services.reviews import historical as review_historical
from sgreviews.services.reviews import holds as review_holds
from sgreviews.services.reviews import publishing as review_publishing
from sgreviews.services.reviews import stages as review_stages
from sgreviews.services.reviews.lifecycle import ReviewError, type_of
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.reviews import forms
from sgreviews.web.reviews.common import Page, blueprint, form_page, review_or_404, save
from sgreviews.web.transactions import transaction


@blueprint.route("/<int:review_id>/rapid-review", methods=["GET", "POST"], endpoint="rapid_review")
@requires(Permission.MANAGE_REVIEWS)
def start_rapid_review(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.StartRapidReviewForm()
    if request.method == "GET":
        form.started_on.data = london_today()
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_creation.start_rapid_review(current_user, review, form.started_on.value),
            "Rapid review started. Its 15-working-day clock runs from the notification.",
        )
        if response:
            return response
    return form_page(form, title="Start the rapid review", review=review)


def _field_data(form: forms.DecisionForm, name: str) -> str | None:
    """A field's data, or None when the view removed the field for this type."""
    field = form._fields.get(name)
    return None if field is None else field.data


@blueprint.route("/<int:review_id>/decision", methods=["GET", "POST"], endpoint="decision")
@requires(Permission.MANAGE_REVIEWS)
def decision(review_id: int) -> Page:
    review = review_or_404(review_id)
    rtype = type_of(review)
    if not rtype.outcomes:
        abort(404)
    form = forms.DecisionForm()
    form.outcome.choices = choices_of([(outcome.key, outcome.label) for outcome in rtype.outcomes])
    if not rtype.decision_signed_off_by_partner:
        del form.signed_off_by_role
        del form.signed_off_by_name
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_decisions.record_decision(
                current_user,
                review,
                decided_on=form.decided_on.value,
                outcome=form.outcome.data,
                rationale=form.rationale.data,
                sent_to_panel_on=form.sent_to_panel_on.data,
                panel_reply_on=form.panel_reply_on.data,
                panel_reply=form.panel_reply.data,
                signed_off_by_role=_field_data(form, "signed_off_by_role"),
                signed_off_by_name=_field_data(form, "signed_off_by_name"),
                expected_version=form.expected_version,
            ),
            "Decision recorded.",
            review,
        )
        if response:
            return response
    title = "Record the decision" if rtype.outcome_is_decision else "Record the outcome"
    return form_page(form, title=title, review=review)


@blueprint.route(
    "/<int:review_id>/commission-from-decision", methods=["POST"], endpoint="commission_from"
)
@requires(Permission.MANAGE_REVIEWS)
def commission_from_decision(review_id: int) -> Response:
    review = review_or_404(review_id)
    try:
        with transaction():
            created = review_decisions.commission_from_decision(current_user, review)
    except ReviewError as error:
        flash(error.message, "error")
        return redirect(url_for("reviews.show", review_id=review.id))
    flash(f"{created.reference} created. Record its commissioning below.", "success")
    return redirect(url_for("reviews.commissioning", review_id=created.id))


@blueprint.route(
    "/<int:review_id>/commissioning", methods=["GET", "POST"], endpoint="commissioning"
)
@requires(Permission.MANAGE_REVIEWS)
def commissioning(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.CommissioningForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.commissioned_on.data = review.commissioned_on
        form.reviewer_name.data = review.reviewer_name
        form.methodology.data = review.methodology.value if review.methodology else None
        form.cost.data = f"{review.cost_pence / 100:.2f}" if review.cost_pence is not None else ""
        form.terms_of_reference_on.data = review.terms_of_reference_on
    if form.validate_on_submit():
        try:
            cost_pence = form.cost_pence()
        except ValueError as error:
            forms.add_error(form, "cost", str(error))
        else:
            response = save(
                form,
                lambda: review_decisions.record_commissioning(
                    current_user,
                    review,
                    commissioned_on=form.commissioned_on.value,
                    reviewer_name=form.reviewer_name.data,
                    methodology=Methodology(form.methodology.data),
                    cost_pence=cost_pence,
                    terms_of_reference_on=form.terms_of_reference_on.data,
                    expected_version=form.expected_version,
                ),
                "Commissioning saved.",
                review,
            )
            if response:
                return response
    return form_page(form, title="Commission the review", review=review)


@blueprint.route("/<int:review_id>/stage", methods=["GET", "POST"], endpoint="stage")
@requires(Permission.MANAGE_REVIEWS)
def stage(review_id: int) -> Page:
    review = review_or_404(review_id)
    rtype = type_of(review)
    form = forms.StageForm()
    form.to_stage.choices = choices_of(
        [(key, rtype.stage_label(key)) for key in rtype.allowed_next(review.stage)]
    )
    if request.method == "GET":
        form.version.data = str(review.version)
        form.moved_on.data = london_today()
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_stages.move_stage(
                current_user,
                review,
                to_stage=form.to_stage.data,
                moved_on=form.moved_on.value,
                note=form.note.data or "",
                expected_version=form.expected_version,
            ),
            "Stage changed.",
            review,
        )
        if response:
            return response
    intro = f"The review is at: {rtype.stage_label(review.stage)}."
    if not form.to_stage.choices:
        intro += " This is the final stage: the review cannot move on."
    return form_page(form, title="Move to another stage", review=review, intro=intro)


@blueprint.route("/<int:review_id>/hold", methods=["GET", "POST"], endpoint="hold")
@requires(Permission.MANAGE_REVIEWS)
def hold(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.HoldForm()
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_holds.place_hold(
                current_user,
                review,
                reason=HoldReason(form.reason.data),
                details=form.details.data or "",
                started_on=form.started_on.value,
                expected_version=form.expected_version,
            ),
            "The review is on hold. Its deadlines are paused.",
            review,
        )
        if response:
            return response
    return form_page(
        form,
        title="Put the review on hold",
        review=review,
        intro="While proceedings run, the review's clocks stop: its deadlines show as paused "
        "and move on by the time spent on hold.",
    )


@blueprint.route("/<int:review_id>/hold/release", methods=["GET", "POST"], endpoint="release")
@requires(Permission.MANAGE_REVIEWS)
def release(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.ReleaseHoldForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.ended_on.data = london_today()
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_holds.release_hold(
                current_user,
                review,
                ended_on=form.ended_on.value,
                expected_version=form.expected_version,
            ),
            "Hold released. The deadlines now include the time on hold.",
            review,
        )
        if response:
            return response
    return form_page(form, title="Release the hold", review=review)


@blueprint.route("/<int:review_id>/publication", methods=["GET", "POST"], endpoint="publication")
@requires(Permission.MANAGE_REVIEWS)
def publication(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.PublicationForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.published_on.data = review.published_on
        form.publication_url.data = review.publication_url
        form.anonymised_confirmed.data = review.anonymised_confirmed
        form.final_report_sent_on.data = review.final_report_sent_on
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_publishing.record_publication(
                current_user,
                review,
                published_on=form.published_on.data,
                publication_url=form.publication_url.data or "",
                anonymised_confirmed=bool(form.anonymised_confirmed.data),
                final_report_sent_on=form.final_report_sent_on.data,
                expected_version=form.expected_version,
            ),
            "Publication recorded.",
            review,
        )
        if response:
            return response
    return form_page(form, title="Record publication", review=review)


@blueprint.route("/<int:review_id>/home-office", methods=["GET", "POST"], endpoint="home_office")
@requires(Permission.MANAGE_REVIEWS)
def home_office(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.HomeOfficeForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.submitted_on.data = review.home_office_submitted_on
        form.letter_on.data = review.home_office_letter_on
        form.outcome.data = review.home_office_outcome
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_publishing.record_home_office_qa(
                current_user,
                review,
                submitted_on=form.submitted_on.data,
                letter_on=form.letter_on.data,
                outcome=form.outcome.data or "",
                expected_version=form.expected_version,
            ),
            "Home Office quality assurance dates saved.",
            review,
        )
        if response:
            return response
    return form_page(form, title="Home Office quality assurance", review=review)


@blueprint.route("/<int:review_id>/historical", methods=["POST"], endpoint="historical")
@requires(Permission.MANAGE_REVIEWS)
def historical(review_id: int) -> Response:
    """Mark the review as a historical record (or unmark it): audited; no reminder fires
    for a historical record's statutory deadlines."""
    review = review_or_404(review_id)
    form = forms.HistoricalForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction():
            review_historical.set_historical(
                current_user,
                review,
                historical=form.historical.data == "yes",
                expected_version=form.expected_version,
            )
    except ReviewError as error:
        flash(error.message, "error")
    else:
        flash(
            "Marked as a historical record: no reminders for its deadlines."
            if review.historical
            else "No longer a historical record: its deadlines are reminded again.",
            "success",
        )
    return redirect(url_for("reviews.show", review_id=review.id))
