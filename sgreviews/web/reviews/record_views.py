"""What is kept about a review beside its lifecycle: the monitoring log, linked reviews,
the agencies involved, its details, and the family involvement log.

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from sgreviews.clock import london_today
from sgreviews.models.review import Consent, LinkKind, MonitoringKind
from sgreviews.policy import Permission, can_view_family_log, has_permission
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.reviews import details as review_details
from sgreviews.services.reviews import family_involvement
from sgreviews.services.reviews import links as review_links
from sgreviews.services.reviews import monitoring as review_monitoring
from sgreviews.services.reviews import queries as review_queries
from sgreviews.services.reviews.lifecycle import type_of
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.reviews import forms
from sgreviews.web.reviews.common import Page, blueprint, form_page, review_or_404, save


@blueprint.route("/<int:review_id>/monitoring", methods=["GET", "POST"], endpoint="monitoring")
@requires(Permission.MANAGE_REVIEWS)
def monitoring(review_id: int) -> Page:
    review = review_or_404(review_id)
    form = forms.MonitoringForm()
    if request.method == "GET":
        form.checked_on.data = london_today()
    if form.validate_on_submit():
        response = save(
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
    return form_page(
        form,
        title="Add to the monitoring log",
        review=review,
        intro="Regulation 14: partners monitor the review's time and quality at regular "
        "intervals and may ask the reviewer in writing for progress.",
    )


@blueprint.route("/<int:review_id>/links", methods=["GET", "POST"], endpoint="links")
@requires(Permission.MANAGE_REVIEWS)
def links(review_id: int) -> Page:
    review = review_or_404(review_id)
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
            response = save(
                form,
                lambda: review_links.link(current_user, review, other, LinkKind(form.kind.data)),
                "Reviews linked.",
                review,
            )
            if response:
                return response
    return form_page(form, title="Link another review", review=review)


@blueprint.route("/<int:review_id>/agencies", methods=["GET", "POST"], endpoint="agencies")
@requires(Permission.MANAGE_REVIEWS)
def agencies(review_id: int) -> Page:
    review = review_or_404(review_id)
    all_agencies = organisations.list_agencies()
    form = forms.AgenciesForm()
    form.agency_ids.choices = choices_of([(agency.id, agency.name) for agency in all_agencies])
    if request.method == "GET":
        form.version.data = str(review.version)
        form.agency_ids.data = [agency.id for agency in review.agencies_involved]
    if form.validate_on_submit():
        chosen = [agency for agency in all_agencies if agency.id in (form.agency_ids.data or [])]
        response = save(
            form,
            lambda: review_details.set_agencies_involved(
                current_user, review, chosen, form.expected_version
            ),
            "Agencies involved saved.",
            review,
        )
        if response:
            return response
    return form_page(form, title="Agencies involved", review=review)


@blueprint.route("/<int:review_id>/details", methods=["GET", "POST"], endpoint="details")
@requires(Permission.MANAGE_REVIEWS)
def details(review_id: int) -> Page:
    review = review_or_404(review_id)
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
        response = save(
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
    return form_page(form, title="Edit details", review=review, fields=fields)


@blueprint.route("/<int:review_id>/family", methods=["GET", "POST"], endpoint="family")
@requires(Permission.VIEW_FAMILY_LOG)
def family(review_id: int) -> Page:
    review = review_or_404(review_id)
    if not can_view_family_log(current_user, review):
        abort(403)
    can_add = has_permission(current_user, Permission.MANAGE_REVIEWS)
    form = forms.FamilyInvolvementForm()
    if request.method == "POST":
        if not can_add:
            abort(403)
        if form.validate_on_submit():
            response = save(
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
                append=True,
            )
            if response:
                return redirect(url_for("reviews.family", review_id=review.id))
    return render_template(
        "reviews/family.html", review=review, form=form if can_add else None, can_add=can_add
    )
