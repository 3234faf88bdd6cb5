"""Findings of a review: recording and editing them, and the closure guard that says when
a finding counts as addressed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Addressee,
    Agency,
    Finding,
    FindingKind,
    ImpactStatus,
    RecommendationLevel,
    Review,
    User,
)
from sgreviews.services import audit
from sgreviews.services.editing import FieldError, StaleEdit, check_version, diff
from sgreviews.services.themes import themes_for_keys

__all__ = ["FieldError", "StaleEdit"]

RECORDED_IMPACT = frozenset(
    {ImpactStatus.EVIDENCED, ImpactStatus.NO_IMPACT, ImpactStatus.INCONCLUSIVE}
)


def get_review(review_id: int) -> Review | None:
    return db.session.get(Review, review_id)


def review_with_findings(review_id: int) -> Review | None:
    """A review with its findings, their themes, agencies and actions, in a fixed number
    of queries."""
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            joinedload(Review.partnership),
            selectinload(Review.findings).selectinload(Finding.themes),
            selectinload(Review.findings).selectinload(Finding.agencies_involved),
            selectinload(Review.findings).selectinload(Finding.addressee_agency),
            selectinload(Review.findings)
            .selectinload(Finding.actions)
            .options(joinedload(Action.owning_agency), joinedload(Action.lead_user)),
        )
    )


def get_finding(finding_id: int) -> Finding | None:
    return db.session.scalar(
        select(Finding)
        .where(Finding.id == finding_id)
        .options(
            selectinload(Finding.themes),
            selectinload(Finding.agencies_involved),
            selectinload(Finding.actions),
        )
    )


def snapshot(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "text": finding.text,
        "themes": sorted(theme.key for theme in finding.themes),
        "agencies": sorted(agency.id for agency in finding.agencies_involved),
        "level": finding.level.value if finding.level else None,
        "addressed_to": finding.addressed_to.value if finding.addressed_to else None,
        "addressee_agency": finding.addressee_agency_id,
        "addressee_body": finding.addressee_body,
        "response_on": finding.response_on.isoformat() if finding.response_on else None,
        "response": finding.response,
    }


@dataclass(frozen=True)
class RecommendationDetails:
    """What a recommendation carries beyond its text: its level, whom it is addressed to
    and, for a national one, the national body's response (issue 22)."""

    level: RecommendationLevel | None = None
    addressed_to: Addressee | None = None
    agency_id: int | None = None
    body: str = ""
    response_on: date | None = None
    response: str = ""


NO_RECOMMENDATION = RecommendationDetails()


def _apply_recommendation(
    finding: Finding, kind: FindingKind, details: RecommendationDetails
) -> None:
    """Check and set the recommendation's details; any other kind of finding has none.
    Each problem is a FieldError naming its field."""
    if kind is not FindingKind.RECOMMENDATION:
        details = NO_RECOMMENDATION
    else:
        if details.level is None:
            raise FieldError(
                "level", "Choose whether the recommendation is local, regional or national"
            )
        if details.addressed_to is None:
            raise FieldError("addressed_to", "Choose whom the recommendation is addressed to")
        if details.addressed_to is Addressee.AGENCY and details.agency_id is None:
            raise FieldError("addressee_agency", "Choose the agency it is addressed to")
        if details.addressed_to is Addressee.NATIONAL_BODY and not details.body.strip():
            raise FieldError("addressee_body", "Enter the national body it is addressed to")
        if details.level is not RecommendationLevel.NATIONAL and (
            details.response_on or details.response.strip()
        ):
            raise FieldError(
                "response_on", "Only a national recommendation is tracked to a response"
            )
        if details.response_on is not None and details.response_on > london_today():
            raise FieldError("response_on", "The date of the response must be today or earlier")
        if details.response.strip() and details.response_on is None:
            raise FieldError("response_on", "Enter the date the response came")
    finding.level = details.level
    finding.addressed_to = details.addressed_to
    agency = details.agency_id if details.addressed_to is Addressee.AGENCY else None
    with db.session.no_autoflush:  # a new finding is not complete until flushed by its caller
        finding.addressee_agency = db.session.get(Agency, agency) if agency is not None else None
    if agency is not None and finding.addressee_agency is None:
        raise FieldError("addressee_agency", "Choose the agency it is addressed to")
    finding.addressee_body = (
        details.body.strip() if details.addressed_to is Addressee.NATIONAL_BODY else None
    )
    finding.response_on = details.response_on
    finding.response = details.response.strip() or None


def _agencies(agency_ids: list[int]) -> list[Agency]:
    if not agency_ids:
        return []
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids))))


