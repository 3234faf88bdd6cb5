"""Lifecycle records for the demo reviews: clocks' event dates, stage histories, a
carried-over LCSPR that followed a notification and a rapid review, a DHR waiting for the
Home Office, a SAR on hold for criminal proceedings, agencies involved, monitoring and
family involvement entries. Fictional, and relative to the day the demo is loaded."""

from __future__ import annotations

from datetime import date, timedelta

from sgreviews.extensions import db
from sgreviews.models import Agency, Review, SubjectKind, User
from sgreviews.models.review import (
    Consent,
    FamilyInvolvement,
    HoldReason,
    LinkKind,
    Methodology,
    MonitoringEntry,
    MonitoringKind,
    ReviewDecision,
    ReviewHold,
    ReviewLink,
    StageTransition,
)
from sgreviews.services.reviews.deadlines import refresh_deadlines
from sgreviews.services.reviews.lifecycle import review_types


def _history(review: Review, actor: User, today: date) -> None:
    """A stage history from the first stage to the current one, spread over the review's
    life so far."""
    stages = review_types()[review.review_type].stages
    path = list(stages[: stages.index(review.stage) + 1])
    span = max((today - review.started_on).days, len(path))
    previous: str | None = None
    for number, stage in enumerate(path):
        moved = review.started_on + timedelta(days=span * number // max(len(path), 1))
        db.session.add(
            StageTransition(
                review=review,
                from_stage=previous,
                to_stage=stage,
                moved_on=min(moved, today),
                note="Review created" if previous is None else "",
                actor_id=actor.id,
            )
        )
        previous = stage


def load_lifecycle_demo(
    reviews: dict[str, Review], agencies: dict[str, Agency], secretariat: User, today: date
) -> None:
    partnership = reviews["LCSPR-2025-02"].partnership

    # The dates each clock runs from, before histories and deadlines are built.
    for review in reviews.values():
        review.decision_on = review.started_on
        if review.review_type in ("serious_incident_notification", "rapid_review", "scr"):
            review.aware_on = review.started_on - timedelta(days=3)
            review.notified_on = review.started_on - timedelta(days=1)
        if review.review_type in ("silp", "learning_review", "lcspr", "sar", "dhr"):
            review.commissioned_on = review.started_on + timedelta(days=14)

    # This year's notification and its rapid review, still within their clocks.
    notification, rapid = reviews["SIN-2026-04"], reviews["RR-2026-04"]
    notification.aware_on = today - timedelta(days=12)
    notification.notified_on = today - timedelta(days=10)
    notification.decision_on = None
    rapid.aware_on = notification.aware_on
    rapid.notified_on = notification.notified_on
    rapid.decision_on = None
    db.session.add(ReviewLink(from_review=notification, to_review=rapid, kind=LinkKind.LED_TO))

    # The carried-over LCSPR: a notification and rapid review last year led to it.
    lcspr = reviews["LCSPR-2025-02"]
    decided = lcspr.started_on
    old_notification = Review(
        reference=f"SIN-{decided.year}-90",
        review_type="serious_incident_notification",
        partnership=partnership,
        subject_label=lcspr.subject_label,
        subject_kind=SubjectKind.CHILD,
        stage="closed",
        aware_on=decided - timedelta(days=30),
        notified_on=decided - timedelta(days=27),
        started_on=decided - timedelta(days=30),
        completed_on=decided - timedelta(days=25),
    )
    old_rapid = Review(
        reference=f"RR-{decided.year}-90",
        review_type="rapid_review",
        partnership=partnership,
        subject_label=lcspr.subject_label,
        subject_kind=SubjectKind.CHILD,
        stage="closed",
        aware_on=old_notification.aware_on,
        notified_on=old_notification.notified_on,
        started_on=decided - timedelta(days=25),
        decision_on=decided - timedelta(days=8),
        sent_to_panel_on=decided - timedelta(days=8),
        completed_on=decided,
    )
    db.session.add_all([old_notification, old_rapid])
    reviews[old_notification.reference] = old_notification
    reviews[old_rapid.reference] = old_rapid
    db.session.add(
        ReviewDecision(
            review=old_rapid,
            decided_on=decided - timedelta(days=8),
            outcome="lcspr",
            rationale="The criteria for a local review are met: learning about information "
            "sharing between police and schools about exploitation.",
            sent_to_panel_on=decided - timedelta(days=8),
            panel_reply_on=decided,
            panel_reply="The Panel agrees that a local review is appropriate.",
            signed_off_by_role="delegated",
            signed_off_by_name="Director of Children's Services (Northshire)",
            recorded_by_id=secretariat.id,
        )
    )
    db.session.add_all(
        [
            ReviewLink(from_review=old_notification, to_review=old_rapid, kind=LinkKind.LED_TO),
            ReviewLink(from_review=old_rapid, to_review=lcspr, kind=LinkKind.LED_TO),
        ]
    )
    lcspr.notified_on = old_notification.notified_on
    lcspr.aware_on = old_notification.aware_on
    lcspr.national_reference = "CSPRP-DEMO-0412"
    lcspr.reviewer_name = "Independent reviewer (demo)"
    lcspr.methodology = Methodology.SYSTEMS
    lcspr.cost_pence = 1_450_000
    lcspr.terms_of_reference_on = lcspr.started_on + timedelta(days=21)
    lcspr.agencies_involved = [
        agencies["Northshire Police"],
        agencies["Northshire Children's Social Care"],
        agencies["Northshire Education Services"],
    ]
    db.session.add_all(
        [
            ReviewHold(
                review=lcspr,
                reason=HoldReason.FAMILY_COURT,
                details="Care proceedings: paused at the court's request.",
                started_on=lcspr.started_on + timedelta(days=60),
                ended_on=lcspr.started_on + timedelta(days=120),
            ),
            MonitoringEntry(
                review=lcspr,
                checked_on=lcspr.started_on + timedelta(days=90),
                kind=MonitoringKind.TIME,
                note="Subgroup checked progress: on hold; the reviewer keeps practitioners "
                "informed.",
                actor_id=secretariat.id,
            ),
            MonitoringEntry(
                review=lcspr,
                checked_on=today - timedelta(days=40),
                kind=MonitoringKind.WRITTEN_REQUEST,
                note="Wrote to the reviewer asking for the draft report and a revised timetable.",
                actor_id=secretariat.id,
            ),
            FamilyInvolvement(
                review=lcspr,
                person="Mother of Child M",
                invited_on=lcspr.started_on + timedelta(days=30),
                consent=Consent.GIVEN,
                contact_preferences="Telephone first, then a meeting at home with her advocate.",
                views_used="Her account of the months before the incident frames the chronology.",
                recorded_by_id=secretariat.id,
            ),
            FamilyInvolvement(
                review=lcspr,
                person="Child M",
                invited_on=lcspr.started_on + timedelta(days=45),
                consent=Consent.AWAITED,
                contact_preferences="Through the allocated social worker only.",
                views_used="",
                recorded_by_id=secretariat.id,
            ),
        ]
    )

    # The DHR is with the Home Office Quality Assurance Panel.
    dhr = reviews["DHR-2025-01"]
    dhr.notified_on = dhr.started_on - timedelta(days=20)
    dhr.national_reference = "HO-DHR-DEMO-118"
    dhr.completed_on = today - timedelta(days=45)
    dhr.home_office_submitted_on = today - timedelta(days=40)
    dhr.reviewer_name = "Independent chair (demo)"
    dhr.methodology = Methodology.HYBRID
    dhr.agencies_involved = [
        agencies["Northshire Police"],
        agencies["Northshire Domestic Abuse Support"],
        agencies["Northshire GP Practices"],
    ]

    # A SAR on hold for criminal proceedings, and joint with the DHR.
    sar = reviews["SAR-2026-01"]
    sar.variant = "mandatory"
    db.session.add(
        ReviewHold(
            review=sar,
            reason=HoldReason.CRIMINAL,
            details="Police investigation and trial; the Crown Prosecution Service asked for "
            "the practitioner event to wait.",
            started_on=today - timedelta(days=30),
        )
    )
    db.session.add(ReviewLink(from_review=dhr, to_review=sar, kind=LinkKind.JOINT))
    reviews["SAR-2024-02"].variant = "discretionary"

    db.session.flush()
    for review in reviews.values():
        _history(review, secretariat, today)
    db.session.flush()
    for review in reviews.values():
        refresh_deadlines(review, today)
