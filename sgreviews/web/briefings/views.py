"""Briefings for their readers: the learning library, reading ("I have read this"), the PDF,
the public reading view and library, team use and reach.

The secretariat's editor and workflow are in `editor_views`; both register on the one
blueprint of `common`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import Agency, BriefingKind
from sgreviews.policy import (
    Permission,
    can_read_briefing,
    can_read_briefing_publicly,
    has_permission,
)
from sgreviews.services.briefings import library, public_access
from sgreviews.services.briefings import reach as reach_service
from sgreviews.services.briefings.reading import NOBODY, ReadingBriefing, ReadingPage, reading_page
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.themes import all_themes
from sgreviews.web.access import public, requires
from sgreviews.web.auth import rate_limit
from sgreviews.web.briefings import forms
from sgreviews.web.briefings.common import (
    blueprint,
    briefing_or_404,
    int_or_none,
    reading_context,
    review_types,
)
from sgreviews.web.briefings.pdf import briefing_pdf_response
from sgreviews.web.forms_common import choices_of
from sgreviews.web.notifications.views import preset_unread_count
from sgreviews.web.transactions import attempts, transaction


def _reading_page(briefing_id: int, reader_id: int = NOBODY) -> ReadingPage:
    page = reading_page(briefing_id, reader_id)
    if page is None:
        abort(404)
    return page


def _reading(briefing_id: int) -> ReadingBriefing:
    return _reading_page(briefing_id).briefing


def _readable_page(briefing_id: int, reader_id: int = NOBODY) -> ReadingPage:
    page = _reading_page(briefing_id, reader_id)
    if not can_read_briefing(current_user, page.briefing):
        # A draft is not shown to anyone but the secretariat, nor is its existence.
        abort(404)
    return page


def _readable(briefing_id: int) -> ReadingBriefing:
    return _readable_page(briefing_id).briefing


# --- the library ----------------------------------------------------------------------------


@blueprint.route("/learning", endpoint="library")
@requires(Permission.VIEW_LEARNING)
def library_page() -> str:
    form = forms.LibraryFilterForm(request.args)
    themes = all_themes()
    form.kind.choices = choices_of([("", "Any type"), *forms.KIND_CHOICES])
    form.theme.choices = choices_of([("", "Any theme")] + [(str(t.id), t.name) for t in themes])
    form.review_type.choices = choices_of(
        [("", "Any review type")]
        + [(key, rtype.display_name) for key, rtype in review_types().items()]
    )
    years = library.publication_years()
    form.year.choices = choices_of([("", "Any year")] + [(str(year), str(year)) for year in years])
    filters = library.LibraryFilters(
        query=(form.q.data or "")[:200],
        theme_id=int_or_none(form.theme.data),
        kind=BriefingKind(form.kind.data)
        if form.kind.data in BriefingKind._value2member_map_
        else None,
        review_type=form.review_type.data if form.review_type.data in review_types() else None,
        year=int_or_none(form.year.data),
    )
    entries = library.library(filters, reader=current_user)
    filtered = any(
        [filters.query, filters.theme_id, filters.kind, filters.review_type, filters.year]
    )
    return render_template(
        "briefings/library.html",
        filter_form=form,
        entries=entries,
        filtered=filtered,
        query=filters.query,
    )


# --- reading ---------------------------------------------------------------------------------


@blueprint.route("/briefings/<int:briefing_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_LEARNING)
def read(briefing_id: int) -> Response | str:
    page = _readable_page(briefing_id, current_user.id)
    briefing = page.briefing
    # The header's count came with the page: no statement of its own.
    preset_unread_count(page.unread_notifications)
    version = briefing.published or briefing.latest
    read_form = forms.ReadForm() if briefing.published is not None else None
    if read_form is not None and read_form.validate_on_submit():
        # A double submit races on the reader's one confirmation (a unique key): the losing
        # try is run again, finds the winner's confirmation and updates it.
        for attempt in attempts():
            with attempt:
                reach_service.record_read(
                    briefing, reader=current_user, reflection=read_form.reflection.data or ""
                )
        flash("Thank you: your reading is recorded.", "success")
        return redirect(url_for("briefings.read", briefing_id=briefing.id))
    return render_template(
        "briefings/read.html",
        **reading_context(briefing, version),
        read_form=read_form,
        form=read_form,
        read=page.read,
        reflections=page.reflections,
        can_manage=has_permission(current_user, Permission.MANAGE_BRIEFINGS),
        can_record_use=has_permission(current_user, Permission.RECORD_TEAM_USE),
        can_see_reach=has_permission(current_user, Permission.VIEW_BRIEFING_REACH),
    )


@blueprint.route("/briefings/<int:briefing_id>.pdf")
@requires(Permission.VIEW_LEARNING)
def pdf(briefing_id: int) -> Response:
    briefing = _readable(briefing_id)
    version = briefing.published or briefing.latest
    return briefing_pdf_response(reading_context(briefing, version))


@blueprint.route("/public/briefings/<int:briefing_id>")
@public
def public_read(briefing_id: int) -> str:
    briefing = _reading(briefing_id)
    if not can_read_briefing_publicly(briefing, public_access.is_public(briefing.partnership_id)):
        abort(404)
    assert briefing.published is not None
    return render_template(
        "briefings/read.html",
        **reading_context(briefing, briefing.published),
        read_form=None,
        read=None,
        public_view=True,
    )


@blueprint.route("/public/partnerships/<short_name>/briefings")
@public
def public_library(short_name: str) -> str:
    """A partnership's published briefings, for anyone, when the partnership allows it."""
    partnership = organisations.partnership_by_short_name(short_name)
    if partnership is None or not public_access.is_public(partnership.id):
        abort(404)
    entries = library.library(library.LibraryFilters(partnership_id=partnership.id))
    return render_template(
        "briefings/public_library.html", partnership=partnership, entries=entries
    )


