"""Reminder sources about actions beyond their due date (issue 20):

- :class:`ExtensionDecisionSource` and :class:`ActionOutcomeSource`: decisions told back
  to the people who own the action (the lead and the agency's leads): an extension
  approved or declined; the action assured, or sent back because its evidence was not
  accepted. Each decision is one subject with a single threshold on the day it was made,
  so the ledger tells it once however many runs and processes come after it;
- :class:`ImpactAssessmentSource`: an action's planned impact assessment date, reminded
  before, on and after it and escalated when missed, like a due date.

All three are read in keyset pages (one query for the rows, one for their partnerships),
so a run's queries grow with the pages, not the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from sgreviews.clock import to_london
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ExtensionRequest,
    ExtensionStatus,
    Finding,
    ImpactStatus,
    Review,
    UpdateKind,
)
from sgreviews.models.action import action_finding
from sgreviews.services.reminders.go_live import action_date_reminded
from sgreviews.services.reminders.rules import (
    DecisionsToldBackRules,
    ImpactAssessmentRules,
    Thresholds,
)
from sgreviews.services.reminders.subjects import Subject

DECISION = "decision"
# A decision is told on the day it was made (or the first run after it): one threshold.
TOLD_ONCE = Thresholds(before=(), on_due_date=True, after=())


def action_partnerships(action_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """The partnerships of these actions, through the findings they answer (one query)."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(action_finding.c.action_id, Review.partnership_id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(action_finding.c.action_id.in_(sorted(set(action_ids))))
        .distinct()
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    for action_id, partnership_id in rows:
        found[action_id].add(partnership_id)
    return {action_id: tuple(sorted(ids)) for action_id, ids in found.items()}


def _since(today: date, days: int) -> datetime:
    return datetime.combine(today - timedelta(days=days), time.min, tzinfo=UTC)


def _day(moment: datetime | None) -> date:
    assert moment is not None  # the query asked for decided rows only
    return to_london(moment).date()


