"""Similar earlier findings: the suggestions for a finding (drafted or saved), and the
confirmed or dismissed links people make from them.

Suggestions come from the configured engine (``engines``; lexical TF-IDF by default) and
cover the earlier findings of other reviews in the partnerships the policy allows
(``policy.similar_findings_partnerships``). A pair someone already decided on is not
suggested again. Each suggestion carries what became of the earlier finding's actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Finding,
    FindingLink,
    ImpactStatus,
    LinkDecision,
    Review,
    User,
)
from sgreviews.policy import Actor, similar_findings_partnerships
from sgreviews.services import audit
from sgreviews.services.editing import FieldError
from sgreviews.services.learning.engines import SimilarityEngine
from sgreviews.services.learning.index import Scope
from sgreviews.services.periods import BusinessYear

ENGINE_KEY = "sgreviews.similarity"
SUGGESTIONS = 5


@dataclass(frozen=True)
class ActionFates:
    """What became of a finding's actions."""

    total: int
    assured: int
    evidenced: int
    closed_not_implemented: int

    @classmethod
    def of(cls, actions: Sequence[Action]) -> ActionFates:
        return cls(
            total=len(actions),
            assured=sum(action.status is ActionStatus.ASSURED for action in actions),
            evidenced=sum(action.impact_status is ImpactStatus.EVIDENCED for action in actions),
            closed_not_implemented=sum(
                action.status is ActionStatus.CLOSED_NOT_IMPLEMENTED for action in actions
            ),
        )


@dataclass(frozen=True)
class Suggestion:
    finding_id: int
    review_id: int
    label: str
    review_reference: str
    year: str
    kind: str
    text: str
    themes: list[str]
    fates: ActionFates
    score: float | None
    decision: LinkDecision | None = None


def engine() -> SimilarityEngine:
    found: SimilarityEngine = current_app.extensions[ENGINE_KEY]
    return found


def warm_up() -> int:
    """Build the application's similarity index now, from every finding (how many).

    The web server calls it in its master process before forking the workers
    (``config/gunicorn.conf.py``), so every worker, and every worker that replaces one,
    starts with the index already built and only patches in the findings changed since,
    instead of its first similar-findings page building it (seconds at national scale)."""
    return engine().warm_up()


def _loaded(finding_ids: Sequence[int]) -> dict[int, Finding]:
    """The findings with their review, themes and actions, in three queries."""
    if not finding_ids:
        return {}
    return {
        finding.id: finding
        for finding in db.session.scalars(
            select(Finding)
            .where(Finding.id.in_(finding_ids))
            .options(
                joinedload(Finding.review),
                selectinload(Finding.themes),
                selectinload(Finding.actions),
            )
        )
    }


def _suggestion(
    finding: Finding, score: float | None, decision: LinkDecision | None = None
) -> Suggestion:
    return Suggestion(
        finding_id=finding.id,
        review_id=finding.review_id,
        label=finding.label,
        review_reference=finding.review.reference,
        year=BusinessYear.containing(finding.review.started_on).label,
        kind=finding.kind.label,
        text=finding.text,
        themes=[theme.name for theme in finding.themes],
        fates=ActionFates.of(finding.actions),
        score=score,
        decision=decision,
    )


def _decided_ids(finding_id: int | None) -> frozenset[int]:
    if finding_id is None:
        return frozenset()
    return frozenset(
        db.session.scalars(
            select(FindingLink.earlier_finding_id).where(FindingLink.finding_id == finding_id)
        )
    )


def suggestions(
    user: Actor,
    text: str,
    review: Review,
    finding: Finding | None = None,
    limit: int = SUGGESTIONS,
) -> list[Suggestion]:
    """The earlier findings most like ``text`` (a draft of a finding of ``review``, or the
    saved ``finding``), best first, leaving out pairs already decided."""
    partnerships = similar_findings_partnerships(user, review.partnership_id)
    if partnerships == frozenset() or not text.strip():
        return []
    scope = Scope(
        partnerships=partnerships,
        exclude_review=review.id,
        before=finding.created_at if finding is not None else None,
        exclude=_decided_ids(finding.id if finding is not None else None),
    )
    # A few more than asked: a finding deleted since the index was read drops out.
    ranked = engine().similar(text, scope, limit + 3)
    loaded = _loaded([finding_id for finding_id, _score in ranked])
    return [
        _suggestion(loaded[finding_id], score)
        for finding_id, score in ranked
        if finding_id in loaded
    ][:limit]


def decided_links(finding: Finding) -> list[Suggestion]:
    """The links people confirmed or dismissed for ``finding``, confirmed first."""
    links = list(
        db.session.scalars(
            select(FindingLink)
            .where(FindingLink.finding_id == finding.id)
            .order_by(FindingLink.decision, FindingLink.decided_at)
        )
    )
    loaded = _loaded([link.earlier_finding_id for link in links])
    return [
        _suggestion(loaded[link.earlier_finding_id], link.score, link.decision)
        for link in links
        if link.earlier_finding_id in loaded
    ]


def decide(
    *,
    actor: User,
    finding: Finding,
    earlier_id: int,
    decision: LinkDecision,
    score: float | None,
) -> FindingLink:
    """Confirm or dismiss the link from ``finding`` to the earlier finding ``earlier_id``
    (a second decision on the same pair replaces the first); audited."""
    earlier = db.session.get(Finding, earlier_id)
    allowed = similar_findings_partnerships(actor, finding.review.partnership_id)
    if (
        earlier is None
        or earlier.id == finding.id
        or earlier.review_id == finding.review_id
        or (allowed is not None and earlier.review.partnership_id not in allowed)
    ):
        raise FieldError("earlier", "That finding cannot be linked to this one")
    link = db.session.scalar(
        select(FindingLink).where(
            FindingLink.finding_id == finding.id, FindingLink.earlier_finding_id == earlier.id
        )
    )
    before = None
    if link is None:
        link = FindingLink(finding_id=finding.id, earlier_finding_id=earlier.id)
        db.session.add(link)
    else:
        before = {"decision": link.decision.value}
    link.decision = decision
    link.score = score
    link.decided_by_id = actor.id
    link.decided_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "finding",
        finding.id,
        f"link_{decision.value}",
        before=before,
        after={"earlier_finding": earlier.label, "decision": decision.value, "score": score},
    )
    return link