@blueprint.route("/public/briefings/<int:briefing_id>.pdf")
@public
def public_pdf(briefing_id: int) -> Response:
    """Anyone may download it, so it is rate limited per client address and made once
    per published version."""
    if not rate_limit.allow_public_pdf():
        abort(429)
    briefing = _reading(briefing_id)
    if not can_read_briefing_publicly(briefing, public_access.is_public(briefing.partnership_id)):
        abort(404)
    assert briefing.published is not None
    return briefing_pdf_response(reading_context(briefing, briefing.published))


# --- team use and reach ----------------------------------------------------------------------


@blueprint.route("/briefings/<int:briefing_id>/team-use", methods=["GET", "POST"])
@requires(Permission.RECORD_TEAM_USE)
def team_use(briefing_id: int) -> Response | str:
    briefing = _readable(briefing_id)
    if briefing.published is None:
        abort(404)
    form = forms.TeamUseForm()
    # A team leader records use by their own agency's teams.
    agencies: list[Agency] = (
        [current_user.agency] if current_user.agency else organisations.list_agencies()
    )
    form.agency.choices = choices_of([(a.id, a.name) for a in agencies])
    if request.method == "GET":
        form.used_on.data = london_today()
    if form.validate_on_submit():
        assert form.used_on.data is not None  # required: validation has checked it
        agency = next((a for a in agencies if a.id == form.agency.data), None)
        if agency is None:
            form.agency.errors = ["Choose your agency"]
        elif form.used_on.data > london_today():
            form.used_on.errors = ["The date the team used it must be today or in the past"]
        else:
            with transaction():
                reach_service.record_team_use(
                    briefing,
                    actor=current_user,
                    used_on=form.used_on.data,
                    team=form.team.data or "",
                    agency=agency,
                    staff_count=form.staff_count.data,
                    notes=form.notes.data or "",
                )
            flash("Team use recorded. Thank you.", "success")
            return redirect(url_for("briefings.read", briefing_id=briefing.id))
    return render_template("briefings/team_use.html", form=form, briefing=briefing)


@blueprint.route("/briefings/<int:briefing_id>/reach")
@requires(Permission.VIEW_BRIEFING_REACH)
def reach(briefing_id: int) -> str:
    briefing = briefing_or_404(briefing_id)
    if not any(v.published_at for v in briefing.versions):
        abort(404)
    return render_template(
        "briefings/reach.html", briefing=briefing, reach=reach_service.briefing_reach(briefing)
    )


@blueprint.route("/briefings/reach")
@requires(Permission.VIEW_BRIEFING_REACH)
def reach_overview() -> str:
    return render_template(
        "briefings/reach_overview.html",
        by_agency=reach_service.agency_reach(),
        by_briefing=reach_service.reach_by_briefing(),
    )
