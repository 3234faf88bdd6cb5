"""What every briefing page shares: the blueprint, the review types, loading a briefing,
and what a page showing one version of a briefing is given."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app

from sgreviews.models import Briefing, BriefingVersion
from sgreviews.services.briefings import library
from sgreviews.services.briefings.reading import ReadingBriefing, ReadingVersion
from sgreviews.services.briefings.sections import sections_for

blueprint = Blueprint("briefings", __name__)


def review_types() -> dict[str, Any]:
    return current_app.extensions["sgreviews.review_types"]  # type: ignore[no-any-return]


def briefing_or_404(briefing_id: int) -> Briefing:
    briefing = library.get_briefing(briefing_id)
    if briefing is None:
        abort(404)
    return briefing


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def reading_context(
    briefing: Briefing | ReadingBriefing, version: BriefingVersion | ReadingVersion
) -> dict[str, Any]:
    return {
        "briefing": briefing,
        "version": version,
        "sections": sections_for(briefing.kind),
        "review_types": review_types(),
    }
