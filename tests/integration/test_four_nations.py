"""Issue 22: the four nations' review types run through the services, their clocks counted
by the nation of the review's partnership, calendar-day clocks started by a stage move."""

from __future__ import annotations

from datetime import date

from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import Partnership, PartnershipKind, Review, Role, SubjectKind
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.organisations import partnerships as partnership_admin
from sgreviews.services.reminders.sources import ReviewClockSource
from sgreviews.services.reminders.wiring import RULES_KEY
from sgreviews.services.reviews import creation as review_creation
from sgreviews.services.reviews import decisions as review_decisions
from sgreviews.services.reviews import stages as review_stages
from sgreviews.services.work.queues import clocks_due
from tests import factories

TODAY = date(2026, 1, 10)


def _deadline(review: Review, key: str) -> ReviewDeadline:
    return next(item for item in review.deadlines if item.clock_key == key)


def _review(kind: str, partnership: Partnership, **dates: date) -> Review:
    return review_creation.create_review(
        None,
        review_type=kind,
        partnership=partnership,
        subject_label="Child Q",
        subject_kind=SubjectKind.CHILD,
        started_on=dates.pop("started_on", date(2025, 10, 1)),
        **dates,
    )


def _move(review: Review, stage: str, on: date) -> None:
    review_stages.move_stage(None, review, to_stage=stage, moved_on=on, today=TODAY)


def test_scottish_outcome_form_runs_from_ratification_on_the_scottish_calendar(
    ctx: None,
) -> None:
    partnership = factories.partnership(jurisdiction="SCT")
    review = _review("scotland_cplr", partnership, notified_on=date(2025, 10, 1))
    # Recording the Chief Officers Group's decision moves it on from "notified".
    review_decisions.record_decision(
        None,
        review,
        decided_on=date(2025, 10, 6),
        outcome="learning_review",
        rationale="Criteria met",
        today=TODAY,
    )
    assert review.stage == "decision"
    notify = _deadline(review, "care_inspectorate_decision")
    assert notify.due_on == date(2025, 10, 13) and notify.met_on is None
    _move(review, "care_inspectorate_notified", date(2025, 10, 8))
    assert _deadline(review, "care_inspectorate_decision").met_on == date(2025, 10, 8)
    assert not any(item.clock_key == "outcome_form" for item in review.deadlines)
    _move(review, "in_progress", date(2025, 10, 20))
    _move(review, "report", date(2025, 12, 1))
    _move(review, "cog_ratified", date(2025, 12, 26))
    form = _deadline(review, "outcome_form")
    # Fri 26 Dec + 7 calendar days = Fri 2 January, a bank holiday in Scotland only.
    assert (form.start_on, form.due_on, form.met_on) == (
        date(2025, 12, 26),
        date(2026, 1, 5),
        None,
    )
    assert "GB subdivision SCT" in form.calendar
    assert form.rule.startswith('7 calendar days after the move to "Ratified by the Chief')
    _move(review, "outcome_notified", date(2026, 1, 2))
    assert _deadline(review, "outcome_form").met_on == date(2026, 1, 2)
    # Undoing the move takes the met date away again.
    review_stages.undo_last_move(None, review, reason="Recorded on the wrong review")
    assert _deadline(review, "outcome_form").met_on is None


def test_a_decision_not_to_review_is_still_notified_to_the_care_inspectorate(
    ctx: None,
) -> None:
    review = _review("scotland_asplr", factories.partnership(jurisdiction="SCT"))
    assert review_stages.allowed_moves(review) == ("decision",)
    assert not review.deadlines
    # The decision recorded only as a stage move starts the Scottish clocks.
    _move(review, "decision", date(2025, 11, 25))
    assert review_stages.allowed_moves(review) == ("care_inspectorate_notified",)
    # 5 working days after Tue 25 Nov 2025 in Scotland skip St Andrew's Day (Mon 1 Dec).
    assert _deadline(review, "care_inspectorate_decision").due_on == date(2025, 12, 3)
    _move(review, "care_inspectorate_notified", date(2025, 11, 27))
    _move(review, "closed", date(2025, 11, 27))
    assert review.stage == "closed"


