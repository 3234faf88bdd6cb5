"""Findings of a review: recording and editing them, and the closure guard that says when
a finding counts as addressed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Agency,
    Finding,
    FindingKind,
    ImpactStatus,
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
    }


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
) -> Finding:
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
) -> Finding:
    before = snapshot(finding)
    check_version("finding", finding.id, finding.version, expected_version, before)
    text = _validate_text(text)
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
