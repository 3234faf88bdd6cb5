"""The review lifecycle: notification, rapid review, decision, commissioning, stage moves,
holds, monitoring, publication, links, agencies involved and the family involvement log.

Every function validates its input (raising :class:`ReviewError` naming the field), writes,
recomputes the review's deadlines, records the change in the audit trail with the values
before and after, and flushes. The caller commits once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Agency, Partnership, Review, SubjectKind, User
from sgreviews.models.review import (
    Consent,
    FamilyInvolvement,
    HoldReason,
    LinkKind,
    Methodology,
    MonitoringEntry,
    MonitoringKind,
    ReviewDeadline,
    ReviewDecision,
    ReviewHold,
    ReviewLink,
    StageTransition,
)
from sgreviews.review_types import JURISDICTIONS, ReviewType
from sgreviews.services import audit
from sgreviews.services.clocks import Pause, calendar_for, compute_deadline

# Which column of a review holds the date of each clock event.
EVENT_COLUMNS: dict[str, str] = {
    "aware": "aware_on",
    "notified": "notified_on",
    "decision": "decision_on",
    "commissioned": "commissioned_on",
    "started": "started_on",
    "sent_to_panel": "sent_to_panel_on",
    "completed": "completed_on",
    "published": "published_on",
}
NOTIFICATION_TYPE = "serious_incident_notification"
RAPID_REVIEW_TYPE = "rapid_review"

# The review's own fields written to the audit trail.
AUDITED_FIELDS = (
    "reference",
    "review_type",
    "subject_label",
    "subject_kind",
    "stage",
    "partnership_id",
    "aware_on",
    "notified_on",
    "started_on",
    "decision_on",
    "commissioned_on",
    "sent_to_panel_on",
    "completed_on",
    "published_on",
    "national_reference",
    "jurisdiction",
    "looked_after_child",
    "variant",
    "reviewer_name",
    "methodology",
    "cost_pence",
    "terms_of_reference_on",
    "publication_url",
    "anonymised_confirmed",
    "final_report_sent_on",
    "home_office_submitted_on",
    "home_office_letter_on",
    "home_office_outcome",
)


class ReviewError(ValueError):
    """Input the lifecycle refuses; ``field`` names the form field to show it beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleReviewError(ReviewError):
    """Someone else changed the review since the form was loaded."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this review while you were editing it. Your changes have "
            "not been saved: check the review as it is now and make them again."
        )


def review_types() -> dict[str, ReviewType]:
    types: dict[str, ReviewType] = current_app.extensions["sgreviews.review_types"]
    return types


def type_of(review: Review) -> ReviewType:
    return review_types()[review.review_type]


def snapshot(review: Review) -> dict[str, Any]:
    return {name: getattr(review, name) for name in AUDITED_FIELDS}


def _check_version(review: Review, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != review.version:
        raise StaleReviewError()


def _format(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _not_future(day: date | None, field: str, what: str, today: date) -> None:
    if day is not None and day > today:
        raise ReviewError(f"{what} must be today or in the past", field)


def _not_before(day: date | None, earlier: date | None, field: str, message: str) -> None:
    if day is not None and earlier is not None and day < earlier:
        raise ReviewError(message, field)


# Deadlines ---------------------------------------------------------------------------


def refresh_deadlines(review: Review, today: date | None = None) -> None:
    """Recompute the review's stored deadlines from its type's clocks, its event dates, its
    holds and the calendar (bank holidays plus extra closure days)."""
    today = today or london_today()
    rtype = review_types().get(review.review_type)
    existing = {deadline.clock_key: deadline for deadline in review.deadlines}
    pauses = tuple(Pause(hold.started_on, hold.ended_on) for hold in review.holds)
    wanted: set[str] = set()
    for clock in rtype.clocks if rtype else ():
        start = getattr(review, EVENT_COLUMNS[clock.start_event])
        if start is None:
            continue
        wanted.add(clock.key)
        calendar = calendar_for(review.jurisdiction or clock.jurisdiction)
        computed = compute_deadline(clock, start, calendar, pauses, today)
        deadline = existing.get(clock.key)
        if deadline is None:
            deadline = ReviewDeadline(clock_key=clock.key)
            review.deadlines.append(deadline)
        deadline.name = clock.name
        deadline.start_on = start
        deadline.due_on = computed.due_on
        deadline.met_on = getattr(review, EVENT_COLUMNS[clock.met_by])
        deadline.rule = computed.rule
        deadline.calendar = computed.calendar
    for key, deadline in existing.items():
        if key not in wanted:
            review.deadlines.remove(deadline)
    db.session.flush()


def refresh_all_open_deadlines() -> int:
    """After the calendar changes: recompute every review that has deadlines."""
    reviews = db.session.scalars(
        select(Review).where(Review.id.in_(select(ReviewDeadline.review_id)))
    ).all()
    for review in reviews:
        refresh_deadlines(review)
    return len(reviews)


# Creating reviews --------------------------------------------------------------------


def next_reference(partnership_id: int, rtype: ReviewType, year: int) -> str:
    """The next free reference such as ``LCSPR-2025-03`` within the partnership."""
    stem = f"{rtype.prefix}-{year}-"
    existing = db.session.scalars(
        select(Review.reference).where(
            Review.partnership_id == partnership_id, Review.reference.like(f"{stem}%")
        )
    ).all()
    numbers = [int(ref[len(stem) :]) for ref in existing if ref[len(stem) :].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:02d}"


def _reference_taken(partnership_id: int, reference: str, except_id: int | None = None) -> bool:
    query = select(func.count()).where(
        Review.partnership_id == partnership_id, Review.reference == reference
    )
    if except_id is not None:
        query = query.where(Review.id != except_id)
    return bool(db.session.scalar(query))


def create_review(
    actor: User | None,
    *,
    review_type: str,
    partnership: Partnership,
    subject_label: str,
    subject_kind: SubjectKind,
    started_on: date,
    reference: str | None = None,
    aware_on: date | None = None,
    notified_on: date | None = None,
    decision_on: date | None = None,
    commissioned_on: date | None = None,
    looked_after_child: bool = False,
    variant: str | None = None,
    national_reference: str | None = None,
    jurisdiction: str | None = None,
    note: str = "",
) -> Review:
    rtype = review_types().get(review_type)
    if rtype is None:
        raise ReviewError("Choose a review type", "review_type")
    if not subject_label.strip():
        raise ReviewError("Enter the pseudonymised subject, such as Child Q", "subject_label")
    if variant and variant not in dict(rtype.variants):
        raise ReviewError(f"Choose a kind of {rtype.short_name}", "variant")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise ReviewError("Choose England, Wales, Scotland or Northern Ireland", "jurisdiction")
    reference = (reference or "").strip() or next_reference(partnership.id, rtype, started_on.year)
    if _reference_taken(partnership.id, reference):
        raise ReviewError(
            f"{reference} is already used in {partnership.short_name}: choose another reference",
            "reference",
        )
    review = Review(
        reference=reference,
        review_type=review_type,
        partnership=partnership,
        subject_label=subject_label.strip(),
        subject_kind=subject_kind,
        stage=rtype.stages[0],
        started_on=started_on,
        aware_on=aware_on,
        notified_on=notified_on,
        decision_on=decision_on,
        commissioned_on=commissioned_on,
        looked_after_child=looked_after_child,
        variant=variant or None,
        national_reference=national_reference or None,
        jurisdiction=jurisdiction or None,
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(
        StageTransition(
            review=review,
            from_stage=None,
            to_stage=review.stage,
            moved_on=started_on,
            note=note or "Review created",
            actor_id=actor.id if actor else None,
        )
    )
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "create", None, snapshot(review))
    return review


def log_notification(
    actor: User | None,
    *,
    partnership: Partnership,
    subject_label: str,
    subject_kind: SubjectKind,
    aware_on: date,
    notified_on: date | None,
    looked_after_child: bool,
    national_reference: str | None = None,
    today: date | None = None,
) -> Review:
    """Log a serious incident notification; its 5-working-day clock starts from the date
    the local authority became aware."""
    today = today or london_today()
    _not_future(aware_on, "aware_on", "The date the local authority became aware", today)
    _not_future(notified_on, "notified_on", "The date notified", today)
    _not_before(
        notified_on,
        aware_on,
        "notified_on",
        "The date notified must be on or after the date the local authority became aware",
    )
    return create_review(
        actor,
        review_type=NOTIFICATION_TYPE,
        partnership=partnership,
        subject_label=subject_label,
        subject_kind=subject_kind,
        started_on=aware_on,
        aware_on=aware_on,
        notified_on=notified_on,
        looked_after_child=looked_after_child,
        national_reference=national_reference,
        note="Serious incident notification logged",
    )


def link(actor: User | None, source: Review, target: Review, kind: LinkKind) -> ReviewLink:
    if source.id == target.id:
        raise ReviewError("A review cannot be linked to itself", "other_reference")
    already = db.session.scalar(
        select(func.count()).where(
            ((ReviewLink.from_review_id == source.id) & (ReviewLink.to_review_id == target.id))
            | ((ReviewLink.from_review_id == target.id) & (ReviewLink.to_review_id == source.id))
        )
    )
    if already:
        raise ReviewError(
            f"{source.reference} and {target.reference} are already linked", "other_reference"
        )
    item = ReviewLink(from_review_id=source.id, to_review_id=target.id, kind=kind)
    db.session.add(item)
    db.session.flush()
    audit.record(
        actor,
        "review",
        source.id,
        "link",
        None,
        {"kind": kind, "from": source.reference, "to": target.reference},
    )
    return item


def start_rapid_review(
    actor: User | None, notification: Review, started_on: date, today: date | None = None
) -> Review:
    """Start the rapid review of a notification: its 15-working-day clock runs from the
    notification date, and the notification moves on."""
    today = today or london_today()
    if notification.review_type != NOTIFICATION_TYPE:
        raise ReviewError("Only a serious incident notification starts a rapid review")
    _not_future(started_on, "started_on", "The start date", today)
    _not_before(
        started_on,
        notification.aware_on,
        "started_on",
        "The rapid review cannot start before the local authority became aware",
    )
    rapid = create_review(
        actor,
        review_type=RAPID_REVIEW_TYPE,
        partnership=notification.partnership,
        subject_label=notification.subject_label,
        subject_kind=notification.subject_kind,
        started_on=started_on,
        aware_on=notification.aware_on,
        notified_on=notification.notified_on or notification.aware_on,
        looked_after_child=notification.looked_after_child,
        national_reference=notification.national_reference,
        note=f"Rapid review of {notification.reference}",
    )
    link(actor, notification, rapid, LinkKind.LED_TO)
    _advance_if_allowed(actor, notification, "rapid_review_started", started_on)
    return rapid


# Decisions and commissioning ---------------------------------------------------------


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
    expected_version: int | None = None,
    today: date | None = None,
) -> ReviewDecision:
    """Record the decision (a rapid review's recommendation, a DHR or SAR decision), the
    date sent to the national Panel and the Panel's reply."""
    today = today or london_today()
    _check_version(review, expected_version)
    rtype = type_of(review)
    if rtype.outcome(outcome) is None:
        raise ReviewError("Choose the decision", "outcome")
    if not rationale.strip():
        raise ReviewError("Enter the rationale for the decision", "rationale")
    _not_future(decided_on, "decided_on", "The decision date", today)
    reference_date = review.notified_on or review.aware_on
    if reference_date is not None and decided_on < reference_date:
        raise ReviewError(
            f"The decision date must be on or after the notification on {_format(reference_date)}",
            "decided_on",
        )
    _not_future(sent_to_panel_on, "sent_to_panel_on", "The date sent to the Panel", today)
    _not_before(
        sent_to_panel_on,
        decided_on,
        "sent_to_panel_on",
        "The date sent to the Panel must be on or after the decision date",
    )
    _not_future(panel_reply_on, "panel_reply_on", "The date of the Panel's reply", today)
    if panel_reply_on is not None and sent_to_panel_on is None:
        raise ReviewError("Enter the date sent to the Panel before its reply", "sent_to_panel_on")
    _not_before(
        panel_reply_on,
        sent_to_panel_on,
        "panel_reply_on",
        "The Panel's reply must be on or after the date it was sent",
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
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(decision)
    review.decision_on = decided_on
    if sent_to_panel_on is not None:
        review.sent_to_panel_on = sent_to_panel_on
        _advance_if_allowed(actor, review, "sent_to_panel", sent_to_panel_on, audit_it=False)
    if panel_reply_on is not None:
        _advance_if_allowed(actor, review, "panel_replied", panel_reply_on, audit_it=False)
    if review.stage == "notified":
        _advance_if_allowed(actor, review, "decision", decided_on, audit_it=False)
    db.session.flush()
    refresh_deadlines(review)
    after = snapshot(review)
    after["decision"] = {"outcome": outcome, "rationale": decision.rationale}
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
    _check_version(review, expected_version)
    _not_future(commissioned_on, "commissioned_on", "The commissioning date", today)
    _not_before(
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


# Stages ------------------------------------------------------------------------------


def allowed_moves(review: Review) -> tuple[str, ...]:
    return type_of(review).allowed_next(review.stage)


def move_stage(
    actor: User | None,
    review: Review,
    *,
    to_stage: str,
    moved_on: date,
    note: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> StageTransition:
    """Move to another stage; only the moves the review type allows."""
    today = today or london_today()
    _check_version(review, expected_version)
    rtype = type_of(review)
    allowed = rtype.allowed_next(review.stage)
    if to_stage not in allowed:
        current = rtype.stage_label(review.stage)
        if not allowed:
            raise ReviewError(
                f"{current} is the final stage: the review cannot move on", "to_stage"
            )
        names = ", ".join(rtype.stage_label(stage) for stage in allowed)
        raise ReviewError(f"From {current} the review can move only to: {names}", "to_stage")
    _not_future(moved_on, "moved_on", "The date of the move", today)
    _not_before(
        moved_on,
        review.started_on,
        "moved_on",
        f"The date of the move must be on or after the start on {_format(review.started_on)}",
    )
    before = snapshot(review)
    transition = _transition(actor, review, to_stage, moved_on, note)
    # Stages that mark a clock's event fill in its date when it is not known yet.
    if to_stage in ("final_report", "report", "reported") and review.completed_on is None:
        review.completed_on = moved_on
    if to_stage == "sent_to_panel" and review.sent_to_panel_on is None:
        review.sent_to_panel_on = moved_on
    if to_stage == "commissioned" and review.commissioned_on is None:
        review.commissioned_on = moved_on
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "transition", before, snapshot(review))
    return transition


def _transition(
    actor: User | None, review: Review, to_stage: str, moved_on: date, note: str
) -> StageTransition:
    transition = StageTransition(
        review=review,
        from_stage=review.stage,
        to_stage=to_stage,
        moved_on=moved_on,
        note=note.strip(),
        actor_id=actor.id if actor else None,
    )
    db.session.add(transition)
    review.stage = to_stage
    return transition


def _advance_if_allowed(
    actor: User | None, review: Review, to_stage: str, moved_on: date, *, audit_it: bool = True
) -> None:
    """Follow a step of the lifecycle that another record implies (a decision sent to the
    Panel moves the rapid review on) when the type allows that move from here."""
    if to_stage not in allowed_moves(review):
        return
    before = snapshot(review)
    _transition(actor, review, to_stage, moved_on, "Moved on automatically")
    db.session.flush()
    if audit_it:
        audit.record(actor, "review", review.id, "transition", before, snapshot(review))


# Holds -------------------------------------------------------------------------------


def place_hold(
    actor: User | None,
    review: Review,
    *,
    reason: HoldReason,
    details: str,
    started_on: date,
    expected_version: int | None = None,
    today: date | None = None,
) -> ReviewHold:
    """Put the review on hold for proceedings: its clocks stop (paused, not breached)."""
    today = today or london_today()
    _check_version(review, expected_version)
    if review.active_hold is not None:
        raise ReviewError("The review is already on hold: release that hold first", "reason")
    _not_future(started_on, "started_on", "The start of the hold", today)
    _not_before(
        started_on,
        review.started_on,
        "started_on",
        "The hold cannot start before the review started",
    )
    before = snapshot(review)
    hold = ReviewHold(review=review, reason=reason, details=details.strip(), started_on=started_on)
    db.session.add(hold)
    db.session.flush()
    refresh_deadlines(review, today)
    after = snapshot(review)
    after["hold"] = {"reason": reason, "started_on": started_on, "details": hold.details}
    audit.record(actor, "review", review.id, "hold", before, after)
    return hold


def release_hold(
    actor: User | None,
    review: Review,
    *,
    ended_on: date,
    expected_version: int | None = None,
    today: date | None = None,
) -> ReviewHold:
    today = today or london_today()
    _check_version(review, expected_version)
    hold = review.active_hold
    if hold is None:
        raise ReviewError("The review is not on hold", "ended_on")
    _not_future(ended_on, "ended_on", "The date the hold ended", today)
    _not_before(
        ended_on,
        hold.started_on,
        "ended_on",
        f"The hold ended on or after it started on {_format(hold.started_on)}",
    )
    before: dict[str, Any] = {"hold": {"reason": hold.reason, "started_on": hold.started_on}}
    hold.ended_on = ended_on
    db.session.flush()
    refresh_deadlines(review, today)
    after = {"hold": {"reason": hold.reason, "started_on": hold.started_on, "ended_on": ended_on}}
    audit.record(actor, "review", review.id, "release_hold", before, after)
    return hold


# Publication, quality assurance, details ---------------------------------------------


def record_publication(
    actor: User | None,
    review: Review,
    *,
    published_on: date | None,
    publication_url: str,
    anonymised_confirmed: bool,
    final_report_sent_on: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    today = today or london_today()
    _check_version(review, expected_version)
    if published_on is None:
        raise ReviewError("Enter the date the report was published", "published_on")
    _not_future(published_on, "published_on", "The publication date", today)
    _not_before(
        published_on,
        review.started_on,
        "published_on",
        "The publication date must be on or after the review started",
    )
    url = publication_url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ReviewError("Enter the link as a web address starting https://", "publication_url")
    if not anonymised_confirmed:
        raise ReviewError("Confirm that the published report is anonymised", "anonymised_confirmed")
    _not_before(
        published_on,
        final_report_sent_on,
        "published_on",
        "The publication date must be after the final report was sent to the Panel",
    )
    before = snapshot(review)
    review.published_on = published_on
    review.publication_url = url or None
    review.anonymised_confirmed = True
    review.final_report_sent_on = final_report_sent_on
    if review.completed_on is None:
        review.completed_on = published_on
    _advance_if_allowed(actor, review, "published", published_on, audit_it=False)
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "publication", before, snapshot(review))
    return review


def record_home_office_qa(
    actor: User | None,
    review: Review,
    *,
    submitted_on: date | None,
    letter_on: date | None,
    outcome: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    """Home Office Quality Assurance Panel dates for a DHR."""
    today = today or london_today()
    _check_version(review, expected_version)
    if submitted_on is None:
        raise ReviewError("Enter the date the report went to the Home Office", "submitted_on")
    _not_future(submitted_on, "submitted_on", "The submission date", today)
    _not_future(letter_on, "letter_on", "The date of the letter", today)
    _not_before(
        letter_on, submitted_on, "letter_on", "The letter must be on or after the submission"
    )
    before = snapshot(review)
    review.home_office_submitted_on = submitted_on
    review.home_office_letter_on = letter_on
    review.home_office_outcome = outcome.strip() or None
    if review.completed_on is None:
        review.completed_on = submitted_on
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "home_office_qa", before, snapshot(review))
    return review


def update_details(
    actor: User | None,
    review: Review,
    *,
    reference: str,
    subject_label: str,
    national_reference: str,
    jurisdiction: str,
    variant: str,
    aware_on: date | None,
    notified_on: date | None,
    completed_on: date | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Review:
    """Edit the reference and key facts of a review."""
    today = today or london_today()
    _check_version(review, expected_version)
    reference = reference.strip()
    if not reference:
        raise ReviewError("Enter a reference", "reference")
    if _reference_taken(review.partnership_id, reference, review.id):
        raise ReviewError(
            f"{reference} is already used in this partnership: choose another reference",
            "reference",
        )
    if not subject_label.strip():
        raise ReviewError("Enter the pseudonymised subject, such as Child Q", "subject_label")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise ReviewError("Choose England, Wales, Scotland or Northern Ireland", "jurisdiction")
    rtype = type_of(review)
    if variant and variant not in dict(rtype.variants):
        raise ReviewError(f"Choose a kind of {rtype.short_name}", "variant")
    _not_future(aware_on, "aware_on", "The date the local authority became aware", today)
    _not_future(notified_on, "notified_on", "The date notified", today)
    _not_before(
        notified_on,
        aware_on,
        "notified_on",
        "The date notified must be on or after the date the local authority became aware",
    )
    _not_future(completed_on, "completed_on", "The completion date", today)
    before = snapshot(review)
    review.reference = reference
    review.subject_label = subject_label.strip()
    review.national_reference = national_reference.strip() or None
    review.jurisdiction = jurisdiction or None
    review.variant = variant or None
    review.aware_on = aware_on
    review.notified_on = notified_on
    review.completed_on = completed_on
    db.session.flush()
    refresh_deadlines(review)
    audit.record(actor, "review", review.id, "update", before, snapshot(review))
    return review


# Logs and links ----------------------------------------------------------------------


def add_monitoring_entry(
    actor: User | None,
    review: Review,
    *,
    checked_on: date,
    kind: MonitoringKind,
    note: str,
    today: date | None = None,
) -> MonitoringEntry:
    today = today or london_today()
    _not_future(checked_on, "checked_on", "The date of the check", today)
    if not note.strip():
        raise ReviewError("Enter what was checked or asked, and the result", "note")
    entry = MonitoringEntry(
        review=review,
        checked_on=checked_on,
        kind=kind,
        note=note.strip(),
        actor_id=actor.id if actor else None,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        actor,
        "review",
        review.id,
        "monitoring",
        None,
        {"checked_on": checked_on, "kind": kind, "note": entry.note},
    )
    return entry


def add_family_involvement(
    actor: User | None,
    review: Review,
    *,
    person: str,
    invited_on: date | None,
    consent: Consent,
    contact_preferences: str,
    views_used: str,
    today: date | None = None,
) -> FamilyInvolvement:
    today = today or london_today()
    if not person.strip():
        raise ReviewError(
            "Enter who was invited, pseudonymised, such as Mother of Child Q", "person"
        )
    _not_future(invited_on, "invited_on", "The date invited", today)
    entry = FamilyInvolvement(
        review=review,
        person=person.strip(),
        invited_on=invited_on,
        consent=consent,
        contact_preferences=contact_preferences.strip(),
        views_used=views_used.strip(),
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(entry)
    db.session.flush()
    # The audit trail keeps that an entry was made, not its sensitive content.
    audit.record(
        actor,
        "review",
        review.id,
        "family_involvement",
        None,
        {"entry_id": entry.id, "consent": consent, "invited_on": invited_on},
    )
    return entry


def set_agencies_involved(
    actor: User | None,
    review: Review,
    agencies: list[Agency],
    expected_version: int | None = None,
) -> Review:
    """The agencies involved decide which agency leads may read the review."""
    _check_version(review, expected_version)
    before = {"agencies_involved": sorted(agency.name for agency in review.agencies_involved)}
    review.agencies_involved = sorted(agencies, key=lambda agency: agency.name)
    db.session.flush()
    after = {"agencies_involved": sorted(agency.name for agency in agencies)}
    audit.record(actor, "review", review.id, "agencies_involved", before, after)
    return review


def find_by_reference(partnership_id: int, reference: str) -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.partnership_id == partnership_id, Review.reference == reference.strip()
        )
    )


def find_any_by_reference(reference: str) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.reference == reference.strip()).order_by(Review.id).limit(1)
    )


def get_partnership(partnership_id: int) -> Partnership | None:
    return db.session.get(Partnership, partnership_id)
