"""The findings of a review: list with their actions, add, edit, and mark addressed."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import (
    Addressee,
    Finding,
    FindingKind,
    LinkDecision,
    RecommendationLevel,
    Review,
    User,
)
from sgreviews.policy import (
    Permission,
    can_manage_findings,
    can_view_action,
    can_view_review,
    has_permission,
)
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions.rag import current_rules
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.learning import similar
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews import findings as finding_service
from sgreviews.services.themes import theme_choices
from sgreviews.web.access import requires
from sgreviews.web.findings.forms import FindingForm, LinkDecisionForm
from sgreviews.web.forms_common import add_error, choices_of, comparison
from sgreviews.web.transactions import transaction

blueprint = Blueprint("findings", __name__)


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def _themes_path() -> Path:
    path: Path = current_app.extensions["sgreviews.settings"].config_dir / "themes.toml"
    return path


def _review_or_404(review_id: int) -> Review:
    review = finding_service.review_with_findings(review_id)
    if review is None:
        abort(404)
    if not can_view_review(current_user, review):
        abort(403)
    return review


@blueprint.route("/reviews/<int:review_id>/findings")
@requires(Permission.VIEW_REVIEW)
def list_findings(review_id: int) -> str:
    review = _review_or_404(review_id)
    visible = {
        finding.id: [action for action in finding.actions if can_view_action(current_user, action)]
        for finding in review.findings
    }
    all_actions = [action for actions in visible.values() for action in actions]
    rules = current_rules()
    return render_template(
        "findings/list.html",
        review=review,
        visible=visible,
        rag=action_lists.ratings(all_actions, london_today(), rules),
        rules=rules,
        closure={finding.id: finding_service.closure_check(finding) for finding in review.findings},
        can_manage=can_manage_findings(current_user),
        can_assure=has_permission(current_user, Permission.ASSURE_ACTIONS),
        can_link=has_permission(current_user, Permission.LINK_FINDINGS),
        review_types=current_app.extensions["sgreviews.review_types"],
    )


def _prepare(form: FindingForm) -> list[tuple[str, list[tuple[str, str]]]]:
    agencies = organisations.agency_choices(active_only=True)
    form.agencies.choices = choices_of(list(agencies))
    form.addressee_agency.choices = choices_of([("", "Choose an agency"), *agencies])
    return theme_choices(_themes_path())


def _recommendation(form: FindingForm) -> finding_service.RecommendationDetails:
    """The recommendation's details as sent (a value that is not one of the choices counts
    as not chosen, and the service says so beside the field)."""
    levels = {level.value: level for level in RecommendationLevel}
    addressees = {addressee.value: addressee for addressee in Addressee}
    return finding_service.RecommendationDetails(
        level=levels.get(form.level.data or ""),
        addressed_to=addressees.get(form.addressed_to.data or ""),
        agency_id=form.addressee_agency.data,
        body=form.addressee_body.data or "",
        response_on=form.response_on.data,
        response=form.response.data or "",
    )


def _fill_recommendation(form: FindingForm, finding: Finding) -> None:
    form.level.data = finding.level.value if finding.level else None
    form.addressed_to.data = finding.addressed_to.value if finding.addressed_to else None
    form.addressee_agency.data = finding.addressee_agency_id
    form.addressee_body.data = finding.addressee_body or ""
    form.response_on.data = finding.response_on
    form.response.data = finding.response or ""


@blueprint.route("/reviews/<int:review_id>/findings/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_FINDINGS)
def create(review_id: int) -> Response | str:
    review = _review_or_404(review_id)
    form = FindingForm()
    groups = _prepare(form)
    if request.method == "GET":
        form.kind.data = FindingKind.LEARNING_POINT.value
    checked: list[similar.Suggestion] | None = None
    if form.check.data and form.validate_on_submit():
        checked = similar.suggestions(current_user, form.text.data or "", review)
    elif form.validate_on_submit():
        try:
            with transaction():
                finding = finding_service.create_finding(
                    actor=_user(),
                    review=review,
                    kind=FindingKind(form.kind.data),
                    text=form.text.data or "",
                    theme_keys=list(form.themes.data or []),
                    agency_ids=list(form.agencies.data or []),
                    themes_path=_themes_path(),
                    recommendation=_recommendation(form),
                )
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Finding {finding.position} added.", "success")
            return _after_save(review, finding)
    return render_template(
        "findings/edit.html",
        form=form,
        review=review,
        finding=None,
        groups=groups,
        stale=None,
        comparison_rows=[],
        checked=checked,
    )


def _after_save(review: Review, finding: Finding) -> Response:
    """To the finding's similar earlier findings when there are any to decide on (for those
    who may link findings), else back to the findings."""
    if has_permission(current_user, Permission.LINK_FINDINGS) and similar.suggestions(
        current_user, finding.text, review, finding
    ):
        return redirect(
            url_for("findings.similar_findings", review_id=review.id, finding_id=finding.id)
        )
    return redirect(
        url_for("findings.list_findings", review_id=review.id) + f"#finding-{finding.id}"
    )


def _finding_or_404(review: Review, finding_id: int) -> Finding:
    finding = finding_service.get_finding(finding_id)
    if finding is None or finding.review_id != review.id:
        abort(404)
    return finding


@blueprint.route("/reviews/<int:review_id>/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_FINDINGS)
def edit(review_id: int, finding_id: int) -> Response | str:
    review = _review_or_404(review_id)
    finding = _finding_or_404(review, finding_id)
    form = FindingForm()
    groups = _prepare(form)
    stale: StaleEdit | None = None
    checked: list[similar.Suggestion] | None = None
    if request.method == "GET":
        form.kind.data = finding.kind.value
        form.text.data = finding.text
        form.themes.data = [theme.key for theme in finding.themes]
        form.agencies.data = [agency.id for agency in finding.agencies_involved]
        _fill_recommendation(form, finding)
        form.version.data = str(finding.version)
    elif form.check.data and form.validate_on_submit():
        checked = similar.suggestions(current_user, form.text.data or "", review, finding)
    elif form.validate_on_submit():
        try:
            with transaction():
                finding_service.update_finding(
                    actor=_user(),
                    finding=finding,
                    expected_version=int(form.version.data or 0),
                    kind=FindingKind(form.kind.data),
                    text=form.text.data or "",
                    theme_keys=list(form.themes.data or []),
                    agency_ids=list(form.agencies.data or []),
                    themes_path=_themes_path(),
                    recommendation=_recommendation(form),
                )
        except StaleEdit as error:
            stale = error
            finding = _finding_or_404(review, finding_id)
            form.version.data = str(finding.version)
        except FieldError as error:
            add_error(form, error.field_name, error.message)
        else:
            flash(f"Finding {finding.position} saved.", "success")
            return _after_save(review, finding)
    rows = []
    if stale is not None:
        names = {choice.value: choice.label for choice in form.agencies.choices}
        rows = comparison(
            stale.current,
            form,
            [
                ("kind", "Kind"),
                ("text", "Finding"),
                ("themes", "Themes"),
                ("agencies", "Agencies involved"),
            ],
            {
                "kind": lambda value: FindingKind(value).label,
                "themes": lambda keys: ", ".join(sorted(keys)),
                "agencies": lambda ids: ", ".join(sorted(names.get(int(i), str(i)) for i in ids)),
            },
        )
    return render_template(
        "findings/edit.html",
        form=form,
        review=review,
        finding=finding,
        groups=groups,
        stale=stale,
        comparison_rows=rows,
        checked=checked,
    )


@blueprint.route("/reviews/<int:review_id>/findings/<int:finding_id>/addressed", methods=["POST"])
@requires(Permission.ASSURE_ACTIONS)
def mark_addressed(review_id: int, finding_id: int) -> Response:
    review = _review_or_404(review_id)
    finding = _finding_or_404(review, finding_id)
    with transaction():
        check = finding_service.mark_addressed(actor=_user(), finding=finding)
    if check.addressed:
        flash(f"Finding {finding.position} is marked addressed.", "success")
    else:
        flash(
            f"Finding {finding.position} cannot be marked addressed yet: "
            + " ".join(check.reasons),
            "info",
        )
    return redirect(
        url_for("findings.list_findings", review_id=review.id) + f"#finding-{finding.id}"
    )


@blueprint.route("/reviews/<int:review_id>/findings/<int:finding_id>/similar")
@requires(Permission.LINK_FINDINGS)
def similar_findings(review_id: int, finding_id: int) -> str:
    review = _review_or_404(review_id)
    finding = _finding_or_404(review, finding_id)
    return render_template(
        "findings/similar.html",
        review=review,
        finding=finding,
        suggestions=similar.suggestions(current_user, finding.text, review, finding),
        decided=similar.decided_links(finding),
        form=LinkDecisionForm(),
    )


@blueprint.route("/reviews/<int:review_id>/findings/<int:finding_id>/similar", methods=["POST"])
@requires(Permission.LINK_FINDINGS)
def decide_link(review_id: int, finding_id: int) -> Response:
    review = _review_or_404(review_id)
    finding = _finding_or_404(review, finding_id)
    form = LinkDecisionForm()
    back = url_for("findings.similar_findings", review_id=review.id, finding_id=finding.id)
    if not form.validate_on_submit():
        flash("Choose confirm or dismiss for the suggested finding.", "info")
        return redirect(back)
    earlier = form.earlier.data or ""
    try:
        score = float(form.score.data) if form.score.data else None
    except ValueError:
        score = None
    decision = LinkDecision(form.decision.data)
    try:
        with transaction():
            link = similar.decide(
                actor=_user(),
                finding=finding,
                earlier_id=int(earlier) if earlier.isdigit() else 0,
                decision=decision,
                score=score,
            )
            label = link.earlier.label
    except FieldError as error:
        flash(error.message, "info")
        return redirect(back)
    if decision is LinkDecision.CONFIRMED:
        flash(f"Linked: finding {finding.position} repeats learning from {label}.", "success")
    else:
        flash(f"Dismissed: {label} will not be suggested again for this finding.", "success")
    return redirect(back)
