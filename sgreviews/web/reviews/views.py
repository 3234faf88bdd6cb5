"""Reviews: the list, one review with its timeline, and creating a review (a serious
incident notification, or a review of any type).

The steps a review moves through are in `lifecycle_views`, what is kept about it beside
them in `record_views`; all register on the one blueprint of `common`.

Views are thin: parse the form, call one service, commit, redirect; a refused input goes
back beside its field with everything typed kept."""

from __future__ import annotations

import json

from flask import render_template, request, url_for
from flask_login import current_user

from sgreviews.clock import london_today
from sgreviews.models import PartnershipKind, SubjectKind
from sgreviews.models.review import Methodology
from sgreviews.policy import (
    Permission,
    can_view_family_log,
    has_permission,
    sees_every_action,
    serves_partnership,
)
from sgreviews.services import submissions as review_submissions
from sgreviews.services.organisations import directory as organisations
from sgreviews.services.organisations import partnerships as partnership_admin
from sgreviews.services.reviews import creation as review_creation
from sgreviews.services.reviews import queries as review_queries
from sgreviews.services.reviews import stages as review_stages
from sgreviews.services.reviews.lifecycle import review_types, type_of
from sgreviews.web.access import requires
from sgreviews.web.forms_common import choices_of
from sgreviews.web.paging import govuk_pagination
from sgreviews.web.paging import with_page as _with_page
from sgreviews.web.reviews import forms
from sgreviews.web.reviews.common import Page, blueprint, form_page, review_or_404, save


def _partnership_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in organisations.list_partnerships()]


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
    review = review_or_404(review_id)
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
        linked=review_queries.linked_reviews(review, current_user),
        summary=review_queries.findings_summary(review.id, current_user),
        every_action=sees_every_action(current_user),
        can_manage=has_permission(current_user, Permission.MANAGE_REVIEWS),
        can_see_family=can_view_family_log(current_user, review),
        can_undo_stage=review_stages.last_move(review) is not None,
        can_move=serves_partnership(current_user, review.partnership_id),
        can_write_briefings=has_permission(current_user, Permission.MANAGE_BRIEFINGS),
        today=today,
        methodology=Methodology,
        submissions=review_submissions.submissions_of(review, today),
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
            response = save(
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
    return form_page(
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
    form.partnership_id.choices = choices_of(
        [("", "Choose a partnership"), *_partnership_choices()]
    )
    variants = {key: label for rtype in types.values() for key, label in rtype.variants}
    form.variant.choices = choices_of([("", "Not applicable"), *variants.items()])
    kinds = partnership_admin.partnership_kinds()
    owning_bodies = {key: rtype.owning_body for key, rtype in types.items()}
    if request.method == "GET" and request.args.get("type") in types:
        # Linked with a type chosen (and without JavaScript): its owning body's partnership.
        form.review_type.data = request.args["type"]
        form.partnership_id.data = _partnership_of_kind(kinds, owning_bodies[form.review_type.data])
    if form.validate_on_submit():
        partnership = organisations.get_partnership(form.partnership_id.data)
        if partnership is None:
            forms.add_error(form, "partnership_id", "Choose the partnership")
        else:
            response = save(
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
    return form_page(
        form,
        title="Create a review",
        # app.js chooses the partnership of the type's owning body as the type changes.
        field_params={
            "review_type": {"attributes": {"data-app-owning-bodies": json.dumps(owning_bodies)}},
            "partnership_id": {
                "attributes": {
                    "data-app-partnership-kinds": json.dumps(
                        {str(pid): kind for pid, kind in kinds.items()}
                    )
                }
            },
        },
    )


def _partnership_of_kind(kinds: dict[int, str], owning_body: str) -> int | None:
    """The partnership a review of this owning body goes to: of the partnerships of that
    kind, the first the user serves (all, for a user serving none), by name."""
    served = {p.id for p in getattr(current_user, "partnerships", [])}
    candidates = [pid for pid, kind in kinds.items() if kind == owning_body]
    preferred = [pid for pid in candidates if not served or pid in served]
    chosen = preferred or candidates
    return chosen[0] if chosen else None
