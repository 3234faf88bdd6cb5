"""Reviews: the list, one review with its timeline, and the lifecycle forms (notification,
rapid review, decision, commissioning, stage moves, holds, monitoring, publication, links,
agencies involved, family involvement).

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from sgreviews.clock import london_today
from sgreviews.models import PartnershipKind, Review, SubjectKind
from sgreviews.models.review import Consent, HoldReason, LinkKind, Methodology, MonitoringKind
from sgreviews.policy import (
    Permission,
    can_view_family_log,
    can_view_review,
    has_permission,
)
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews import creation as review_creation
from sgreviews.services.reviews import decisions as review_decisions
from sgreviews.services.reviews import details as review_details
from sgreviews.services.reviews import family_involvement
from sgreviews.services.reviews import holds as review_holds
from sgreviews.services.reviews import links as review_links
from sgreviews.services.reviews import monitoring as review_monitoring
from sgreviews.services.reviews import publishing as review_publishing
from sgreviews.services.reviews import queries as review_queries
from sgreviews.services.reviews import stages as review_stages
from sgreviews.services.reviews.lifecycle import ReviewError, review_types, type_of
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.paging import govuk_pagination
from sgreviews.web.paging import with_page as _with_page
from sgreviews.web.reviews import forms
from sgreviews.web.transactions import transaction

blueprint = Blueprint("reviews", __name__, url_prefix="/reviews")

Page = str | Response


def _review_or_404(review_id: int) -> Review:
    review = review_queries.get_review(review_id)
    if review is None:
        abort(404)
    if not can_view_review(current_user, review):
        abort(403)
    return review


def _partnership_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in organisations.list_partnerships()]


def _form_page(
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


def _save(
    form: FlaskForm, action: Any, success: str, review: Review | None = None
) -> Response | None:
    """Run one service call; on refusal put the message beside its field and keep the
    input. Returns the redirect, or None to re-render the form."""
    try:
        with transaction():
            result = action()
    except ReviewError as error:
        forms.add_error(form, error.field, error.message)
        return None
    flash(success, "success")
    target = result if isinstance(result, Review) else review
    assert target is not None
    return redirect(url_for("reviews.show", review_id=target.id))


# The list and the review page ----------------------------------------------------------


def _filters_from_request() -> review_queries.ReviewFilters:
    args = request.args

    def as_int(name: str) -> int | None:
        raw = args.get(name, "")
        return int(raw) if raw.isdigit() else None

    sort = args.get("sort", "next_deadline")
    return review_queries.ReviewFilters(
        partnership_id=as_int("partnership"),
        review_type=args.get("type") or None,
        stage=args.get("stage") or None,
        business_year=as_int("year"),
        due_soon=args.get("due_soon") == "1",
        overdue=args.get("overdue") == "1",
        on_hold=args.get("on_hold") == "1",
        sort=sort if sort in review_queries.SORTS else "next_deadline",
        descending=args.get("order") == "desc",
        page=as_int("page") or 1,
    )


@blueprint.route("", endpoint="index")
@requires(Permission.VIEW_REVIEW)
def review_list() -> str:
    today = london_today()
    filters = _filters_from_request()
    result = review_queries.list_reviews(current_user, filters, today)
    types = review_types()
    stages = sorted({stage for rtype in types.values() for stage in rtype.stages})
    query = {key: value for key, value in request.args.items() if key != "page"}
    pagination = govuk_pagination(
        result.page,
        result.pages,
        lambda number: url_for("reviews.index", **_with_page(query, number)),
        "Pages of reviews",
    )
    return render_template(
        "reviews/list.html",
        result=result,
        pagination=pagination,
        filters=filters,
        review_types=types,
        stages=stages,
        partnerships=organisations.list_partnerships(),
        years=review_queries.business_years(),
        query=query,
        today=today,
        can_manage=has_permission(current_user, Permission.MANAGE_REVIEWS),
    )


@blueprint.route("/<int:review_id>", endpoint="show")
@requires(Permission.VIEW_REVIEW)
def show(review_id: int) -> str:
    review = _review_or_404(review_id)
    today = london_today()
    soon = review_queries.due_soon_limit(today)
    rtype = type_of(review)
    return render_template(
        "reviews/show.html",
        review=review,
        rtype=rtype,
        deadlines=review_queries.deadline_views(review, today, soon),
        timeline=review_queries.timeline(review, today, soon),
        final_report=review_queries.final_report_lead(review, rtype.final_report_lead_days),
        linked=review_queries.linked_reviews(review),
        summary=review_queries.findings_summary(review.id),
        can_manage=has_permission(current_user, Permission.MANAGE_REVIEWS),
        can_see_family=can_view_family_log(current_user, review),
        can_write_briefings=has_permission(current_user, Permission.MANAGE_BRIEFINGS),
        today=today,
        methodology=Methodology,
    )


# Creating reviews ----------------------------------------------------------------------


@blueprint.route("/new-notification", methods=["GET", "POST"], endpoint="new_notification")
@requires(Permission.MANAGE_REVIEWS)
def new_notification() -> Page:
    form = forms.NotificationForm()
    # Notifications are about children: offer children's partnerships first.
    children = [
        (p.id, p.name)
        for p in organisations.list_partnerships()
        if p.kind is PartnershipKind.CHILDREN
    ]
    form.partnership_id.choices = choices_of(children or _partnership_choices())
    if form.validate_on_submit():
        partnership = organisations.get_partnership(form.partnership_id.data)
        if partnership is None:
            forms.add_error(form, "partnership_id", "Choose the partnership")
        else:
            response = _save(
                form,
                lambda: review_creation.log_notification(
                    current_user,
                    partnership=partnership,
                    subject_label=form.subject_label.data,
                    subject_kind=SubjectKind(form.subject_kind.data),
                    aware_on=form.aware_on.value,
                    notified_on=form.notified_on.data,
                    looked_after_child=bool(form.looked_after_child.data),
                    national_reference=form.national_reference.data,
                ),
                "Notification logged. The 5-working-day notification clock is shown below.",
            )
            if response:
                return response
    return _form_page(
        form,
        title="Log a serious incident notification",
        intro="The local authority notifies the national Child Safeguarding Practice Review "
        "Panel within 5 working days of becoming aware of a serious incident.",
    )


@blueprint.route("/new", methods=["GET", "POST"], endpoint="new")
@requires(Permission.MANAGE_REVIEWS)
def new_review() -> Page:
    form = forms.NewReviewForm()
    types = review_types()
    form.review_type.choices = choices_of(
        [("", "Choose a type")] + [(key, rtype.display_name) for key, rtype in types.items()]
    )
    form.partnership_id.choices = choices_of(_partnership_choices())
    variants = {key: label for rtype in types.values() for key, label in rtype.variants}
    form.variant.choices = choices_of([("", "Not applicable"), *variants.items()])
    if form.validate_on_submit():
        partnership = organisations.get_partnership(form.partnership_id.data)
        if partnership is None:
            forms.add_error(form, "partnership_id", "Choose the partnership")
        else:
            response = _save(
                form,
                lambda: review_creation.create_review(
                    current_user,
                    review_type=form.review_type.data,
                    partnership=partnership,
                    subject_label=form.subject_label.data,
                    subject_kind=SubjectKind(form.subject_kind.data),
                    started_on=form.started_on.value,
                    decision_on=form.decision_on.data,
                    notified_on=form.notified_on.data,
                    variant=form.variant.data,
                    reference=form.reference.data,
                ),
                "Review created.",
            )
            if response:
                return response
    return _form_page(form, title="Create a review")


# Lifecycle steps on one review ------------------------------------------------------------


@blueprint.route("/<int:review_id>/rapid-review", methods=["GET", "POST"], endpoint="rapid_review")
@requires(Permission.MANAGE_REVIEWS)
def start_rapid_review(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.StartRapidReviewForm()
    if request.method == "GET":
        form.started_on.data = london_today()
    if form.validate_on_submit():
        response = _save(
            form,
            lambda: review_creation.start_rapid_review(current_user, review, form.started_on.value),
            "Rapid review started. Its 15-working-day clock runs from the notification.",
        )
        if response:
            return response
    return _form_page(form, title="Start the rapid review", review=review)


@blueprint.route("/<int:review_id>/decision", methods=["GET", "POST"], endpoint="decision")
@requires(Permission.MANAGE_REVIEWS)
def decision(review_id: int) -> Page:
    review = _review_or_404(review_id)
    rtype = type_of(review)
    if not rtype.outcomes:
        abort(404)
    form = forms.DecisionForm()
    form.outcome.choices = choices_of([(outcome.key, outcome.label) for outcome in rtype.outcomes])
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = _save(
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
                expected_version=form.expected_version,
            ),
            "Decision recorded.",
            review,
        )
        if response:
            return response
    title = "Record the decision" if rtype.outcome_is_decision else "Record the outcome"
    return _form_page(form, title=title, review=review)


@blueprint.route(
    "/<int:review_id>/commission-from-decision", methods=["POST"], endpoint="commission_from"
)
@requires(Permission.MANAGE_REVIEWS)
def commission_from_decision(review_id: int) -> Response:
    review = _review_or_404(review_id)
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
    review = _review_or_404(review_id)
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
            response = _save(
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
    return _form_page(form, title="Commission the review", review=review)


@blueprint.route("/<int:review_id>/stage", methods=["GET", "POST"], endpoint="stage")
@requires(Permission.MANAGE_REVIEWS)
def stage(review_id: int) -> Page:
    review = _review_or_404(review_id)
    rtype = type_of(review)
    form = forms.StageForm()
    form.to_stage.choices = choices_of(
        [(key, rtype.stage_label(key)) for key in rtype.allowed_next(review.stage)]
    )
    if request.method == "GET":
        form.version.data = str(review.version)
        form.moved_on.data = london_today()
    if form.validate_on_submit():
        response = _save(
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
    return _form_page(form, title="Move to another stage", review=review, intro=intro)


@blueprint.route("/<int:review_id>/hold", methods=["GET", "POST"], endpoint="hold")
@requires(Permission.MANAGE_REVIEWS)
def hold(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.HoldForm()
    if request.method == "GET":
        form.version.data = str(review.version)
    if form.validate_on_submit():
        response = _save(
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
    return _form_page(
        form,
        title="Put the review on hold",
        review=review,
        intro="While proceedings run, the review's clocks stop: its deadlines show as paused "
        "and move on by the time spent on hold.",
    )


@blueprint.route("/<int:review_id>/hold/release", methods=["GET", "POST"], endpoint="release")
@requires(Permission.MANAGE_REVIEWS)
def release(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.ReleaseHoldForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.ended_on.data = london_today()
    if form.validate_on_submit():
        response = _save(
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
    return _form_page(form, title="Release the hold", review=review)


@blueprint.route("/<int:review_id>/monitoring", methods=["GET", "POST"], endpoint="monitoring")
@requires(Permission.MANAGE_REVIEWS)
def monitoring(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.MonitoringForm()
    if request.method == "GET":
        form.checked_on.data = london_today()
    if form.validate_on_submit():
        response = _save(
            form,
            lambda: review_monitoring.add_monitoring_entry(
                current_user,
                review,
                checked_on=form.checked_on.value,
                kind=MonitoringKind(form.kind.data),
                note=form.note.data,
            ),
            "Added to the monitoring log.",
            review,
        )
        if response:
            return response
    return _form_page(
        form,
        title="Add to the monitoring log",
        review=review,
        intro="Regulation 14: partners monitor the review's time and quality at regular "
        "intervals and may ask the reviewer in writing for progress.",
    )


@blueprint.route("/<int:review_id>/publication", methods=["GET", "POST"], endpoint="publication")
@requires(Permission.MANAGE_REVIEWS)
def publication(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.PublicationForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.published_on.data = review.published_on
        form.publication_url.data = review.publication_url
        form.anonymised_confirmed.data = review.anonymised_confirmed
        form.final_report_sent_on.data = review.final_report_sent_on
    if form.validate_on_submit():
        response = _save(
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
    return _form_page(form, title="Record publication", review=review)


@blueprint.route("/<int:review_id>/home-office", methods=["GET", "POST"], endpoint="home_office")
@requires(Permission.MANAGE_REVIEWS)
def home_office(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.HomeOfficeForm()
    if request.method == "GET":
        form.version.data = str(review.version)
        form.submitted_on.data = review.home_office_submitted_on
        form.letter_on.data = review.home_office_letter_on
        form.outcome.data = review.home_office_outcome
    if form.validate_on_submit():
        response = _save(
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
    return _form_page(form, title="Home Office quality assurance", review=review)


@blueprint.route("/<int:review_id>/links", methods=["GET", "POST"], endpoint="links")
@requires(Permission.MANAGE_REVIEWS)
def links(review_id: int) -> Page:
    review = _review_or_404(review_id)
    form = forms.LinkForm()
    form.other_review_id.choices = choices_of(
        [
            (other.id, f"{other.reference}: {other.subject_label}")
            for other in review_queries.reviews_for_linking(review.id)
        ]
    )
    if form.validate_on_submit():
        other = review_queries.get_review(form.other_review_id.data)
        if other is None:
            forms.add_error(form, "other_review_id", "Choose the linked review")
        else:
            response = _save(
                form,
                lambda: review_links.link(current_user, review, other, LinkKind(form.kind.data)),
                "Reviews linked.",
                review,
            )
            if response:
                return response
    return _form_page(form, title="Link another review", review=review)


@blueprint.route("/<int:review_id>/agencies", methods=["GET", "POST"], endpoint="agencies")
@requires(Permission.MANAGE_REVIEWS)
def agencies(review_id: int) -> Page:
    review = _review_or_404(review_id)
    all_agencies = organisations.list_agencies()
    form = forms.AgenciesForm()
    form.agency_ids.choices = choices_of([(agency.id, agency.name) for agency in all_agencies])
    if request.method == "GET":
        form.version.data = str(review.version)
        form.agency_ids.data = [agency.id for agency in review.agencies_involved]
    if form.validate_on_submit():
        chosen = [agency for agency in all_agencies if agency.id in (form.agency_ids.data or [])]
        response = _save(
            form,
            lambda: review_details.set_agencies_involved(
                current_user, review, chosen, form.expected_version
            ),
            "Agencies involved saved.",
            review,
        )
        if response:
            return response
    return _form_page(form, title="Agencies involved", review=review)


@blueprint.route("/<int:review_id>/details", methods=["GET", "POST"], endpoint="details")
@requires(Permission.MANAGE_REVIEWS)
def details(review_id: int) -> Page:
    review = _review_or_404(review_id)
    rtype = type_of(review)
    form = forms.DetailsForm()
    form.variant.choices = choices_of([("", "Not applicable"), *rtype.variants])
    if request.method == "GET":
        form.version.data = str(review.version)
        form.reference.data = review.reference
        form.subject_label.data = review.subject_label
        form.national_reference.data = review.national_reference
        form.jurisdiction.data = review.jurisdiction or ""
        form.variant.data = review.variant or ""
        form.aware_on.data = review.aware_on
        form.notified_on.data = review.notified_on
        form.completed_on.data = review.completed_on
    if form.validate_on_submit():
        response = _save(
            form,
            lambda: review_details.update_details(
                current_user,
                review,
                reference=form.reference.data,
                subject_label=form.subject_label.data,
                national_reference=form.national_reference.data or "",
                jurisdiction=form.jurisdiction.data or "",
                variant=form.variant.data or "",
                aware_on=form.aware_on.data,
                notified_on=form.notified_on.data,
                completed_on=form.completed_on.data,
                expected_version=form.expected_version,
            ),
            "Details saved.",
            review,
        )
        if response:
            return response
    fields = [name for name in form._fields if name not in ("csrf_token", "submit")]
    if not rtype.variants:
        fields.remove("variant")
    return _form_page(form, title="Edit details", review=review, fields=fields)


@blueprint.route("/<int:review_id>/family", methods=["GET", "POST"], endpoint="family")
@requires(Permission.VIEW_FAMILY_LOG)
def family(review_id: int) -> Page:
    review = _review_or_404(review_id)
    if not can_view_family_log(current_user, review):
        abort(403)
    can_add = has_permission(current_user, Permission.MANAGE_REVIEWS)
    form = forms.FamilyInvolvementForm()
    if request.method == "POST":
        if not can_add:
            abort(403)
        if form.validate_on_submit():
            response = _save(
                form,
                lambda: family_involvement.add_family_involvement(
                    current_user,
                    review,
                    person=form.person.data,
                    invited_on=form.invited_on.data,
                    consent=Consent(form.consent.data),
                    contact_preferences=form.contact_preferences.data or "",
                    views_used=form.views_used.data or "",
                ),
                "Added to the family involvement log.",
                review,
            )
            if response:
                return redirect(url_for("reviews.family", review_id=review.id))
    return render_template(
        "reviews/family.html", review=review, form=form if can_add else None, can_add=can_add
    )
