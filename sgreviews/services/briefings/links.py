"""The reviews, findings and themes a briefing links to: the choices the links page offers
and their change (the library filters on them and the search finds by them)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sgreviews.extensions import db
from sgreviews.models import Briefing, Finding, Review, Theme, User
from sgreviews.services import audit
from sgreviews.services.briefings import search
from sgreviews.services.themes import sub_themes


@dataclass
class LinkOptions:
    """What a briefing may link to: every review, the findings of the reviews it links to
    now, and every theme under a group."""

    reviews: list[Review]
    findings: list[Finding]
    themes: list[Theme]


def findings_of_reviews(review_ids: Collection[int]) -> list[Finding]:
    """The findings of these reviews, each with its review, in review and position order."""
    return list(
        db.session.scalars(
            select(Finding)
            .where(Finding.review_id.in_(review_ids))
            .options(selectinload(Finding.review))
            .order_by(Finding.review_id, Finding.position)
        )
    )


def link_options(briefing: Briefing, reviews: list[Review]) -> LinkOptions:
    """The choices for ``briefing`` among ``reviews`` (the reviews the user may link)."""
    linked = [review.id for review in reviews if review in briefing.reviews]
    return LinkOptions(reviews, findings_of_reviews(linked), sub_themes())


def link_chosen(
    briefing: Briefing,
    *,
    actor: User,
    options: LinkOptions,
    review_ids: Collection[int],
    finding_ids: Collection[int],
    theme_ids: Collection[int],
) -> None:
    """Link the chosen reviews, findings and themes (from ``options``). The findings of a
    newly linked review are linked with it."""
    new_reviews = set(review_ids) - {review.id for review in briefing.reviews}
    set_links(
        briefing,
        actor=actor,
        reviews=[r for r in options.reviews if r.id in review_ids],
        findings=[f for f in options.findings if f.id in finding_ids]
        + findings_of_reviews(new_reviews),
        themes=[t for t in options.themes if t.id in theme_ids],
    )


def set_links(
    briefing: Briefing,
    *,
    actor: User,
    reviews: list[Review],
    findings: list[Finding],
    themes: list[Theme],
) -> None:
    """Replace the reviews, findings and themes the briefing links to. A finding is kept
    only when its review is linked too."""
    review_ids = {review.id for review in reviews}
    before = {
        "reviews": [r.reference for r in briefing.reviews],
        "findings": [f.id for f in briefing.findings],
        "themes": [t.key for t in briefing.themes],
    }
    briefing.reviews = list(reviews)
    briefing.findings = [f for f in findings if f.review_id in review_ids]
    briefing.themes = list(themes)
    db.session.flush()
    published = briefing.published
    if published is not None:
        briefing.search_document = search.search_document(briefing, published)
        search.index_briefing(briefing)
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "links",
        before,
        {
            "reviews": [r.reference for r in briefing.reviews],
            "findings": [f.id for f in briefing.findings],
            "themes": [t.key for t in briefing.themes],
        },
    )
