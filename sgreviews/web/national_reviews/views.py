"""The register of national reviews tabled: a partnership's list (by business year), adding,
changing and removing an entry. The secretariat of the partnership (and the administrator)
keep it; the chair reads it; nobody else sees it.

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept, and a save over someone else's change
is refused with who changed what."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import NationalReviewTabled, Partnership, User
from sgreviews.policy import (
    Permission,
    can_keep_national_reviews,
    can_read_national_reviews,
)
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.national_reviews import register
from sgreviews.services.periods import BusinessYear
from sgreviews.web.access import requires
from sgreviews.web.forms_common import add_error, comparison
from sgreviews.web.national_reviews.forms import DeleteForm, EntryForm
from sgreviews.web.transactions import transaction

blueprint = Blueprint("national_reviews", __name__, url_prefix="/national-reviews")

Page = str | Response

# The fields a stale save compares, in the form's order.
COMPARED = [
    ("title", "Title"),
    ("published_by", "Published by"),
    ("published_on", "Date published"),
    ("tabled_on", "Date tabled"),
    ("tabled_at", "Where it was tabled"),
    ("what_was_done", "What the partnership did"),
]

ALL_YEARS = "all"


def _actor() -> User:
    assert isinstance(current_user, User)
    return current_user


def _readable(partnership_id: int) -> Partnership:
    partnership = register.get_partnership(partnership_id)
    if partnership is None:
        abort(404)
    if not can_read_national_reviews(current_user, partnership.id):
        abort(403)
    return partnership


def _kept(partnership_id: int) -> Partnership:
    partnership = register.get_partnership(partnership_id)
    if partnership is None:
        abort(404)
    if not can_keep_national_reviews(current_user, partnership.id):
        abort(403)
    return partnership


def _entry_or_404(partnership: Partnership, entry_id: int) -> NationalReviewTabled:
    entry = register.get_entry(partnership, entry_id)
    if entry is None:
        abort(404)
    return entry


def _to_list(partnership: Partnership, tabled_on: date | None) -> Response:
    year = BusinessYear.containing(tabled_on) if tabled_on else None
    return redirect(
        url_for(
            "national_reviews.register_of",
            partnership_id=partnership.id,
            year=year.start_year if year else ALL_YEARS,
        )
    )


@blueprint.route("")
@requires(Permission.VIEW_NATIONAL_REVIEWS)
def index() -> Page:
    """The partnerships whose register the user reads."""
    partnerships = register.partnerships_for(_actor())
    return render_template("national_reviews/index.html", partnerships=partnerships)


@blueprint.route("/<int:partnership_id>")
@requires(Permission.VIEW_NATIONAL_REVIEWS)
def register_of(partnership_id: int) -> Page:
    partnership = _readable(partnership_id)
    current = BusinessYear.containing(london_today())
    asked = request.args.get("year", "")
    year: BusinessYear | None
    if asked == ALL_YEARS:
        year = None
    elif asked.isdigit() and 1900 <= int(asked) <= current.start_year:
        year = BusinessYear(int(asked))
    else:
        year = current
    years = sorted({current, *register.years_with_entries(partnership)}, reverse=True)
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    return render_template(
        "national_reviews/register.html",
        partnership=partnership,
        entries=register.entries_of(partnership, year),
        year=year,
        years=years,
        all_years=ALL_YEARS,
        may_keep=can_keep_national_reviews(current_user, partnership.id),
    )


def _form_page(
    form: EntryForm,
    partnership: Partnership,
    entry: NationalReviewTabled | None,
    stale: StaleEdit | None = None,
) -> str:
    rows: list[tuple[str, str, str]] = []
    if stale is not None:
        rows = comparison(stale.current, form, COMPARED)
    return render_template(
        "national_reviews/form.html",
        form=form,
        partnership=partnership,
        entry=entry,
        stale=stale,
        comparison_rows=rows,
    )


@blueprint.route("/<int:partnership_id>/new", methods=["GET", "POST"])
@requires(Permission.KEEP_NATIONAL_REVIEWS)
def new_entry(partnership_id: int) -> Page:
    partnership = _kept(partnership_id)
    form = EntryForm()
    if form.validate_on_submit():
        try:
            with transaction():
                entry = register.add_entry(_actor(), partnership, form.entry())
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"“{entry.title}” added to the register.", "success")
            return _to_list(partnership, entry.tabled_on)
    return _form_page(form, partnership, None)


@blueprint.route("/<int:partnership_id>/<int:entry_id>/edit", methods=["GET", "POST"])
@requires(Permission.KEEP_NATIONAL_REVIEWS)
def edit_entry(partnership_id: int, entry_id: int) -> Page:
    partnership = _kept(partnership_id)
    entry = _entry_or_404(partnership, entry_id)
    form = EntryForm(obj=entry if request.method == "GET" else None)
    stale: StaleEdit | None = None
    if request.method == "GET":
        form.version.data = str(entry.version)
    elif form.validate_on_submit():
        try:
            with transaction():
                register.update_entry(
                    _actor(), entry, form.entry(), expected_version=form.expected_version or 0
                )
        except StaleEdit as error:
            stale = error
            entry = _entry_or_404(partnership, entry_id)
            # The next save is against what is there now; the typed text stays in the form.
            form.version.data = str(entry.version)
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"“{entry.title}” saved.", "success")
            return _to_list(partnership, entry.tabled_on)
    return _form_page(form, partnership, entry, stale)


@blueprint.route("/<int:partnership_id>/<int:entry_id>/delete", methods=["GET", "POST"])
@requires(Permission.KEEP_NATIONAL_REVIEWS)
def delete_entry(partnership_id: int, entry_id: int) -> Page:
    partnership = _kept(partnership_id)
    entry = _entry_or_404(partnership, entry_id)
    form = DeleteForm()
    stale: StaleEdit | None = None
    if request.method == "GET":
        form.version.data = str(entry.version)
    elif form.validate_on_submit():
        title, tabled_on = entry.title, entry.tabled_on
        try:
            with transaction():
                register.delete_entry(_actor(), entry, form.expected_version or 0)
        except StaleEdit as error:
            stale = error
            entry = _entry_or_404(partnership, entry_id)
            form.version.data = str(entry.version)
        else:
            flash(f"“{title}” removed from the register.", "success")
            return _to_list(partnership, tabled_on)
    context: dict[str, Any] = {"partnership": partnership, "entry": entry, "stale": stale}
    return render_template("national_reviews/delete.html", form=form, **context)
