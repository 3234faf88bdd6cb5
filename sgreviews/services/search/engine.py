"""One search across reviews (reference, subject pseudonym), findings, actions and
published briefings, ranked by relevance with highlighted snippets, scoped by the
reader's access (``sgreviews.policy``).

SQLite: the FTS5 table ``fts_record`` (kept by triggers, migration 0025), ranked by
``bm25`` with ``snippet``. PostgreSQL: each table's GIN expression index over
``to_tsvector('simple', ...)``, ranked by ``ts_rank`` with ``ts_headline``. The two read
the same words of the same text (``documents``) and the same plan (``query``), so they
find the same records; tests/integration/test_search_everything.py proves it on a corpus.
Ranks differ in scale between the engines, so pages order by rank and then by kind and id.

A search that finds nothing is tried once more with each unknown word's closest words
from the records' vocabulary (the spelling fallback): only then is the vocabulary read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)

from sgreviews.extensions import db
from sgreviews.models import Action, Briefing, Finding, Review
from sgreviews.policy import (
    Actor,
    Permission,
    actions_visible_to,
    findings_visible_to,
    has_permission,
    reviews_visible_to,
)
from sgreviews.services.search import query as plan
from sgreviews.services.search.config import SearchSettings
from sgreviews.services.search.documents import (
    DOCUMENT_SQL,
    KIND_CODES,
    KINDS,
    document_of,
    words_only,
    words_only_sql,
)

LIMIT = 50
# Private-use characters mark the matched words in a snippet: never in typed text, so the
# snippet is escaped whole and only these become <mark>.
START, STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 20

_FTS = table("fts_record", column("rowid", Integer), column("document", String))
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass(frozen=True)
class Hit:
    kind: str  # "review", "finding", "action" or "briefing"
    object_id: int
    rank: float
    snippet: Markup


@dataclass(frozen=True)
class Outcome:
    hits: list[Hit]
    groups: list[plan.Group]

    @property
    def corrections(self) -> list[str]:
        """The closest words searched as well (shown only when they found something)."""
        if not self.hits:
            return []
        return [word for group in self.groups for word in group.corrections]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _visible(user: Actor) -> dict[str, ColumnElement[bool]]:
    """The condition on each kind's table for what ``user`` may read."""
    briefings = (
        Briefing.search_document != ""
        if has_permission(user, Permission.VIEW_LEARNING)
        else Briefing.id.is_(None)
    )
    return {
        "briefing": briefings,
        "review": Review.counted_clause() & reviews_visible_to(user),
        "finding": findings_visible_to(user),
        "action": actions_visible_to(user),
    }


def highlighted(raw: str | None) -> Markup:
    """A snippet with its matched words in <mark>, everything else escaped."""
    escaped = str(escape(raw or ""))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def _sqlite(user: Actor, match: str, limit: int) -> list[Hit]:
    visible = _visible(user)
    models: dict[str, Any] = {
        "briefing": Briefing,
        "review": Review,
        "finding": Finding,
        "action": Action,
    }
    # Checked per match, by primary key (not a list of every readable id, which a
    # partnership-wide reader would build over the whole record on every search).
    object_id = _FTS.c.rowid.op("/")(4)
    kind_code = _FTS.c.rowid.op("%")(4)
    allowed = or_(
        *(
            and_(
                kind_code == KIND_CODES[kind],
                select(models[kind].id).where(models[kind].id == object_id, condition).exists(),
            )
            for kind, condition in visible.items()
        )
    )
    rank = func.bm25(literal_column("fts_record")).label("rank")
    snippet = func.snippet(literal_column("fts_record"), 0, START, STOP, "…", SNIPPET_WORDS).label(
        "snippet"
    )
    rows = db.session.execute(
        select(_FTS.c.rowid, rank, snippet)
        .where(literal_column("fts_record").op("MATCH")(match))
        .where(allowed)
        .order_by(rank, _FTS.c.rowid)
        .limit(limit)
    ).all()
    return [
        Hit(KINDS[rowid % 4], rowid // 4, -float(score), highlighted(text_))
        for rowid, score, text_ in rows
    ]


def _postgresql(user: Actor, tsquery: str, limit: int) -> list[Hit]:
    visible = _visible(user)
    query = func.to_tsquery(_SIMPLE, tsquery)
    options = (
        f'StartSel="{START}", StopSel="{STOP}", MaxWords={SNIPPET_WORDS}, MinWords=8, '
        "ShortWord=0, MaxFragments=1"
    )
    parts = []
    for kind, condition in visible.items():
        model, document = document_of(kind)
        vector = func.to_tsvector(_SIMPLE, words_only(document))
        parts.append(
            select(
                literal(KIND_CODES[kind]).label("code"),
                model.id.label("object_id"),
                func.ts_rank(vector, query).cast(Float).label("rank"),
                func.ts_headline(_SIMPLE, document, query, options).label("snippet"),
            ).where(vector.op("@@")(query), condition)
        )
    found = union_all(*parts).subquery()
    rows = db.session.execute(
        select(found.c.code, found.c.object_id, found.c.rank, found.c.snippet)
        .order_by(found.c.rank.desc(), found.c.object_id * 4 + found.c.code)
        .limit(limit)
    ).all()
    return [
        Hit(KINDS[code], object_id, float(score), highlighted(text_))
        for code, object_id, score, text_ in rows
    ]


def _run(user: Actor, groups: list[plan.Group], limit: int) -> list[Hit]:
    if not groups:
        return []
    if _dialect() == "sqlite":
        return _sqlite(user, plan.fts5(groups), limit)
    return _postgresql(user, plan.tsquery(groups), limit)


def vocabulary() -> list[str]:
    """Every word of the indexed text (of every record: it only widens the query; what is
    found is still scoped by access)."""
    if _dialect() == "sqlite":
        return list(db.session.scalars(text("SELECT term FROM fts_record_vocab")))
    documents = " UNION ALL ".join(
        f"SELECT to_tsvector('simple', {words_only_sql(document_sql)}) FROM {table_name}"
        for table_name, document_sql in DOCUMENT_SQL.items()
    )
    return list(
        db.session.scalars(
            text("SELECT word FROM ts_stat(:documents)").bindparams(documents=documents)
        )
    )


def search(user: Actor, typed: str, settings: SearchSettings, limit: int = LIMIT) -> Outcome:
    """What ``user`` may read that matches ``typed``, the most relevant first."""
    groups = plan.parse(typed, settings)
    hits = _run(user, groups, limit)
    if not hits and groups:
        corrected = plan.with_corrections(groups, vocabulary(), settings)
        if any(group.corrections for group in corrected):
            groups = corrected
            hits = _run(user, groups, limit)
    return Outcome(hits, groups)
