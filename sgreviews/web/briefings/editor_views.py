"""The secretariat's side of briefings: the list, creating, the editor and its workflow
(save, submit, return to draft, publish), the personal-data check, versions, archiving,
the public-access settings, and the reviews, findings and themes a briefing links to."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.markdown_filter import render_markdown
from sgreviews.models import Briefing, BriefingKind, BriefingVersion, Review
from sgreviews.policy import Permission
from sgreviews.services.briefings import flags, library, public_access, workflow
from sgreviews.services.briefings import links as link_service
from sgreviews.services.briefings.errors import BriefingError, StaleEdit
from sgreviews.services.briefings.sections import sections_for
from sgreviews.services.dashboard import overview as overview_service
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews.findings import get_review
from sgreviews.web.access import requires
from sgreviews.web.briefings import forms
from sgreviews.web.briefings.common import blueprint, briefing_or_404, int_or_none, reading_context
from sgreviews.web.forms_common import choices_of
from sgreviews.web.transactions import transaction


@blueprint.route("/briefings")
@requires(Permission.MANAGE_BRIEFINGS)
def index() -> str:
    return render_template("briefings/index.html", briefings=library.all_briefings())


@blueprint.route("/briefings/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def new() -> Response | str:
    review: Review | None = None
    review_id = request.args.get("review_id", type=int)
    if review_id is not None:
        review = get_review(review_id)
        if review is None:
            abort(404)
    form = forms.NewBriefingForm()
    form.kind.choices = choices_of(forms.KIND_CHOICES)
    partnerships = organisations.list_partnerships()
    form.partnership.choices = choices_of([(p.id, p.name) for p in partnerships])
    if request.method == "GET":
        form.review_by.data = workflow.default_review_by()
    if form.validate_on_submit():
        assert form.review_by.data is not None  # required: validation has checked it
        kind = BriefingKind(form.kind.data)
        review_by = form.review_by.data
        partnership = next((p for p in partnerships if p.id == form.partnership.data), None)
        if review is None and not (form.title.data or "").strip():
            form.title.errors = ["Enter a title"]
        elif review is None and partnership is None:
            form.partnership.errors = ["Choose a partnership"]
        else:
            with transaction():
                if review is not None:
                    briefing = workflow.create_from_review(
                        actor=current_user, review=review, kind=kind, review_by=review_by
                    )
                else:
                    assert partnership is not None
                    briefing = workflow.create_briefing(
                        actor=current_user,
                        partnership=partnership,
                        kind=kind,
                        title=form.title.data or "",
                        review_by=review_by,
                    )
            flash("Briefing created as a draft.", "success")
            return redirect(url_for("briefings.edit", briefing_id=briefing.id))
    return render_template(
        "briefings/new.html",
        form=form,
        review=review,
        reviews=overview_service.list_reviews() if review is None else [],
    )


def _section_previews(briefing: Briefing, form: Any) -> dict[str, Any]:
    return {s.key: render_markdown(form[s.key].data) for s in sections_for(briefing.kind)}


@blueprint.route("/briefings/<int:briefing_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def edit(briefing_id: int) -> Response | str:
    briefing = briefing_or_404(briefing_id)
    version = briefing.open_version
    if version is None:
        flash("This version is published. Start a new version to change it.", "info")
        return redirect(url_for("briefings.read", briefing_id=briefing.id))
    form = forms.editor_form(briefing.kind)
    show_preview = False
    if request.method == "GET":
        form.title.data = version.title
        form.review_by.data = briefing.review_by
        form.lock_version.data = str(version.lock_version)
        for section in sections_for(briefing.kind):
            form[section.key].data = version.section(section.key)
    elif form.validate_on_submit():
        action = request.form.get("action", "save")
        if action == "preview":
            show_preview = True
        else:
            try:
                with transaction():
                    refusal = _save_then_move(briefing, form, action)
            except StaleEdit as error:
                form.title.errors = [str(error)]
            else:
                if refusal is not None:
                    form.lock_version.data = str(version.lock_version)
                    _show_refusal(form, refusal)
                    return _edit_page(briefing, version, form, show_preview)
                messages = {
                    "save": "Draft saved.",
                    "submit": "Sent for review.",
                    "draft": "Returned to draft.",
                    "publish": "Published. It is now in the learning library.",
                }
                flash(messages.get(action, "Saved."), "success")
                if action == "publish":
                    return redirect(url_for("briefings.read", briefing_id=briefing.id))
                return redirect(url_for("briefings.edit", briefing_id=briefing.id))
    return _edit_page(briefing, version, form, show_preview)


def _save_then_move(briefing: Briefing, form: Any, action: str) -> BriefingError | None:
    """Save the open version, then move it as ``action`` asks. A refusal of the move (or of
    the save, other than a stale edit) is returned, not raised: what was typed is kept and
    committed, and the form shows where publishing is blocked."""
    try:
        workflow.update_open_version(
            briefing,
            actor=current_user,
            expected_lock_version=int_or_none(form.lock_version.data) or 0,
            title=form.title.data or "",
            sections={s.key: form[s.key].data or "" for s in sections_for(briefing.kind)},
            review_by=form.review_by.data,
        )
        if action == "submit":
            workflow.submit_for_review(briefing, actor=current_user)
        elif action == "draft":
            workflow.return_to_draft(briefing, actor=current_user)
        elif action == "publish":
            workflow.publish(briefing, actor=current_user)
    except StaleEdit:
        raise
    except BriefingError as error:
        return error
    return None


def _show_refusal(form: Any, refusal: BriefingError) -> None:
    for key, message in refusal.field_errors.items():
        if key in form:
            form[key].errors = [message]
        else:
            flash(message, "info")
    if not refusal.field_errors:
        form.title.errors = [str(refusal)]


def _edit_page(briefing: Briefing, version: BriefingVersion, form: Any, show_preview: bool) -> str:
    flags_now = flags.flag_statuses(briefing, version)
    return render_template(
        "briefings/edit.html",
        form=form,
        briefing=briefing,
        version=version,
        sections=sections_for(briefing.kind),
        previews=_section_previews(briefing, form) if show_preview else None,
        unresolved=[f for f in flags_now if not f.resolved],
    )


@blueprint.route("/briefings/preview", methods=["POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def preview() -> Response:
    """The sanitised HTML of some Markdown, for the editor's live preview."""
    text = request.form.get("text", "")[:10000]
    return jsonify({"html": str(render_markdown(text))})