class ExtensionDecisionSource:
    """Extension requests decided within the look-back: told to the action's lead and
    the owning agency's leads (the secretariat when the agency has nobody)."""

    subject_type = "extension_decision"
    thresholds = TOLD_ONCE

    def __init__(
        self, rules: DecisionsToldBackRules, default_go_live_on: date | None = None
    ) -> None:
        self.rules = rules
        self.default_go_live_on = default_go_live_on

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        since = _since(today, self.rules.look_back_days)
        effective = ExtensionRequest.decision_effective_on
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    ExtensionRequest.id,
                    ExtensionRequest.status,
                    ExtensionRequest.decided_at,
                    ExtensionRequest.requested_due_date,
                    ExtensionRequest.decision_note,
                    Action.id,
                    Action.reference,
                    Action.owning_agency_id,
                    Action.lead_user_id,
                )
                .join(Action, Action.id == ExtensionRequest.action_id)
                .where(
                    ExtensionRequest.id > last_id,
                    ExtensionRequest.status != ExtensionStatus.PENDING,
                    ExtensionRequest.decided_at >= since,
                    # A decision entered as history (issue 18) is not news: told only
                    # when it took effect within the look-back and after go-live.
                    effective >= since.date(),
                    action_date_reminded(effective, self.default_go_live_on),
                )
                .order_by(ExtensionRequest.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            partnerships = action_partnerships([row[5] for row in rows])
            page = []
            for request_id, status, decided_at, new_due, note, action_id, ref, agency, lead in rows:
                if status is ExtensionStatus.APPROVED:
                    headline = f"Extension approved: {ref} is now due {new_due:%-d %B %Y}"
                    summary = "The secretariat approved the extension asked for."
                else:
                    headline = f"Extension declined: {ref} keeps its due date"
                    summary = "The secretariat declined the extension asked for."
                if note:
                    summary += f" Their note: {note}"
                page.append(
                    Subject(
                        self.subject_type,
                        request_id,
                        ref,
                        summary,
                        _day(decided_at),
                        agency,
                        lead,
                        link=f"/actions/{action_id}",
                        offset=0,
                        headline=headline,
                        partnership_ids=partnerships.get(action_id, ()),
                        severity=DECISION,
                        tell_agency_leads=True,
                    )
                )
            yield page


# The entries of an action's history that are decisions its owners are told of.
TOLD_KINDS = (UpdateKind.ASSURED, UpdateKind.SENT_BACK)


class ActionOutcomeSource:
    """An action assured, or sent back (its evidence not accepted), within the look-back:
    told to the action's lead and the owning agency's leads."""

    subject_type = "action_decision"
    thresholds = TOLD_ONCE

    def __init__(
        self, rules: DecisionsToldBackRules, default_go_live_on: date | None = None
    ) -> None:
        self.rules = rules
        self.default_go_live_on = default_go_live_on

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        since = _since(today, self.rules.look_back_days)
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    ActionUpdate.id,
                    ActionUpdate.kind,
                    ActionUpdate.created_at,
                    ActionUpdate.note,
                    Action.id,
                    Action.reference,
                    Action.owning_agency_id,
                    Action.lead_user_id,
                )
                .join(Action, Action.id == ActionUpdate.action_id)
                .where(
                    ActionUpdate.id > last_id,
                    ActionUpdate.kind.in_(TOLD_KINDS),
                    ActionUpdate.created_at >= since,
                    # Entered as history (issue 18): not news, not told.
                    ActionUpdate.effective_on >= since.date(),
                    action_date_reminded(ActionUpdate.effective_on, self.default_go_live_on),
                )
                .order_by(ActionUpdate.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            partnerships = action_partnerships([row[4] for row in rows])
            page = []
            for update_id, kind, created_at, note, action_id, ref, agency, lead in rows:
                if kind is UpdateKind.ASSURED:
                    headline = f"{ref} is assured"
                    summary = f"The action is signed off. Assurance note: {note}"
                else:
                    headline = f"{ref} is sent back: its evidence was not accepted"
                    summary = f"Update the action and mark it completed again. Reason: {note}"
                page.append(
                    Subject(
                        self.subject_type,
                        update_id,
                        ref,
                        summary,
                        _day(created_at),
                        agency,
                        lead,
                        link=f"/actions/{action_id}",
                        offset=0,
                        headline=headline,
                        partnership_ids=partnerships.get(action_id, ()),
                        severity=DECISION,
                        tell_agency_leads=True,
                    )
                )
            yield page


# An assessment stops being reminded once its outcome is recorded (the impact status
# moves on from "planned") or the action is closed without being implemented.
NOT_REMINDED = (ActionStatus.CLOSED_NOT_IMPLEMENTED, ActionStatus.SUPERSEDED)


class ImpactAssessmentSource:
    """Actions whose impact assessment is planned for a date: the lead (or the agency's
    leads) is reminded before, on and after it, and the escalation ladder of
    ``[impact_assessments]`` tells others when the date is missed. Moving the date
    re-arms the reminders (the ledger is keyed by the date)."""

    subject_type = "impact_assessment"

    def __init__(
        self, rules: ImpactAssessmentRules, default_go_live_on: date | None = None
    ) -> None:
        self.thresholds = rules
        self.default_go_live_on = default_go_live_on

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        ahead = today + timedelta(days=self.thresholds.thresholds.horizon)
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    Action.id,
                    Action.reference,
                    Action.impact_method,
                    Action.impact_assessment_on,
                    Action.owning_agency_id,
                    Action.lead_user_id,
                )
                .where(
                    Action.id > last_id,
                    Action.impact_status == ImpactStatus.PLANNED,
                    Action.impact_assessment_on.is_not(None),
                    Action.impact_assessment_on <= ahead,
                    Action.status.not_in(NOT_REMINDED),
                    action_date_reminded(Action.impact_assessment_on, self.default_go_live_on),
                )
                .order_by(Action.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            partnerships = action_partnerships([row[0] for row in rows])
            page = []
            for action_id, reference, method, assessment_on, agency, lead in rows:
                assert assessment_on is not None  # the query asked for dated ones only
                how = f" ({method.label.lower()})" if method is not None else ""
                page.append(
                    Subject(
                        self.subject_type,
                        action_id,
                        f"The impact assessment of {reference}",
                        f"Assess the action's impact{how} and record what it found.",
                        assessment_on,
                        agency,
                        lead,
                        # The action's page: every recipient may open it (recording
                        # the impact itself is the secretariat's and chair's).
                        link=f"/actions/{action_id}",
                        partnership_ids=partnerships.get(action_id, ()),
                    )
                )
            yield page
