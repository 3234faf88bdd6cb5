"""Correcting a review (issue 20): undoing the last stage move, moving a misfiled review
to its partnership, and withdrawing one created in error.

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from sgreviews.models import User
from sgreviews.policy import Permission, serves_partnership
from sgreviews.services.organisations import directory
from sgreviews.services.reviews import corrections as review_corrections
from sgreviews.services.reviews import stages as review_stages
from sgreviews.services.reviews.lifecycle import long_date, type_of
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.reviews import forms
from sgreviews.web.reviews.common import Page, blueprint, form_page, review_or_404, save


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


@blueprint.route("/<int:review_id>/stage/undo", methods=["GET", "POST"], endpoint="undo_stage")
@requires(Permission.MANAGE_REVIEWS)
def undo_stage(review_id: int) -> Page:
    review = review_or_404(review_id)
    last = review_stages.last_move(review)
    if last is None or last.from_stage is None:
        abort(404)
    rtype = type_of(review)
    form = forms.UndoStageForm()
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_stages.undo_last_move(
                _user(),
                review,
                reason=form.reason.data or "",
                expected_version=form.expected_version,
            ),
            "Stage move undone.",
            review,
        )
        if response:
            return response
    intro = (
        f"The last move took the review from {rtype.stage_label(last.from_stage)} to "
        f"{rtype.stage_label(last.to_stage)} on {long_date(last.moved_on)}. Undoing it takes "
        f"the review back to {rtype.stage_label(last.from_stage)}; the audit trail keeps the "
        "move and your reason."
    )
    return form_page(form, title="Undo the last stage move", review=review, intro=intro)


@blueprint.route("/<int:review_id>/move", methods=["GET", "POST"], endpoint="move")
@requires(Permission.MANAGE_REVIEWS)
def move(review_id: int) -> Page:
    review = review_or_404(review_id)
    user = _user()
    if not serves_partnership(user, review.partnership_id):
        abort(403)
    form = forms.MoveReviewForm()
    form.partnership_id.choices = choices_of(
        [("", "Choose a partnership")]
        + [
            (str(partnership_id), name)
            for partnership_id, name in directory.partnership_choices()
            if partnership_id != review.partnership_id and serves_partnership(user, partnership_id)
        ]
    )
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_corrections.move_to_partnership(
                user,
                review,
                partnership_id=form.partnership_id.data,
                reason=form.reason.data or "",
                expected_version=form.expected_version,
            ),
            "Review moved to another partnership.",
            review,
        )
        if response:
            return response
    intro = (
        f"The review is filed under {review.partnership.name}. Move it only to a partnership "
        "you also serve; the audit trail keeps the move and your reason."
    )
    return form_page(form, title="Move to another partnership", review=review, intro=intro)


@blueprint.route("/<int:review_id>/withdraw", methods=["GET", "POST"], endpoint="withdraw")
@requires(Permission.MANAGE_REVIEWS)
def withdraw(review_id: int) -> Page:
    review = review_or_404(review_id)
    if review.withdrawn_at is not None:
        abort(404)
    form = forms.WithdrawReviewForm()
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = save(
            form,
            lambda: review_corrections.withdraw(
                _user(),
                review,
                reason=form.reason.data or "",
                expected_version=form.expected_version,
            ),
            "Review withdrawn. It no longer appears in lists, counts or reports.",
            review,
        )
        if response:
            return response
    intro = (
        "Withdraw a review only when it was created in error. It leaves every list, count, "
        "figure and report, and its reminders stop; it is kept, with your reason, in the "
        "audit trail."
    )
    return form_page(form, title="Withdraw the review", review=review, intro=intro)