def _validate_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise FieldError("text", "Enter the finding")
    return text


def create_finding(
    *,
    actor: User,
    review: Review,
    kind: FindingKind,
    text: str,
    theme_keys: list[str],
    agency_ids: list[int],
    themes_path: Path,
    recommendation: RecommendationDetails | None = None,
) -> Finding:
    """``recommendation``: the details the form gives (checked); None (imports, the
    API) records none."""
    text = _validate_text(text)
    position = (
        db.session.scalar(select(func.max(Finding.position)).where(Finding.review_id == review.id))
        or 0
    ) + 1
    finding = Finding(
        review=review,
        position=position,
        kind=kind,
        text=text,
        themes=themes_for_keys(themes_path, theme_keys),
        agencies_involved=_agencies(agency_ids),
    )
    if recommendation is not None:
        _apply_recommendation(finding, kind, recommendation)
    db.session.add(finding)
    db.session.flush()
    audit.record(actor, "finding", finding.id, "create", after=snapshot(finding))
    return finding


def update_finding(
    *,
    actor: User,
    finding: Finding,
    expected_version: int,
    kind: FindingKind,
    text: str,
    theme_keys: list[str],
    agency_ids: list[int],
    themes_path: Path,
    recommendation: RecommendationDetails | None = None,
) -> Finding:
    """``recommendation``: the details the form gives (checked); None keeps those recorded
    (cleared when the finding stops being a recommendation)."""
    before = snapshot(finding)
    check_version("finding", finding.id, finding.version, expected_version, before)
    text = _validate_text(text)
    if recommendation is not None or kind is not FindingKind.RECOMMENDATION:
        _apply_recommendation(finding, kind, recommendation or NO_RECOMMENDATION)
    finding.kind = kind
    finding.text = text
    finding.themes = themes_for_keys(themes_path, theme_keys)
    finding.agencies_involved = _agencies(agency_ids)
    db.session.flush()
    old, new = diff(before, snapshot(finding))
    if new:
        audit.record(actor, "finding", finding.id, "update", before=old, after=new)
    return finding


@dataclass(frozen=True)
class ClosureCheck:
    addressed: bool
    reasons: list[str]


def closure_check(finding: Finding) -> ClosureCheck:
    """A finding counts as addressed only when each of its actions is assured or closed
    with a reason, and an impact assessment is recorded."""
    reasons: list[str] = []
    if finding.kind is FindingKind.STRENGTH and not finding.actions:
        return ClosureCheck(True, [])
    if not finding.actions:
        reasons.append("It has no actions yet.")
    for action in finding.actions:
        if action.status is ActionStatus.ASSURED:
            continue
        if action.status is ActionStatus.CLOSED_NOT_IMPLEMENTED and action.closure_reason:
            continue
        if action.status is ActionStatus.SUPERSEDED:
            continue
        reasons.append(f"Action {action.reference} is {action.status.label.lower()}.")
    if finding.actions and not any(
        action.impact_status in RECORDED_IMPACT for action in finding.actions
    ):
        reasons.append("No impact assessment is recorded for its actions.")
    return ClosureCheck(not reasons, reasons)


def mark_addressed(*, actor: User, finding: Finding) -> ClosureCheck:
    check = closure_check(finding)
    if check.addressed and finding.addressed_at is None:
        finding.addressed_at = utcnow()
        finding.addressed_by_id = actor.id
        db.session.flush()
        audit.record(
            actor, "finding", finding.id, "addressed", after={"addressed_at": finding.addressed_at}
        )
    return check


_LABEL = re.compile(r"^\s*(?P<reference>\S+)\s+finding\s+(?P<position>\d+)\s*$", re.IGNORECASE)


def findings_by_labels(text: str) -> list[Finding]:
    """Findings named like "SCR-2018-03 finding 2", separated by commas or new lines (how a
    thematic action answers findings of other reviews). Unknown names raise a FieldError
    that lists them."""
    labels = [part for part in re.split(r"[,\n;]+", text or "") if part.strip()]
    found: list[Finding] = []
    unknown: list[str] = []
    for label in labels:
        match = _LABEL.match(label)
        finding = None
        if match is not None:
            finding = db.session.scalar(
                select(Finding)
                .join(Review)
                .where(
                    func.lower(Review.reference) == match["reference"].lower(),
                    Finding.position == int(match["position"]),
                )
            )
        if finding is None:
            unknown.append(label.strip())
        elif finding not in found:
            found.append(finding)
    if unknown:
        raise FieldError(
            "other_findings",
            "No finding is called "
            + ", ".join(unknown)
            + ' (write them like "SCR-2018-03 finding 2")',
        )
    return found
