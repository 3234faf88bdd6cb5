"""What every review screen shares: the blueprint, finding a review the user may see, the
form page, and saving through one service call."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from sgreviews.models import Review
from sgreviews.policy import can_view_review
from sgreviews.services.reviews import queries as review_queries
from sgreviews.services.reviews.lifecycle import ReviewError, type_of
from sgreviews.web.reviews import forms
from sgreviews.web.transactions import attempts, transaction

blueprint = Blueprint("reviews", __name__, url_prefix="/reviews")

Page = str | Response


def review_or_404(review_id: int) -> Review:
    review = review_queries.get_review(review_id)
    if review is None:
        abort(404)
    if not can_view_review(current_user, review):
        abort(403)
    return review


def form_page(
    form: FlaskForm,
    *,
    title: str,
    review: Review | None = None,
    intro: str = "",
    fields: list[str] | None = None,
    field_params: dict[str, dict[str, Any]] | None = None,
) -> str:
    return render_template(
        "reviews/form.html",
        form=form,
        title=title,
        review=review,
        intro=intro,
        fields=fields or [name for name in form._fields if name not in ("csrf_token", "submit")],
        field_params=field_params or {},
        rtype=type_of(review) if review else None,
    )


def save(
    form: FlaskForm,
    action: Any,
    success: str,
    review: Review | None = None,
    *,
    append: bool = False,
) -> Response | None:
    """Run one service call; on refusal put the message beside its field and keep the
    input. Returns the redirect, or None to re-render the form. ``append``: the call only
    adds a record (a family-log entry), so a try that lost a race is simply run again."""
    try:
        if append:
            for attempt in attempts():
                with attempt:
                    result = action()
        else:
            with transaction():
                result = action()
    except ReviewError as error:
        forms.add_error(form, error.field, error.message)
        return None
    flash(success, "success")
    target = result if isinstance(result, Review) else review
    assert target is not None
    return redirect(url_for("reviews.show", review_id=target.id))