def test_the_partnership_nation_chooses_the_calendar_and_a_change_recomputes(
    ctx: None,
) -> None:
    # An English-default clock (the LCSPR's) in a Scottish partnership counts Scottish days.
    partnership = factories.partnership(jurisdiction="SCT")
    review = _review("ni_cmr", partnership, notified_on=date(2026, 6, 12))
    decision = _deadline(review, "decision")
    assert "GB subdivision SCT" in decision.calendar
    # Sunday 12 July 2026: the next working day in Scotland is Monday 13 July.
    assert decision.due_on == date(2026, 7, 13)
    admin = factories.user(Role.ADMINISTRATOR)
    partnership_admin.update_partnership(
        partnership,
        actor=admin,
        name=partnership.name,
        short_name=partnership.short_name,
        kind=PartnershipKind.CHILDREN,
        jurisdiction="NIR",
        go_live_on=None,
    )
    db.session.refresh(review)
    decision = _deadline(review, "decision")
    # In Northern Ireland 13 July 2026 is the Battle of the Boyne holiday (substitute day).
    assert "GB subdivision NIR" in decision.calendar
    assert decision.due_on == date(2026, 7, 14)


def test_without_a_partnership_nation_the_clock_default_applies_and_a_review_overrides(
    ctx: None,
) -> None:
    review = _review("susr", factories.partnership(), notified_on=date(2026, 3, 6))
    # 6 March + 1 month = Mon 6 April 2026, Easter Monday in Wales (the SUSR clocks' default).
    decision = _deadline(review, "decision")
    assert "GB subdivision WLS" in decision.calendar and decision.due_on == date(2026, 4, 7)
    # A review's own jurisdiction (a case across a border) beats the partnership's nation.
    partnership = factories.partnership(jurisdiction="WLS")
    crossing = review_creation.create_review(
        None,
        review_type="susr",
        partnership=partnership,
        subject_label="Adult S",
        subject_kind=SubjectKind.ADULT,
        started_on=date(2026, 3, 6),
        notified_on=date(2026, 3, 6),
        jurisdiction="SCT",
    )
    assert _deadline(crossing, "decision").due_on == date(2026, 4, 6)


def test_the_clocks_queue_counts_by_the_partnership_nation(ctx: None) -> None:
    # The same due day, Mon 5 January 2026 (6 months after 5 July 2025), in two nations.
    scottish = _review(
        "lcspr", factories.partnership(jurisdiction="SCT"), decision_on=date(2025, 10, 1)
    )
    english = _review(
        "lcspr", factories.partnership(jurisdiction="ENG"), decision_on=date(2025, 10, 1)
    )
    for review in (scottish, english):
        _deadline(review, "completion").due_on = date(2026, 1, 5)
    db.session.flush()
    queue = clocks_due(date(2025, 12, 31))
    when = sorted(item.when for item in queue.items if item.reference == scottish.reference)
    # From Wed 31 Dec: Scotland works only 5 January; England works 2 and 5 January.
    assert when == ["Due in 1 working day", "Due in 2 working days"]


def test_clock_reminders_count_by_the_partnership_nation(ctx: None, app: Flask) -> None:
    reviews = {
        place: _review(
            "lcspr",
            factories.partnership(jurisdiction=place),
            decision_on=date(2025, 10, 1),
            reference=f"LCSPR-{place}",
        )
        for place in ("SCT", "ENG")
    }
    for review in reviews.values():
        _deadline(review, "completion").due_on = date(2026, 1, 5)
    db.session.flush()
    source = ReviewClockSource(app.extensions[RULES_KEY].review_clocks)
    offsets = {
        subject.reference: subject.offset
        for page in source.pages(date(2025, 12, 31), 0, 100)
        for subject in page
    }
    # From Wed 31 Dec to Mon 5 Jan: one working day to go in Scotland, two in England.
    assert (offsets["LCSPR-SCT"], offsets["LCSPR-ENG"]) == (-1, -2)
