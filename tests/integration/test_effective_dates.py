"""History can be entered (issue 18): every dated event takes an "Effective on" date,
stored apart from when it was recorded and by whom; a date in the future or before the
review began is refused beside the field with nothing saved; the audit trail records
both; the pages show the effective date and "recorded on … by …"."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.clock import london_today, to_london
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    AuditEvent,
    ExtensionRequest,
    ExtensionStatus,
    Review,
    Role,
    UpdateKind,
)
from sgreviews.models.review import StageTransition
from sgreviews.services.reviews.stages import allowed_moves
from tests import factories
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]
STARTED = date(2021, 5, 4)
PAST = date(2021, 11, 15)


@dataclasses.dataclass
class World:
    review_id: int
    action_id: int
    agency_id: int


@pytest.fixture
def world(app: Flask, transaction: object) -> World:
    with app.app_context():
        agency = factories.agency(name="Dated Testshire Agency")
        review = factories.review(reference="LCSPR-2021-07", started_on=STARTED)
        finding = factories.finding(review)
        action = factories.action(
            agency, finding, status=ActionStatus.IN_PROGRESS, due_date=date(2022, 3, 1)
        )
        db.session.commit()
        return World(review.id, action.id, agency.id)


def _day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _refusals() -> list[tuple[date, str]]:
    return [
        (london_today() + timedelta(days=1), "must be today or in the past"),
        (STARTED - timedelta(days=1), "must be on or after the review began (4 May 2021)"),
    ]


def _assert_refused_at_the_field(response: Any, message: str) -> None:
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The GOV.UK error summary links to the Day box; the message sits beside the field.
    assert 'href="#effective_on-day"' in html
    assert 'id="effective_on-error"' in html
    assert message in page_text(response)


def _events(action_id: int, event: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "action",
                AuditEvent.entity_id == action_id,
                AuditEvent.event == event,
            )
            .order_by(AuditEvent.id)
        )
    )


def _assert_audited(action_id: int, event: str, effective: date) -> None:
    (entry,) = _events(action_id, event)
    assert entry.after is not None and entry.after["effective_on"] == effective.isoformat()
    # Recorded when and by whom: the audit entry's own moment and actor.
    assert entry.actor_id is not None
    assert to_london(entry.occurred_at).date() == london_today()


def test_progress_update_takes_an_effective_date(
    app: Flask, client_for: Clients, world: World
) -> None:
    with app.app_context():
        agency = db.session.get(Agency, world.agency_id)
    lead = client_for(Role.AGENCY_LEAD, agency)
    url = f"/actions/{world.action_id}/progress"
    form = lead.get(url)
    # The form offers today, to be changed only when entering history.
    html = form.get_data(as_text=True)
    assert 'id="effective_on-year"' in html and f'value="{london_today().year}"' in html
    assert "Leave as today unless you are entering history" in page_text(form)
    for bad, message in _refusals():
        refused = lead.post(
            url,
            data={"status": "in_progress", "note": "Typed and kept", "effective_on": _day(bad)},
        )
        _assert_refused_at_the_field(refused, message)
        assert "Typed and kept" in refused.get_data(as_text=True)
    blank = lead.post(
        url, data={"status": "in_progress", "note": "Blank date", "effective_on": ["", "", ""]}
    )
    _assert_refused_at_the_field(blank, "Enter the date it took effect")
    with app.app_context():
        assert db.session.scalars(select(ActionUpdate)).all() == []
    saved = lead.post(
        url,
        data={"status": "in_progress", "note": "Audit planned in 2021", "effective_on": _day(PAST)},
    )
    assert saved.status_code == 302
    with app.app_context():
        (update,) = db.session.scalars(select(ActionUpdate))
        assert update.effective_on == PAST
        assert to_london(update.created_at).date() == london_today()
        assert update.author_id is not None
        _assert_audited(world.action_id, "progress_note", PAST)
    text = page_text(lead.get(f"/actions/{world.action_id}"))
    assert "Effective on 15 November 2021" in text and "Recorded on" in text


def test_a_status_change_is_dated_and_audited_with_the_change(
    app: Flask, client_for: Clients, world: World
) -> None:
    with app.app_context():
        agency = db.session.get(Agency, world.agency_id)
    lead = client_for(Role.AGENCY_LEAD, agency)
    response = lead.post(
        f"/actions/{world.action_id}/progress",
        data={
            "status": "not_started",
            "note": "Paused",
            "off_track": "y",
            "effective_on": _day(PAST),
            "version": "1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        (update,) = db.session.scalars(select(ActionUpdate))
        assert (update.previous_status, update.status) == (
            ActionStatus.IN_PROGRESS,
            ActionStatus.NOT_STARTED,
        )
        assert update.effective_on == PAST
        (entry,) = _events(world.action_id, "progress")
        assert entry.before == {"status": "in_progress", "off_track": False}
        assert entry.after == {
            "status": "not_started",
            "off_track": True,
            "effective_on": PAST.isoformat(),
        }


@pytest.mark.parametrize(
    ("decision", "kind", "event"),
    [
        ("assure", UpdateKind.ASSURED, "assured"),
        ("send_back", UpdateKind.SENT_BACK, "sent_back"),
        ("close", UpdateKind.CLOSED, "closed"),
    ],
)
def test_assurance_decisions_take_an_effective_date(
    app: Flask, client_for: Clients, world: World, decision: str, kind: UpdateKind, event: str
) -> None:
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None
        action.status = ActionStatus.COMPLETED
        db.session.commit()
    chair = client_for(Role.CHAIR)
    url = f"/actions/{world.action_id}/assurance"
    assert "Effective on" in page_text(chair.get(url))
    for bad, message in _refusals():
        refused = chair.post(
            url, data={"decision": decision, "note": "Seen", "effective_on": _day(bad)}
        )
        _assert_refused_at_the_field(refused, message)
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None and action.status is ActionStatus.COMPLETED
    saved = chair.post(
        url, data={"decision": decision, "note": "Audit seen", "effective_on": _day(PAST)}
    )
    assert saved.status_code == 302
    with app.app_context():
        (update,) = db.session.scalars(select(ActionUpdate))
        assert (update.kind, update.effective_on) == (kind, PAST)
        _assert_audited(world.action_id, event, PAST)


def test_the_action_page_says_the_day_an_assurance_took_effect(
    app: Flask, client_for: Clients, world: World
) -> None:
    """An assurance entered as history shows its effective day in the action's summary,
    and the day it was recorded beside it; one assured today shows today alone."""
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None
        action.status = ActionStatus.COMPLETED
        db.session.commit()
    chair = client_for(Role.CHAIR)
    url = f"/actions/{world.action_id}/assurance"
    saved = chair.post(
        url, data={"decision": "assure", "note": "Audit seen", "effective_on": _day(PAST)}
    )
    assert saved.status_code == 302
    today = london_today()
    text = page_text(chair.get(f"/actions/{world.action_id}"))
    recorded = f"{today.day} {today:%B %Y}"
    assert re.search(
        rf"Assured by Test Chair \d* ?on 15 November 2021 \(recorded on {recorded}\): Audit seen",
        text,
    ), text
    with app.app_context():
        action = db.session.get(Action, world.action_id)
        assert action is not None
        action.status = ActionStatus.COMPLETED
        db.session.commit()
    assert (
        chair.post(
            url, data={"decision": "assure", "note": "Seen again", "effective_on": _day(today)}
        ).status_code
        == 302
    )
    text = page_text(chair.get(f"/actions/{world.action_id}"))
    assert re.search(rf"Assured by Test Chair \d* ?on {recorded}: Seen again", text), text


def test_an_impact_assessment_takes_an_effective_date(
    app: Flask, client_for: Clients, world: World
) -> None:
    chair = client_for(Role.CHAIR)
    url = f"/actions/{world.action_id}/impact"
    data = {"impact_status": "evidenced", "method": "audit", "note": "Re-audit: 85%"}
    for bad, message in _refusals():
        refused = chair.post(url, data={**data, "effective_on": _day(bad)})
        _assert_refused_at_the_field(refused, message)
        assert "Re-audit: 85%" in refused.get_data(as_text=True)
    assert chair.post(url, data={**data, "effective_on": _day(PAST)}).status_code == 302
    with app.app_context():
        (update,) = db.session.scalars(select(ActionUpdate))
        assert (update.kind, update.effective_on) == (UpdateKind.IMPACT, PAST)
        _assert_audited(world.action_id, "impact", PAST)


def test_an_extension_is_asked_and_decided_with_effective_dates(
    app: Flask, client_for: Clients, world: World
) -> None:
    with app.app_context():
        agency = db.session.get(Agency, world.agency_id)
    lead = client_for(Role.AGENCY_LEAD, agency)
    url = f"/actions/{world.action_id}/extension"
    data = {"new_due_date": ["1", "9", "2022"], "reason": "Data arrives late"}
    for bad, message in _refusals():
        _assert_refused_at_the_field(
            lead.post(url, data={**data, "effective_on": _day(bad)}), message
        )
    with app.app_context():
        assert db.session.scalars(select(ExtensionRequest)).all() == []
    assert lead.post(url, data={**data, "effective_on": _day(PAST)}).status_code == 302
    with app.app_context():
        (request,) = db.session.scalars(select(ExtensionRequest))
        assert request.effective_on == PAST
        _assert_audited(world.action_id, "extension_requested", PAST)
        request_id = request.id
    secretariat = client_for(Role.SECRETARIAT)
    decide = f"/actions/{world.action_id}/extensions/{request_id}"
    before_request = PAST - timedelta(days=1)
    _assert_refused_at_the_field(
        secretariat.post(
            decide, data={"decision": "approve", "note": "", "effective_on": _day(before_request)}
        ),
        "on or after the extension was asked for (15 November 2021)",
    )
    decided_on = PAST + timedelta(days=10)
    assert (
        secretariat.post(
            decide, data={"decision": "approve", "note": "", "effective_on": _day(decided_on)}
        ).status_code
        == 302
    )
    with app.app_context():
        request = db.session.get(ExtensionRequest, request_id)
        assert request is not None
        assert request.status is ExtensionStatus.APPROVED
        assert request.decision_effective_on == decided_on
        _assert_audited(world.action_id, "extension_approved", decided_on)
    text = page_text(secretariat.get(f"/actions/{world.action_id}"))
    assert "Effective on 25 November 2021" in text


def test_a_stage_move_takes_an_effective_date_and_audits_it(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    url = f"/reviews/{world.review_id}/stage"
    form = secretariat.get(url)
    assert "Effective on" in page_text(form)
    assert "Leave as today unless you are entering history" in page_text(form)
    with app.app_context():
        review = db.session.get(Review, world.review_id)
        assert review is not None
        version = str(review.version)
        allowed = allowed_moves(review)[0]
    for bad, message in [
        (london_today() + timedelta(days=1), "must be today or in the past"),
        (STARTED - timedelta(days=1), "must be on or after the start on 4 May 2021"),
    ]:
        refused = secretariat.post(
            url, data={"to_stage": allowed, "moved_on": _day(bad), "version": version}
        )
        assert refused.status_code == 200
        assert 'id="moved_on-error"' in refused.get_data(as_text=True)
        assert message in page_text(refused)
    saved = secretariat.post(
        url, data={"to_stage": allowed, "moved_on": _day(PAST), "version": version}
    )
    assert saved.status_code == 302
    with app.app_context():
        (move,) = db.session.scalars(
            select(StageTransition).where(StageTransition.review_id == world.review_id)
        )
        assert move.moved_on == PAST
        (entry,) = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "review",
                AuditEvent.entity_id == world.review_id,
                AuditEvent.event == "transition",
            )
        )
        assert entry.after is not None and entry.after["effective_on"] == PAST.isoformat()
    text = page_text(secretariat.get(f"/reviews/{world.review_id}"))
    assert "15 Nov 2021" in text and "Recorded on" in text


def test_the_secretariat_marks_a_review_historical_and_it_is_audited(
    app: Flask, client_for: Clients, world: World
) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    page = secretariat.get(f"/reviews/{world.review_id}")
    assert "Mark as a historical record" in page_text(page)
    with app.app_context():
        review = db.session.get(Review, world.review_id)
        assert review is not None and not review.historical
        version = str(review.version)
    response = secretariat.post(
        f"/reviews/{world.review_id}/historical", data={"historical": "yes", "version": version}
    )
    assert response.status_code == 302
    text = page_text(secretariat.get(f"/reviews/{world.review_id}"))
    assert "Historical record" in text and "Unmark as a historical record" in text
    with app.app_context():
        review = db.session.get(Review, world.review_id)
        assert review is not None and review.historical
        (entry,) = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "review",
                AuditEvent.entity_id == world.review_id,
                AuditEvent.event == "historical_marked",
            )
        )
        assert (entry.before, entry.after) == ({"historical": False}, {"historical": True})
        assert entry.actor_id is not None
    # A stale form (an older version) is refused and changes nothing.
    stale = secretariat.post(
        f"/reviews/{world.review_id}/historical", data={"historical": "no", "version": version}
    )
    assert stale.status_code == 302
    with app.app_context():
        review = db.session.get(Review, world.review_id)
        assert review is not None and review.historical
    # An agency lead may not.
    with app.app_context():
        agency = db.session.get(Agency, world.agency_id)
    lead = client_for(Role.AGENCY_LEAD, agency)
    assert (
        lead.post(
            f"/reviews/{world.review_id}/historical", data={"historical": "no", "version": "1"}
        ).status_code
        == 403
    )


def test_an_action_added_as_history_counts_in_its_year_and_is_checked_at_the_field(
    app: Flask, client_for: Clients, world: World
) -> None:
    """The day an action joined the plan is entered like any effective date: refused in the
    future or before the review began, and the year's figures count the action from it
    (services/history: an action recorded today for 2021 is an action of 2021/22)."""
    from sgreviews.services.history.actions_as_at import actions_of_period
    from sgreviews.services.periods import BusinessYear, Period

    secretariat = client_for(Role.SECRETARIAT)
    with app.app_context():
        finding_id = (
            db.session.scalars(select(Action).where(Action.id == world.action_id))
            .one()
            .findings[0]
            .id
        )
    url = f"/reviews/{world.review_id}/actions/new"
    form = {
        "findings": [str(finding_id)],
        "outcome_sought": "Fathers are seen",
        "action_text": "Entered as history: fathers are seen at every visit",
        "measure_of_success": "Re-audit",
        "owning_agency_id": str(world.agency_id),
        "lead_user_id": "",
        "lead_name": "Named officer",
        "due_date": ["30", "9", "2022"],
    }
    for day, message in _refusals():
        refused = secretariat.post(url, data={**form, "added_on": _day(day)})
        assert refused.status_code == 200
        assert 'href="#added_on-day"' in refused.get_data(as_text=True)
        assert message in page_text(refused)
        assert "Entered as history: fathers are seen" in refused.get_data(as_text=True)
    made = secretariat.post(url, data={**form, "added_on": _day(PAST)})
    assert made.status_code == 302
    with app.app_context():
        action = db.session.scalars(
            select(Action).where(Action.action_text.startswith("Entered as history"))
        ).one()
        assert action.added_on == PAST
        assert to_london(action.created_at).date() == london_today()
        event = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "action",
                AuditEvent.entity_id == action.id,
                AuditEvent.event == "create",
            )
        ).one()
        assert event.after is not None and event.after["added_on"] == PAST.isoformat()
        year = Period.of(BusinessYear(2021))
        in_year = {state.action.id for state in actions_of_period([], year, year.end)}
        assert action.id in in_year
        earlier = Period.of(BusinessYear(2020))
        assert action.id not in {
            state.action.id for state in actions_of_period([], earlier, earlier.end)
        }
