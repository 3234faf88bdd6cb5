"""Decisions and commissioning: the decision on a notification, rapid review, DHR or SAR
(with the dates sent to the national Panel and its reply), the review the decision
commissions, and the commissioning details (reviewer, methodology, cost)."""

from __future__ import annotations

from datetime import date

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.models.review import DECISION_SIGN_OFF_ROLES, LinkKind, Methodology, ReviewDecision
from sgreviews.services import audit
from sgreviews.services.reviews.creation import create_review
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    check_version,
    long_date,
    not_before,
    not_future,
    snapshot,
    type_of,
)
from sgreviews.services.reviews.links import link
from sgreviews.services.reviews.stages import advance_if_allowed


def _signed_off_by(
    required: bool, role: str | None, name: str | None
) -> tuple[str | None, str | None]:
    """Who signed the decision off: required (and checked) for the types whose decisions a
    safeguarding partner signs off; nothing is kept for the others."""
    if not required:
        return None, None
    if role not in DECISION_SIGN_OFF_ROLES:
        raise ReviewError("Choose who signed off the decision", "signed_off_by_role")
    name = (name or "").strip()
    if not name:
        raise ReviewError("Enter the name of the partner who signed it off", "signed_off_by_name")
    if len(name) > 200:
        raise ReviewError("The name must be 200 characters or fewer", "signed_off_by_name")
    return role, name


def record_decision(
    actor: User | None,
    review: Review,
    *,
    decided_on: date,
    outcome: str,
    rationale: str,
    sent_to_panel_on: date | None = None,
    panel_reply_on: date | None = None,
    panel_reply: str | None = None,
    signed_off_by_role: str | None = None,
    signed_off_by_name: str | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> ReviewDecision:
    """Record the decision (a rapid review's recommendation, a DHR or SAR decision), the
    date sent to the national Panel and the Panel's reply."""
    today = today or london_today()
    check_version(review, expected_version)
    rtype = type_of(review)
    if rtype.outcome(outcome) is None:
        raise ReviewError("Choose the decision", "outcome")
    if not rationale.strip():
        raise ReviewError("Enter the rationale for the decision", "rationale")
    not_future(decided_on, "decided_on", "The decision date", today)
    reference_date = review.notified_on or review.aware_on
    if reference_date is not None and decided_on < reference_date:
        raise ReviewError(
            "The decision date must be on or after the notification on "
            f"{long_date(reference_date)}",
            "decided_on",
        )
    not_future(sent_to_panel_on, "sent_to_panel_on", "The date sent to the Panel", today)
    not_before(
        sent_to_panel_on,
        decided_on,
        "sent_to_panel_on",
        "The date sent to the Panel must be on or after the decision date",
    )
    not_future(panel_reply_on, "panel_reply_on", "The date of the Panel's reply", today)
    if panel_reply_on is not None and sent_to_panel_on is None:
        raise ReviewError("Enter the date sent to the Panel before its reply", "sent_to_panel_on")
    not_before(
        panel_reply_on,
        sent_to_panel_on,
        "panel_reply_on",
        "The Panel's reply must be on or after the date it was sent",
    )
    role, name = _signed_off_by(
        rtype.decision_signed_off_by_partner, signed_off_by_role, signed_off_by_name
    )
    before = snapshot(review)
    decision = ReviewDecision(
        review=review,
        decided_on=decided_on,
        outcome=outcome,
        rationale=rationale.strip(),
        sent_to_panel_on=sent_to_panel_on,
        panel_reply_on=panel_reply_on,
        panel_reply=(panel_reply or "").strip() or None,
        signed_off_by_role=role,
        signed_off_by_name=name,
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(decision)
    review.decision_on = decided_on
    if sent_to_panel_on is not None:
        review.sent_to_panel_on = sent_to_panel_on
        advance_if_allowed(actor, review, "sent_to_panel", sent_to_panel_on, audit_it=False)
    if panel_reply_on is not None:
        advance_if_allowed(actor, review, "panel_replied", panel_reply_on, audit_it=False)
    if review.stage == "notified":
        advance_if_allowed(actor, review, "decision", decided_on, audit_it=False)
    db.session.flush()
    refresh_deadlines(review)
    after = snapshot(review)
    after["decision"] = {"outcome": outcome, "rationale": decision.rationale}
    if role is not None:
        after["decision"] |= {"signed_off_by_role": role, "signed_off_by_name": name}
    audit.record(actor, "review", review.id, "decision", before, after)
    return decision


def commission_from_decision(actor: User | None, source: Review) -> Review:
    """Start the review the latest decision commissions (an LCSPR after a rapid review),
    linked to the source; its clock runs from the decision date."""
    if not source.decisions:
        raise ReviewError("Record the decision first")
    decision = source.decisions[-1]
    outcome = type_of(source).outcome(decision.outcome)
    if outcome is None or not outcome.commissions:
        raise ReviewError("The decision does not commission a review")
    created = create_review(
        actor,
        review_type=outcome.commissions,
        partnership=source.partnership,
        subject_label=source.subject_label,
        subject_kind=source.subject_kind,
        started_on=decision.decided_on,
        aware_on=source.aware_on,
        notified_on=source.notified_on,
        decision_on=decision.decided_on,
        looked_after_child=source.looked_after_child,
        national_reference=source.national_reference,
        note=f"Commissioned after {source.reference}: {outcome.label}",
    )
    link(actor, source, created, LinkKind.LED_TO)
    return created


def record_commissioning(
    actor: User | None,
    review: Review,
    *,
    commissioned_on: date,
    reviewer_name: str,
    methodology: Methodology,
    cost_pence: int | None,
    terms_of_reference_on: date | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    today = today or london_today()
    check_version(review, expected_version)
    not_future(commissioned_on, "commissioned_on", "The commissioning date", today)
    not_before(
        commissioned_on,
        review.decision_on,
        "commissioned_on",
        "The commissioning date must be on or after the decision to hold the review",
    )
    if not reviewer_name.strip():
        raise ReviewError("Enter the reviewer or author", "reviewer_name")
    if cost_pence is not None and cost_pence < 0:
        raise ReviewError("The cost cannot be negative", "cost")
    before = snapshot(review)
    review.commissioned_on = commissioned_on
    review.reviewer_name = reviewer_name.strip()
    review.methodology = methodology
    review.cost_pence = cost_pence
    review.terms_of_reference_on = terms_of_reference_on
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "commission", before, snapshot(review))
    return review
