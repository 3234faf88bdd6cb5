"""Full-text search behind one interface, on whichever backend the suite runs (SQLite's
FTS5 table, PostgreSQL's GIN-indexed tsvector)."""

from __future__ import annotations

from sqlalchemy import select, text

from sgreviews.extensions import db
from sgreviews.models import Briefing, Role
from sgreviews.services.briefings import search
from sgreviews.services.briefings import workflow as briefing_workflow
from tests import factories
from tests.briefing_helpers import TYPICAL_SECTIONS, published_briefing
from tests.databases import backend_name


def _found(query: str) -> set[int]:
    return set(db.session.scalars(select(Briefing.id).where(search.matches(query))))


def test_search_objects_exist_on_this_backend(ctx: None) -> None:
    if backend_name() == "sqlite":
        sql = "SELECT sql FROM sqlite_master WHERE name = 'fts_briefing'"
        assert "fts5" in (db.session.scalar(text(sql)) or "").lower()
    else:
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'fts_briefing_document'"
        definition = (db.session.scalar(text(sql)) or "").lower()
        assert "gin" in definition and "to_tsvector" in definition


def test_matches_every_word_with_stemming(ctx: None) -> None:
    sleep = published_briefing(
        title="Safe sleep", sections={**TYPICAL_SECTIONS, "background": "Babies sleeping safely."}
    )
    other = published_briefing(title="Escalation")
    assert _found("babies sleep") == {sleep.id}
    assert _found("escalation") == {other.id}
    assert _found("sleep escalation") == set()
    assert _found("") == set()
    # Query syntax is searched as words, never interpreted.
    assert _found('"sleep" OR NEAR(') == set()
    assert _found("sleep*") == {sleep.id}


def test_archived_and_draft_briefings_are_not_found(ctx: None) -> None:
    actor = factories.user(Role.SECRETARIAT)
    gone = published_briefing(actor, title="Withdrawn learning about fires")
    assert _found("fires") == {gone.id}
    briefing_workflow.archive(gone, actor=actor)
    assert _found("fires") == set()
    draft = published_briefing(actor, title="Neglect")
    briefing_workflow.new_version(draft, actor=actor)
    # The published version stays findable while its next version is drafted.
    assert _found("neglect") == {draft.id}
