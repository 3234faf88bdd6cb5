"""Submissions of a review to external bodies (issue 22): recording one, its reply, and
a resubmission (a new record linking to the earlier one, which stays).

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from sgreviews.clock import london_today
from sgreviews.models import Review, Submission
from sgreviews.policy import Permission
from sgreviews.services import submissions as review_submissions
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.reviews import forms
from sgreviews.web.reviews.common import Page, blueprint, form_page, review_or_404, save


def _submission_or_404(review: Review, submission_id: int) -> Submission:
    submission = review_submissions.get_submission(review, submission_id)
    if submission is None:
        abort(404)
    return submission


def _submission_form(review: Review, earlier: Submission | None) -> forms.SubmissionForm:
    form = forms.SubmissionForm()
    form.body_key.choices = choices_of(
        [
            (body.key, f"{body.name} (reply usually expected within {body.reply_rule})")
            for body in review_submissions.bodies_for(review)
        ]
    )
    if request.method == "GET":
        form.sent_on.data = london_today()
        if earlier is not None:
            form.body_key.data = earlier.body_key
    return form


# The number of days is a short box for a number.
FIELD_PARAMS = {"reply_within": {"classes": "govuk-input--width-4", "inputmode": "numeric"}}


def _record(review: Review, earlier: Submission | None) -> Page:
    form = _submission_form(review, earlier)
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_submissions.record_submission(
                current_user,
                review,
                body_key=form.body_key.data or "",
                sent_on=form.sent_on.value,
                what_was_sent=form.what_was_sent.data or "",
                reply_within=form.reply_length,
                reply_unit=form.reply_unit.data or None,
                resubmission_of=earlier,
            ),
            "Resubmission recorded. The earlier submission is kept."
            if earlier is not None
            else "Submission recorded. Its reply is now on a clock of its own.",
            review,
        )
        if response:
            return response
    if earlier is None:
        return form_page(
            form,
            title="Record a submission",
            review=review,
            field_params=FIELD_PARAMS,
            intro="Record what was sent to an external body and when. The reply is then "
            "expected within the body's usual time (or the time you set) and the "
            "secretariat is reminded before it is due.",
        )
    return form_page(
        form,
        title="Record a resubmission",
        review=review,
        field_params=FIELD_PARAMS,
        intro=f"A resubmission of what was sent on {earlier.sent_on.day} "
        f"{earlier.sent_on:%B %Y}. The earlier submission is kept as it is; the new one "
        "has its own clock for the reply.",
    )


@blueprint.route(
    "/<int:review_id>/submissions/new", methods=["GET", "POST"], endpoint="new_submission"
)
@requires(Permission.MANAGE_REVIEWS)
def new_submission(review_id: int) -> Page:
    return _record(review_or_404(review_id), None)


@blueprint.route(
    "/<int:review_id>/submissions/<int:submission_id>/resubmit",
    methods=["GET", "POST"],
    endpoint="resubmit",
)
@requires(Permission.MANAGE_REVIEWS)
def resubmit(review_id: int, submission_id: int) -> Page:
    review = review_or_404(review_id)
    return _record(review, _submission_or_404(review, submission_id))


@blueprint.route(
    "/<int:review_id>/submissions/<int:submission_id>/reply",
    methods=["GET", "POST"],
    endpoint="submission_reply",
)
@requires(Permission.MANAGE_REVIEWS)
def submission_reply(review_id: int, submission_id: int) -> Page:
    review = review_or_404(review_id)
    submission = _submission_or_404(review, submission_id)
    form = forms.SubmissionReplyForm()
    if request.method == "GET":
        form.version.data = str(submission.version)
        if submission.reply_on is not None:
            form.reply_on.data = submission.reply_on
            form.reply_text.data = submission.reply_text
        else:
            form.reply_on.data = london_today()
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_submissions.record_reply(
                current_user,
                submission,
                reply_on=form.reply_on.value,
                reply_text=form.reply_text.data or "",
                expected_version=form.expected_version,
            ),
            "Reply recorded. Its reminders have stopped.",
            review,
        )
        if response:
            return response
    body = review_submissions.bodies().get(submission.body_key)
    sent = f"{submission.sent_on.day} {submission.sent_on:%B %Y}"
    return form_page(
        form,
        title="Record the reply",
        review=review,
        intro=f"The reply from the {body.name if body else submission.body_key} to what was "
        f"sent on {sent}.",
    )
