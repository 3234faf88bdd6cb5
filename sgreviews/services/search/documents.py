"""The text each kind of record is found by, written once for both engines: as SQL for
the PostgreSQL expression indexes and the vocabulary (the same text as migration 0025's
SQLite triggers), and as SQLAlchemy expressions for the queries that use those indexes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal_column

from sgreviews.models import Action, Briefing, Finding, Review

# The code of each kind in the SQLite index's rowid (id * 4 + code).
KIND_CODES = {"briefing": 0, "review": 1, "finding": 2, "action": 3}
KINDS = {code: kind for kind, code in KIND_CODES.items()}

DOCUMENT_SQL = {
    "briefing": "search_document",
    "review": "reference || ' ' || subject_label",
    "finding": "text",
    "action": (
        "reference || ' ' || action_text || ' ' || outcome_sought || ' ' || measure_of_success"
    ),
}
_SPACE: ColumnElement[str] = literal_column("' '")
# PostgreSQL's parser would read "LCSPR-2025-41" as a word and two negative numbers and
# "gov.uk" as one host; with punctuation made spaces first it splits words as FTS5's
# unicode61 does. Written as constants so the query's expression is the index's.
PUNCTUATION_SQL = "'[^[:alnum:]]+'"


def words_only_sql(document_sql: str) -> str:
    """The SQL text of a document with its punctuation made spaces."""
    return f"regexp_replace({document_sql}, {PUNCTUATION_SQL}, ' ', 'g')"


def words_only(document: ColumnElement[str]) -> ColumnElement[str]:
    """The same, as an expression (what the PostgreSQL indexes are built over)."""
    return func.regexp_replace(
        document, literal_column(PUNCTUATION_SQL), _SPACE, literal_column("'g'")
    )


def _joined(*columns: Any) -> ColumnElement[str]:
    expression: ColumnElement[str] = columns[0]
    for item in columns[1:]:
        expression = expression.concat(_SPACE).concat(item)
    return expression


def document_of(kind: str) -> tuple[Any, Any]:
    """(model, the text expression) of a kind, as the PostgreSQL index has it."""
    if kind == "briefing":
        return Briefing, Briefing.search_document
    if kind == "review":
        return Review, _joined(Review.reference, Review.subject_label)
    if kind == "finding":
        return Finding, Finding.text
    return Action, _joined(
        Action.reference, Action.action_text, Action.outcome_sought, Action.measure_of_success
    )
