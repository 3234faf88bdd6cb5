"""Actions and findings services: validation, progress, extensions, assurance, the closure
guard, optimistic locking and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    ActionStatus,
    AuditEvent,
    ExtensionStatus,
    FindingKind,
    ImpactMethod,
    ImpactStatus,
    Role,
)
from sgreviews.services.actions import lists as action_lists
from sgreviews.services.actions import reads as action_reads
from sgreviews.services.actions import writes as actions
from sgreviews.services.editing import FieldError, StaleEdit
from sgreviews.services.reviews import findings
from tests import factories

THEMES = Path(__file__).resolve().parents[2] / "config" / "themes.toml"


def _fields(agency_id: int, **overrides: object) -> actions.ActionFields:
    values: dict[str, object] = {
        "outcome_sought": "Accounts are tested against history",
        "action_text": "Add a prompt to strategy discussions",
        "measure_of_success": "Audit of 20 records",
        "owning_agency_id": agency_id,
        "due_date": date(2026, 1, 31),
    }
    values.update(overrides)
    return actions.ActionFields(**values)  # type: ignore[arg-type]


def _events(entity_id: int, event: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "action",
                AuditEvent.entity_id == entity_id,
                AuditEvent.event == event,
            )
        )
    )


def test_create_action_numbers_from_finding_and_audits(ctx: None) -> None:
    secretariat = factories.user(Role.SECRETARIAT)
    review = factories.review(reference="LCSPR-2025-77", started_on=date(2025, 5, 1))
    finding = factories.finding(review)
    agency = factories.agency()
    action = actions.create_action(
        actor=secretariat, findings=[finding], fields=_fields(agency.id, risk="Supplier delay")
    )
    assert action.reference == "LCSPR-2025-77/1.1"
    assert action.original_due_date == action.due_date
    assert action.risk == "Supplier delay"
    (event,) = _events(action.id, "create")
    assert event.after is not None and event.after["action_text"].startswith("Add a prompt")
    second = actions.create_action(actor=secretariat, findings=[finding], fields=_fields(agency.id))
    assert second.reference == "LCSPR-2025-77/1.2"


def test_thematic_action_answers_findings_of_several_reviews(ctx: None) -> None:
    secretariat = factories.user(Role.SECRETARIAT)
    first = factories.finding(factories.review(started_on=date(2025, 1, 1)))
    second = factories.finding(factories.review(started_on=date(2025, 6, 1)))
    action = actions.create_action(
        actor=secretariat, findings=[first, second], fields=_fields(factories.agency().id)
    )
    assert {finding.review_id for finding in action.findings} == {
        first.review_id,
        second.review_id,
    }


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"due_date": date(2025, 4, 30)}, "due_date"),
        ({"due_date": None}, "due_date"),
        ({"action_text": "  "}, "action_text"),
        ({"measure_of_success": ""}, "measure_of_success"),
        ({"owning_agency_id": 999999}, "owning_agency_id"),
    ],
)
def test_create_action_refuses_bad_input(
    ctx: None, overrides: dict[str, object], field_name: str
) -> None:
    secretariat = factories.user(Role.SECRETARIAT)
    finding = factories.finding(factories.review(started_on=date(2025, 5, 1)))
    agency = factories.agency()
    with pytest.raises(FieldError) as error:
        actions.create_action(
            actor=secretariat, findings=[finding], fields=_fields(agency.id, **overrides)
        )
    assert error.value.field_name == field_name
    if field_name == "due_date" and overrides["due_date"]:
        assert "on or after the review started (1 May 2025)" in error.value.message


def test_named_lead_must_belong_to_the_owning_agency(ctx: None) -> None:
    secretariat = factories.user(Role.SECRETARIAT)
    finding = factories.finding()
    agency = factories.agency()
    stranger = factories.user(Role.AGENCY_LEAD)
    with pytest.raises(FieldError, match="user of the owning agency"):
        actions.create_action(
            actor=secretariat,
            findings=[finding],
            fields=_fields(agency.id, lead_user_id=stranger.id),
        )


def test_progress_completed_needs_evidence(ctx: None) -> None:
    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency)
    action = factories.action(agency)
    with pytest.raises(FieldError, match="Attach evidence"):
        actions.record_progress(
            actor=lead, action=action, status=ActionStatus.COMPLETED, note="Done"
        )
    update = actions.record_progress(
        actor=lead,
        action=action,
        status=ActionStatus.COMPLETED,
        note="Done, audit attached",
        has_new_evidence=True,
    )
    assert action.status is ActionStatus.COMPLETED
    assert update.previous_status is ActionStatus.NOT_STARTED
    (event,) = _events(action.id, "progress")
    assert event.before == {"status": "not_started"}
    assert event.after == {"status": "completed", "effective_on": london_today().isoformat()}


def test_progress_needs_a_note_and_an_allowed_status(ctx: None) -> None:
    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency)
    action = factories.action(agency)
    with pytest.raises(FieldError, match="Enter what has happened"):
        actions.record_progress(actor=lead, action=action, status=ActionStatus.IN_PROGRESS, note="")
    with pytest.raises(FieldError) as error:
        actions.record_progress(actor=lead, action=action, status=ActionStatus.ASSURED, note="x")
    assert error.value.field_name == "status"


def test_off_track_update_makes_the_action_red(app: object, ctx: None) -> None:
    from sgreviews.services.actions.rag import Rag, current_rules

    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency)
    action = factories.action(agency, due_date=london_today() + timedelta(days=200))
    actions.record_progress(
        actor=lead,
        action=action,
        status=ActionStatus.IN_PROGRESS,
        note="Slipping",
        off_track=True,
    )
    assert action_lists.ratings([action], london_today(), current_rules())[action.id] is Rag.RED
    actions.record_progress(
        actor=lead, action=action, status=ActionStatus.IN_PROGRESS, note="Back on track"
    )
    assert action_lists.ratings([action], london_today(), current_rules())[action.id] is Rag.GREEN


def test_extension_approved_keeps_the_original_due_date(ctx: None) -> None:
    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency)
    secretariat = factories.user(Role.SECRETARIAT)
    action = factories.action(agency, due_date=date(2026, 6, 30))
    with pytest.raises(FieldError, match="Enter why"):
        actions.request_extension(
            actor=lead, action=action, new_due_date=date(2026, 9, 30), reason=" "
        )
    with pytest.raises(FieldError, match="after the current one"):
        actions.request_extension(
            actor=lead, action=action, new_due_date=date(2026, 6, 1), reason="Late data"
        )
    request = actions.request_extension(
        actor=lead, action=action, new_due_date=date(2026, 9, 30), reason="Late data"
    )
    with pytest.raises(FieldError, match="already waiting"):
        actions.request_extension(
            actor=lead, action=action, new_due_date=date(2026, 10, 30), reason="Again"
        )
    actions.decide_extension(actor=secretariat, request=request, approve=True, note="")
    assert request.status is ExtensionStatus.APPROVED
    assert action.due_date == date(2026, 9, 30)
    assert action.original_due_date == date(2026, 6, 30)
    assert _events(action.id, "extension_requested") and _events(action.id, "extension_approved")


def test_declined_extension_needs_a_reason_and_keeps_the_date(ctx: None) -> None:
    agency = factories.agency()
    lead = factories.user(Role.AGENCY_LEAD, agency)
    secretariat = factories.user(Role.SECRETARIAT)
    action = factories.action(agency, due_date=date(2026, 6, 30))
    request = actions.request_extension(
        actor=lead, action=action, new_due_date=date(2026, 9, 30), reason="Late data"
    )
    with pytest.raises(FieldError, match="why the extension is declined"):
        actions.decide_extension(actor=secretariat, request=request, approve=False, note="")
    actions.decide_extension(actor=secretariat, request=request, approve=False, note="No")
    assert request.status is ExtensionStatus.DECLINED
    assert action.due_date == date(2026, 6, 30)
    titles = [entry.title for entry in action_reads.history(action)]
    assert titles[0].startswith("Extension requested") and titles[1] == "Extension declined"


def test_assurance_send_back_and_close(ctx: None) -> None:
    agency = factories.agency()
    chair = factories.user(Role.CHAIR)
    action = factories.action(agency, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(FieldError, match="Only an action completed"):
        actions.assure(actor=chair, action=action, note="Fine")
    action.status = ActionStatus.COMPLETED
    with pytest.raises(FieldError, match="why the action is sent back"):
        actions.send_back(actor=chair, action=action, reason="")
    actions.send_back(actor=chair, action=action, reason="The audit sample is too small")
    assert action.status is ActionStatus.IN_PROGRESS
    action.status = ActionStatus.COMPLETED
    actions.assure(actor=chair, action=action, note="Audit shows 85%")
    assert action.status is ActionStatus.ASSURED
    assert action.assured_by_id == chair.id
    other = factories.action(agency)
    with pytest.raises(FieldError, match="reason"):
        actions.close_action(actor=chair, action=other, superseded=False, reason="")
    actions.close_action(actor=chair, action=other, superseded=False, reason="National change")
    assert other.status is ActionStatus.CLOSED_NOT_IMPLEMENTED
    assert other.closure_reason == "National change"


def test_impact_planned_needs_method_and_date(ctx: None) -> None:
    chair = factories.user(Role.CHAIR)
    action = factories.action()
    with pytest.raises(FieldError) as error:
        actions.record_impact(
            actor=chair,
            action=action,
            impact_status=ImpactStatus.PLANNED,
            method=None,
            assessment_on=None,
            note="",
        )
    assert error.value.field_name == "method"
    actions.record_impact(
        actor=chair,
        action=action,
        impact_status=ImpactStatus.PLANNED,
        method=ImpactMethod.AUDIT,
        assessment_on=date(2026, 9, 1),
        note="Re-audit",
    )
    assert action.impact_method is ImpactMethod.AUDIT
    # Issue 18: the entry keeps the impact it recorded (impact history).
    assert action.updates[-1].impact_status is ImpactStatus.PLANNED


def test_closure_guard(ctx: None) -> None:
    chair = factories.user(Role.CHAIR)
    finding = factories.finding()
    first = factories.action(finding_=finding, status=ActionStatus.COMPLETED)
    second = factories.action(finding_=finding, status=ActionStatus.IN_PROGRESS)
    db.session.refresh(finding)
    check = findings.mark_addressed(actor=chair, finding=finding)
    assert not check.addressed and finding.addressed_at is None
    assert any(second.reference in reason for reason in check.reasons)
    first.status = ActionStatus.ASSURED
    second.status = ActionStatus.CLOSED_NOT_IMPLEMENTED
    second.closure_reason = "Service decommissioned"
    check = findings.closure_check(finding)
    assert check.reasons == ["No impact assessment is recorded for its actions."]
    first.impact_status = ImpactStatus.EVIDENCED
    assert findings.mark_addressed(actor=chair, finding=finding).addressed
    assert finding.addressed_at is not None


def test_stale_action_edit_is_refused_with_who_and_what(ctx: None) -> None:
    secretariat = factories.user(Role.SECRETARIAT, display_name="First Editor")
    other = factories.user(Role.SECRETARIAT)
    agency = factories.agency()
    action = factories.action(agency)
    opened_at = action.version
    actions.update_action(
        actor=secretariat,
        action=action,
        expected_version=opened_at,
        fields=_fields(agency.id, action_text="First editor's text", due_date=action.due_date),
    )
    with pytest.raises(StaleEdit) as error:
        actions.update_action(
            actor=other,
            action=action,
            expected_version=opened_at,
            fields=_fields(agency.id, action_text="Second editor's text"),
        )
    assert error.value.changed_by == "First Editor"
    assert "action_text" in error.value.changed_fields
    assert error.value.current["action_text"] == "First editor's text"
    assert action.action_text == "First editor's text"


def test_finding_create_edit_and_stale(ctx: None) -> None:
    secretariat = factories.user(Role.SECRETARIAT)
    review = factories.review()
    agency = factories.agency()
    finding = findings.create_finding(
        actor=secretariat,
        review=review,
        kind=FindingKind.LEARNING_POINT,
        text="Fathers were *not* seen",
        theme_keys=["fathers_male_carers"],
        agency_ids=[agency.id],
        themes_path=THEMES,
    )
    assert [theme.key for theme in finding.themes] == ["fathers_male_carers"]
    assert finding.themes[0].parent is not None  # two levels
    assert finding.agencies_involved == [agency]
    version = finding.version
    findings.update_finding(
        actor=secretariat,
        finding=finding,
        expected_version=version,
        kind=FindingKind.RECOMMENDATION,
        text="Edited",
        theme_keys=[],
        agency_ids=[],
        themes_path=THEMES,
    )
    with pytest.raises(StaleEdit):
        findings.update_finding(
            actor=secretariat,
            finding=finding,
            expected_version=version,
            kind=FindingKind.STRENGTH,
            text="Late",
            theme_keys=[],
            agency_ids=[],
            themes_path=THEMES,
        )
    with pytest.raises(FieldError, match="Enter the finding"):
        findings.create_finding(
            actor=secretariat,
            review=review,
            kind=FindingKind.STRENGTH,
            text=" ",
            theme_keys=[],
            agency_ids=[],
            themes_path=THEMES,
        )
