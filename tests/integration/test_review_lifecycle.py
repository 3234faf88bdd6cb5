"""The review lifecycle through its services: every step validated, audited, and the
deadlines it produces."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Review, Role, SubjectKind, User
from sgreviews.models.review import (
    HoldReason,
    LinkKind,
    Methodology,
    ReviewDeadline,
    ReviewLink,
)
from sgreviews.services.reviews import closure_days
from sgreviews.services.reviews import creation as review_creation
from sgreviews.services.reviews import decisions as review_decisions
from sgreviews.services.reviews import details as review_details
from sgreviews.services.reviews import holds as review_holds
from sgreviews.services.reviews import publishing as review_publishing
from sgreviews.services.reviews import queries as review_queries
from sgreviews.services.reviews import stages as review_stages
from sgreviews.services.reviews.lifecycle import ReviewError, StaleReviewError
from sgreviews.services.reviews.queries import DeadlineState, ReviewFilters
from tests import factories

TODAY = date(2025, 6, 2)


def _deadline(review: Review, key: str) -> ReviewDeadline:
    return next(item for item in review.deadlines if item.clock_key == key)


def _notification(aware: date = date(2025, 4, 17), notified: date | None = None) -> Review:
    secretariat = factories.user(Role.SECRETARIAT)
    return review_creation.log_notification(
        secretariat,
        partnership=factories.partnership(),
        subject_label="Child Q",
        subject_kind=SubjectKind.CHILD,
        aware_on=aware,
        notified_on=notified,
        looked_after_child=True,
        today=TODAY,
    )


def test_notification_clock_and_reference(ctx: None) -> None:
    review = _notification(notified=date(2025, 4, 22))
    assert review.reference == "SIN-2025-01"
    assert review.stage == "notified"
    deadline = _deadline(review, "notification")
    assert deadline.due_on == date(2025, 4, 28)  # across Easter 2025
    assert deadline.met_on == date(2025, 4, 22)
    assert "5 working days" in deadline.rule and "GB subdivision ENG" in deadline.calendar
    state = review_queries.deadline_state(deadline, False, TODAY, TODAY)
    assert state is DeadlineState.MET


def test_references_are_numbered_within_the_partnership(ctx: None) -> None:
    first = _notification()
    second = review_creation.log_notification(
        None,
        partnership=first.partnership,
        subject_label="Child R",
        subject_kind=SubjectKind.CHILD,
        aware_on=date(2025, 5, 1),
        notified_on=None,
        looked_after_child=False,
        today=TODAY,
    )
    assert second.reference == "SIN-2025-02"
    with pytest.raises(ReviewError) as refused:
        review_details.update_details(
            None,
            second,
            reference=first.reference,
            subject_label="Child R",
            national_reference="",
            jurisdiction="",
            variant="",
            aware_on=second.aware_on,
            notified_on=None,
            completed_on=None,
            today=TODAY,
        )
    assert refused.value.field == "reference"


def test_aware_date_in_the_future_is_refused_at_the_field(ctx: None) -> None:
    with pytest.raises(ReviewError) as refused:
        _notification(aware=TODAY + timedelta(days=1))
    assert refused.value.field == "aware_on"
    assert "today or in the past" in refused.value.message


def test_the_whole_chain_from_notification_to_publication(ctx: None) -> None:
    actor = factories.user(Role.SECRETARIAT)
    notification = _notification(aware=date(2025, 1, 2), notified=date(2025, 1, 6))
    rapid = review_creation.start_rapid_review(actor, notification, date(2025, 1, 7), today=TODAY)
    assert notification.stage == "rapid_review_started"
    assert rapid.reference == "RR-2025-01"
    # 15 working days from the notification on Mon 6 Jan 2025.
    assert _deadline(rapid, "rapid_review").due_on == date(2025, 1, 27)

    with pytest.raises(ReviewError) as refused:
        review_decisions.record_decision(
            actor,
            rapid,
            decided_on=date(2025, 1, 3),
            outcome="lcspr",
            rationale="Criteria met",
            today=TODAY,
        )
    assert refused.value.field == "decided_on"
    assert "on or after the notification on 6 January 2025" in refused.value.message

    decided = {
        "decided_on": date(2025, 1, 24),
        "outcome": "lcspr",
        "rationale": "Criteria met",
        "sent_to_panel_on": date(2025, 1, 24),
        "panel_reply_on": date(2025, 2, 7),
        "panel_reply": "Agreed",
        "today": TODAY,
    }
    # Working Together 2023: a safeguarding partner signs a rapid review's decision off.
    for role, name, field in (
        (None, "Director Q", "signed_off_by_role"),
        ("chief_executive", "Director Q", "signed_off_by_role"),
        ("lead", "  ", "signed_off_by_name"),
    ):
        with pytest.raises(ReviewError) as unsigned:
            review_decisions.record_decision(
                actor, rapid, signed_off_by_role=role, signed_off_by_name=name, **decided
            )
        assert unsigned.value.field == field
    decision = review_decisions.record_decision(
        actor,
        rapid,
        signed_off_by_role="lead",
        signed_off_by_name="Director Q (fictional)",
        expected_version=rapid.version,
        **decided,
    )
    assert (decision.signed_off_by_role, decision.signed_off_by_name) == (
        "lead",
        "Director Q (fictional)",
    )
    assert rapid.stage == "panel_replied"
    assert _deadline(rapid, "rapid_review").met_on == date(2025, 1, 24)

    lcspr = review_decisions.commission_from_decision(actor, rapid)
    assert lcspr.review_type == "lcspr" and lcspr.decision_on == date(2025, 1, 24)
    assert _deadline(lcspr, "completion").due_on == date(2025, 7, 24)
    review_decisions.record_commissioning(
        actor,
        lcspr,
        commissioned_on=date(2025, 2, 10),
        reviewer_name="Independent reviewer",
        methodology=Methodology.SYSTEMS,
        cost_pence=1_250_000,
        terms_of_reference_on=date(2025, 2, 20),
        today=TODAY,
    )
    review_stages.move_stage(
        actor, lcspr, to_stage="in_progress", moved_on=date(2025, 2, 11), today=TODAY
    )

    review_holds.place_hold(
        actor,
        lcspr,
        reason=HoldReason.CRIMINAL,
        details="Trial listed",
        started_on=date(2025, 3, 3),
        today=TODAY,
    )
    view = review_queries.next_deadline(lcspr, date(2025, 9, 1), date(2025, 9, 8))
    assert view is not None and view.state is DeadlineState.PAUSED

    review_holds.release_hold(actor, lcspr, ended_on=date(2025, 4, 2), today=TODAY)
    # 30 days on hold: 24 July 2025 + 30 days = 23 August (Saturday), Bank holiday Monday
    # 25 August, so Tuesday 26 August.
    completion = _deadline(lcspr, "completion")
    assert completion.due_on == date(2025, 8, 26)
    assert "stopped for 30 days on hold" in completion.rule

    with pytest.raises(ReviewError) as refused:
        review_publishing.record_publication(
            actor,
            lcspr,
            published_on=None,
            publication_url="",
            anonymised_confirmed=True,
            today=TODAY,
        )
    assert refused.value.field == "published_on"

    for stage in ("draft_report", "final_report"):
        review_stages.move_stage(
            actor, lcspr, to_stage=stage, moved_on=date(2025, 5, 1), today=TODAY
        )
    review_publishing.record_publication(
        actor,
        lcspr,
        published_on=date(2025, 5, 30),
        publication_url="https://example.org/child-q",
        anonymised_confirmed=True,
        today=TODAY,
    )
    assert lcspr.stage == "published"
    completion = _deadline(lcspr, "completion")
    assert completion.met_on == date(2025, 5, 30)
    assert review_queries.deadline_state(completion, False, TODAY, TODAY) is DeadlineState.MET

    links = db.session.scalars(select(ReviewLink)).all()
    assert {(item.from_review_id, item.to_review_id, item.kind) for item in links} >= {
        (notification.id, rapid.id, LinkKind.LED_TO),
        (rapid.id, lcspr.id, LinkKind.LED_TO),
    }
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "review", AuditEvent.entity_id == lcspr.id
        )
    ).all()
    kinds = [event.event for event in events]
    assert kinds[0] == "create"
    assert {"commission", "transition", "hold", "release_hold", "publication"} <= set(kinds)
    publication = next(event for event in events if event.event == "publication")
    assert publication.before is not None and publication.before["published_on"] is None
    assert publication.after is not None and publication.after["published_on"] == "2025-05-30"


def test_invalid_transition_says_what_is_allowed(ctx: None) -> None:
    review = factories.review(stage="commissioned")
    with pytest.raises(ReviewError) as refused:
        review_stages.move_stage(
            None, review, to_stage="published", moved_on=date(2025, 6, 1), today=TODAY
        )
    assert refused.value.field == "to_stage"
    assert refused.value.message == "From Commissioned the review can move only to: In progress"
    review.stage = "closed"
    with pytest.raises(ReviewError, match="final stage"):
        review_stages.move_stage(
            None, review, to_stage="in_progress", moved_on=date(2025, 6, 1), today=TODAY
        )


def test_a_stale_version_is_refused(ctx: None) -> None:
    review = factories.review(stage="commissioned")
    with pytest.raises(StaleReviewError):
        review_stages.move_stage(
            None,
            review,
            to_stage="in_progress",
            moved_on=date(2025, 6, 1),
            expected_version=review.version - 1,
            today=TODAY,
        )


def test_every_shipped_type_can_be_created_and_moved_through_its_stages(
    ctx: None, app: Flask
) -> None:
    partnership = factories.partnership()
    for key, rtype in app.extensions["sgreviews.review_types"].items():
        review = review_creation.create_review(
            None,
            review_type=key,
            partnership=partnership,
            subject_label="Child Z",
            subject_kind=SubjectKind.CHILD,
            started_on=date(2025, 1, 6),
            aware_on=date(2025, 1, 2),
            notified_on=date(2025, 1, 3),
            decision_on=date(2025, 1, 6),
        )
        visited = [review.stage]
        while rtype.allowed_next(review.stage):
            # Take the move furthest along the list of stages, so the walk ends.
            target = max(rtype.allowed_next(review.stage), key=rtype.stages.index)
            review_stages.move_stage(
                None, review, to_stage=target, moved_on=date(2025, 2, 3), today=TODAY
            )
            visited.append(target)
        assert visited[-1] == rtype.stages[-1], key
        assert len(review.transitions) == len(visited)


def test_closure_days_recompute_deadlines(ctx: None) -> None:
    review = _notification(aware=date(2024, 12, 23))
    assert _deadline(review, "notification").due_on == date(2025, 1, 2)
    admin = factories.user(Role.ADMINISTRATOR)
    closure_days.add_closure_day(admin, date(2024, 12, 24), None, "Office closed")
    db.session.refresh(review)
    deadline = _deadline(review, "notification")
    assert deadline.due_on == date(2025, 1, 3)
    assert "1 extra closure day" in deadline.calendar
    with pytest.raises(ReviewError, match="already a closure day"):
        closure_days.add_closure_day(admin, date(2024, 12, 24), None, "Again")
    # A Scottish-only closure does not touch an English clock.
    closure_days.add_closure_day(admin, date(2024, 12, 27), "SCT", "Scottish office closed")
    db.session.refresh(review)
    assert _deadline(review, "notification").due_on == date(2025, 1, 3)


def _lists(user: User, **filters: object) -> set[str]:
    page = review_queries.list_reviews(user, ReviewFilters(**filters), TODAY)  # type: ignore[arg-type]
    return {review.reference for review, _ in page.rows}


def test_list_filters(ctx: None) -> None:
    secretariat = factories.user(Role.SECRETARIAT)
    partnership = factories.partnership()
    common = {
        "partnership": partnership,
        "subject_kind": SubjectKind.CHILD,
        "subject_label": "Child",
    }
    # Overdue: notified 10 April 2025, rapid review due 2 May, not sent.
    overdue = review_creation.create_review(
        None,
        review_type="rapid_review",
        started_on=date(2025, 4, 10),
        notified_on=date(2025, 4, 10),
        reference="RR-OVERDUE",
        **common,  # type: ignore[arg-type]
    )
    # Due soon: notified 23 May 2025, due 13 June; TODAY is 2 June → 9 working days. Not soon.
    later = review_creation.create_review(
        None,
        review_type="rapid_review",
        started_on=date(2025, 5, 23),
        notified_on=date(2025, 5, 23),
        reference="RR-LATER",
        **common,  # type: ignore[arg-type]
    )
    # Notified 16 May: due 6 June, 4 working days after 2 June → due soon.
    soon = review_creation.create_review(
        None,
        review_type="rapid_review",
        started_on=date(2025, 5, 16),
        notified_on=date(2025, 5, 16),
        reference="RR-SOON",
        **common,  # type: ignore[arg-type]
    )
    held = review_creation.create_review(
        None,
        review_type="lcspr",
        started_on=date(2024, 3, 1),
        decision_on=date(2024, 3, 1),
        reference="LCSPR-HELD",
        **common,  # type: ignore[arg-type]
    )
    review_holds.place_hold(
        None, held, reason=HoldReason.CORONER, details="", started_on=date(2024, 5, 1), today=TODAY
    )
    base = {"partnership_id": partnership.id}
    assert _lists(secretariat, **base) == {"RR-OVERDUE", "RR-LATER", "RR-SOON", "LCSPR-HELD"}
    assert _lists(secretariat, overdue=True, **base) == {"RR-OVERDUE"}
    assert _lists(secretariat, due_soon=True, **base) == {"RR-SOON"}
    assert _lists(secretariat, on_hold=True, **base) == {"LCSPR-HELD"}
    assert _lists(secretariat, review_type="lcspr", **base) == {"LCSPR-HELD"}
    # Business year 2023-24 (1 April 2023 to 31 March 2024): only the LCSPR had started.
    assert _lists(secretariat, business_year=2023, **base) == {"LCSPR-HELD"}
    assert _lists(secretariat, business_year=2025, **base) == {
        "RR-OVERDUE",
        "RR-LATER",
        "RR-SOON",
        "LCSPR-HELD",
    }
    page = review_queries.list_reviews(secretariat, ReviewFilters(**base), TODAY)  # type: ignore[arg-type]
    states = {review.reference: view.state if view else None for review, view in page.rows}
    assert states == {
        "RR-OVERDUE": DeadlineState.OVERDUE,
        "RR-SOON": DeadlineState.DUE_SOON,
        "RR-LATER": DeadlineState.ON_TRACK,
        "LCSPR-HELD": DeadlineState.PAUSED,
    }
    # Sorted by the next deadline by default, earliest first.
    assert [review.reference for review, _ in page.rows][:3] == [
        "RR-OVERDUE",
        "RR-SOON",
        "RR-LATER",
    ]
    assert overdue.id and later.id and soon.id


def test_agency_leads_see_reviews_they_hold_actions_on_or_are_involved_in(ctx: None) -> None:
    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency)
    with_action = factories.review(reference="LCSPR-ACTION")
    factories.action(owning_agency=agency, finding_=factories.finding(with_action))
    involved = factories.review(reference="LCSPR-INVOLVED")
    review_details.set_agencies_involved(None, involved, [agency])
    factories.review(reference="LCSPR-OTHER")
    assert _lists(lead) == {"LCSPR-ACTION", "LCSPR-INVOLVED"}
    assert _lists(factories.user(Role.PRACTITIONER)) == set()


def test_findings_summary_is_counted_in_sql(ctx: None) -> None:
    review = factories.review()
    finding = factories.finding(review)
    factories.finding(review)
    factories.action(finding_=finding)
    summary = review_queries.findings_summary(review.id)
    assert summary.findings_total == 2 and summary.actions_total == 1


def test_final_report_must_reach_the_panel_seven_working_days_before_publication(
    ctx: None,
) -> None:
    review = factories.review(stage="final_report", started_on=date(2025, 1, 6))
    review_publishing.record_publication(
        None,
        review,
        published_on=date(2025, 5, 9),
        publication_url="",
        anonymised_confirmed=True,
        final_report_sent_on=date(2025, 5, 1),  # 2, 6, 7, 8, 9 May: 5 working days
        today=TODAY,
    )
    lead = review_queries.final_report_lead(review, 7)
    assert lead is not None and lead.working_days == 5
    assert lead.state is DeadlineState.MET_LATE
    review.final_report_sent_on = date(2025, 4, 28)  # 29, 30, 1, 2, 6, 7, 8, 9: 8 days
    assert review_queries.final_report_lead(review, 7).state is DeadlineState.MET  # type: ignore[union-attr]


def test_only_a_type_that_offers_them_takes_home_office_dates_or_starts_a_rapid_review(
    ctx: None,
) -> None:
    """The service reads what a type offers from config, as the review page does: a
    direct POST cannot record Home Office dates on an LCSPR, nor start a rapid review
    from one."""
    actor = factories.user(Role.SECRETARIAT)
    lcspr = factories.review()
    with pytest.raises(ReviewError, match="does not go to the Home Office"):
        review_publishing.record_home_office_qa(
            actor, lcspr, submitted_on=date(2025, 5, 20), letter_on=None, outcome="", today=TODAY
        )
    assert lcspr.home_office_submitted_on is None
    with pytest.raises(ReviewError, match="Only a serious incident notification"):
        review_creation.start_rapid_review(actor, lcspr, date(2025, 5, 20), today=TODAY)
    dhr = factories.review(review_type="dhr", subject_kind=SubjectKind.ADULT)
    review_publishing.record_home_office_qa(
        actor, dhr, submitted_on=date(2025, 5, 20), letter_on=None, outcome="", today=TODAY
    )
    assert dhr.home_office_submitted_on == date(2025, 5, 20)
