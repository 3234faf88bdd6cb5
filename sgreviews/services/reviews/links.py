"""Links between reviews: one led to another (a notification to its rapid review), they run
in parallel, or they are one joint review."""

from __future__ import annotations

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Review, User
from sgreviews.models.review import LinkKind, ReviewLink
from sgreviews.services import audit
from sgreviews.services.reviews.lifecycle import ReviewError


def link(actor: User | None, source: Review, target: Review, kind: LinkKind) -> ReviewLink:
    if source.id == target.id:
        raise ReviewError("A review cannot be linked to itself", "other_reference")
    already = db.session.scalar(
        select(func.count()).where(
            ((ReviewLink.from_review_id == source.id) & (ReviewLink.to_review_id == target.id))
            | ((ReviewLink.from_review_id == target.id) & (ReviewLink.to_review_id == source.id))
        )
    )
    if already:
        raise ReviewError(
            f"{source.reference} and {target.reference} are already linked", "other_reference"
        )
    item = ReviewLink(from_review_id=source.id, to_review_id=target.id, kind=kind)
    db.session.add(item)
    db.session.flush()
    audit.record(
        actor,
        "review",
        source.id,
        "link",
        None,
        {"kind": kind, "from": source.reference, "to": target.reference},
    )
    return item