@blueprint.route("/briefings/<int:briefing_id>/check", methods=["GET", "POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def check(briefing_id: int) -> Response | str:
    """The personal-data check: each flag, and a form to keep it with a reason."""
    briefing = briefing_or_404(briefing_id)
    version = briefing.open_version
    if version is None:
        abort(404)
    statuses = flags.flag_statuses(briefing, version)
    override_forms = [forms.OverrideForm(prefix=f"flag-{index}") for index in range(len(statuses))]
    posted = request.form.get("flag_index", type=int)
    if request.method == "POST" and posted is not None and 0 <= posted < len(statuses):
        form = override_forms[posted]
        if form.validate():
            status = statuses[posted]
            try:
                with transaction():
                    flags.override_flag(
                        briefing,
                        actor=current_user,
                        flag_kind=status.flag.kind,
                        matched_text=status.flag.text,
                        reason=form.reason.data or "",
                    )
            except BriefingError as error:
                form.reason.errors = [str(error)]
            else:
                flash(f"Kept \u201c{status.flag.text}\u201d with your reason.", "success")
                return redirect(url_for("briefings.check", briefing_id=briefing.id))
    error_form = next((f for f in override_forms if f.errors), None)
    return render_template(
        "briefings/check.html",
        briefing=briefing,
        version=version,
        rows=list(zip(statuses, override_forms, strict=True)),
        form=error_form,
        second_pass=flags.second_pass_status(),
    )


@blueprint.route("/briefings/<int:briefing_id>/new-version", methods=["POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def start_new_version(briefing_id: int) -> Response:
    briefing = briefing_or_404(briefing_id)
    with transaction():
        workflow.new_version(briefing, actor=current_user)
    flash(
        "A new draft version was started. The published version stays until you publish this one.",
        "success",
    )
    return redirect(url_for("briefings.edit", briefing_id=briefing.id))


@blueprint.route("/briefings/<int:briefing_id>/archive", methods=["POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def archive(briefing_id: int) -> Response:
    briefing = briefing_or_404(briefing_id)
    try:
        with transaction():
            workflow.archive(briefing, actor=current_user)
    except BriefingError as error:
        flash(str(error), "info")
        return redirect(url_for("briefings.history", briefing_id=briefing.id))
    flash("Archived: it is no longer in the learning library.", "success")
    return redirect(url_for("briefings.history", briefing_id=briefing.id))


@blueprint.route("/briefings/<int:briefing_id>/history")
@requires(Permission.MANAGE_BRIEFINGS)
def history(briefing_id: int) -> str:
    briefing = briefing_or_404(briefing_id)
    return render_template("briefings/history.html", briefing=briefing)


@blueprint.route("/briefings/<int:briefing_id>/versions/<int:number>")
@requires(Permission.MANAGE_BRIEFINGS)
def version(briefing_id: int, number: int) -> str:
    briefing = briefing_or_404(briefing_id)
    match = next((v for v in briefing.versions if v.number == number), None)
    if match is None:
        abort(404)
    return render_template(
        "briefings/read.html", **reading_context(briefing, match), read_form=None, read=None
    )


@blueprint.route("/briefings/settings", methods=["GET", "POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def settings() -> Response | str:
    rows = public_access.public_settings()
    form = forms.PublicSettingsForm()
    form.public.choices = choices_of([(p.id, p.name) for p, _ in rows])
    if request.method == "GET":
        form.public.data = [p.id for p, public in rows if public]
    if form.validate_on_submit():
        chosen = set(form.public.data or [])
        with transaction():
            for partnership, _ in rows:
                public_access.set_public(partnership, partnership.id in chosen, actor=current_user)
        flash("Settings saved.", "success")
        return redirect(url_for("briefings.settings"))
    return render_template("briefings/settings.html", form=form, rows=rows)


@blueprint.route("/briefings/<int:briefing_id>/links", methods=["GET", "POST"])
@requires(Permission.MANAGE_BRIEFINGS)
def links(briefing_id: int) -> Response | str:
    """The reviews, findings and themes a briefing links to (the library filters on them)."""
    briefing = briefing_or_404(briefing_id)
    options = link_service.link_options(briefing, overview_service.list_reviews())
    form = forms.LinksForm()
    form.reviews.choices = choices_of(
        [(r.id, f"{r.reference} ({r.subject_label})") for r in options.reviews]
    )
    form.findings.choices = choices_of(
        [(f.id, f"{f.review.reference}: {f.kind.label}: {f.text[:120]}") for f in options.findings]
    )
    form.themes.choices = choices_of([(t.id, t.name) for t in options.themes])
    if request.method == "GET":
        form.reviews.data = [r.id for r in briefing.reviews]
        form.findings.data = [f.id for f in briefing.findings]
        form.themes.data = [t.id for t in briefing.themes]
    if form.validate_on_submit():
        with transaction():
            link_service.link_chosen(
                briefing,
                actor=current_user,
                options=options,
                review_ids=set(form.reviews.data or []),
                finding_ids=set(form.findings.data or []),
                theme_ids=set(form.themes.data or []),
            )
        flash("Links saved.", "success")
        return redirect(url_for("briefings.links", briefing_id=briefing.id))
    return render_template("briefings/links.html", form=form, briefing=briefing)
