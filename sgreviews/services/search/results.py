"""What the search page shows of each hit: what it is, its title and where it opens.
One query per kind found, whatever the number of hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.extensions import db
from sgreviews.models import Action, Briefing, Finding, Review
from sgreviews.services.search.engine import Hit

KIND_LABELS = {
    "review": "Review",
    "finding": "Finding",
    "action": "Action",
    "briefing": "Briefing",
}


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: str
    # The endpoint and its arguments (the view builds the address).
    endpoint: str
    arguments: dict[str, int]
    snippet: Markup
    anchor: str = ""


def _loaded(hits: Sequence[Hit], kind: str, model: Any, *options: Any) -> dict[int, Any]:
    ids = [hit.object_id for hit in hits if hit.kind == kind]
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(*options)
    return {item.id: item for item in db.session.scalars(query)}


def describe(hits: Sequence[Hit]) -> list[Result]:
    reviews = _loaded(hits, "review", Review)
    findings = _loaded(hits, "finding", Finding, joinedload(Finding.review))
    actions = _loaded(hits, "action", Action)
    briefings = _loaded(hits, "briefing", Briefing, selectinload(Briefing.versions))
    results = []
    for hit in hits:
        label = KIND_LABELS[hit.kind]
        if hit.kind == "review" and (review := reviews.get(hit.object_id)):
            assert isinstance(review, Review)
            results.append(
                Result(
                    hit.kind,
                    label,
                    f"{review.reference}: {review.subject_label}",
                    "reviews.show",
                    {"review_id": review.id},
                    hit.snippet,
                )
            )
        elif hit.kind == "finding" and (finding := findings.get(hit.object_id)):
            assert isinstance(finding, Finding)
            results.append(
                Result(
                    hit.kind,
                    label,
                    f"Finding {finding.position} of {finding.review.reference}",
                    "findings.list_findings",
                    {"review_id": finding.review_id},
                    hit.snippet,
                    anchor=f"finding-{finding.id}",
                )
            )
        elif hit.kind == "action" and (action := actions.get(hit.object_id)):
            assert isinstance(action, Action)
            results.append(
                Result(
                    hit.kind,
                    label,
                    f"{action.reference}: {action.action_text[:90]}",
                    "actions.show",
                    {"action_id": action.id},
                    hit.snippet,
                )
            )
        elif hit.kind == "briefing" and (briefing := briefings.get(hit.object_id)):
            assert isinstance(briefing, Briefing)
            version = briefing.published
            results.append(
                Result(
                    hit.kind,
                    f"{briefing.kind.label}",
                    version.title if version else "Briefing",
                    "briefings.read",
                    {"briefing_id": briefing.id},
                    hit.snippet,
                )
            )
    return results
