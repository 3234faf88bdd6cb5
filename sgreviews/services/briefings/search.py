"""Full-text search over published briefings, behind one interface for both backends.

SQLite: an FTS5 table ``fts_briefing`` (Porter stemming) whose rowid is the briefing id,
kept in step by :func:`index_briefing`. PostgreSQL: a GIN expression index over
``to_tsvector('english', briefing.search_document)``, queried with the same expression so
the planner uses it. Both objects are created by migration 0005.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, false, func, text

from sgreviews.extensions import db
from sgreviews.models import Briefing, BriefingVersion
from sgreviews.services.briefings.sections import sections_for

_WORD = re.compile(r"\w+", re.UNICODE)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def index_briefing(briefing: Briefing) -> None:
    """Make the search index match ``briefing.search_document`` (empty: not findable)."""
    if _dialect() != "sqlite":
        # PostgreSQL's expression index follows the column by itself.
        return
    db.session.flush()
    db.session.execute(text("DELETE FROM fts_briefing WHERE rowid = :id"), {"id": briefing.id})
    if briefing.search_document:
        db.session.execute(
            text("INSERT INTO fts_briefing (rowid, document) VALUES (:id, :document)"),
            {"id": briefing.id, "document": briefing.search_document},
        )


def _fts5_query(query: str) -> str:
    """Every word of the user's query, each quoted, so FTS5 syntax in the input (quotes,
    NEAR, column filters, stray operators) is searched for as text, never interpreted."""
    return " ".join(f'"{word}"' for word in _WORD.findall(query))


def matches(query: str) -> ColumnElement[bool]:
    """A condition on :class:`Briefing` true when its published text matches every word
    of ``query``."""
    if not _WORD.search(query):
        return false()
    if _dialect() == "sqlite":
        subquery = text("SELECT rowid FROM fts_briefing WHERE fts_briefing MATCH :fts_query")
        return Briefing.id.in_(
            subquery.bindparams(fts_query=_fts5_query(query)).columns(rowid=db.Integer)
        )
    return func.to_tsvector("english", Briefing.search_document).op("@@")(
        func.plainto_tsquery("english", query)
    )


def search_document(briefing: Briefing, version: BriefingVersion) -> str:
    """The text a published version is found by: title, kind, sections, themes and the
    reviews it links to."""
    parts = [version.title, briefing.kind.label]
    parts += [version.section(s.key) for s in sections_for(briefing.kind)]
    parts += [theme.name for theme in briefing.themes]
    parts += [f"{r.reference} {r.subject_label}" for r in briefing.reviews]
    return "\n".join(part for part in parts if part)
