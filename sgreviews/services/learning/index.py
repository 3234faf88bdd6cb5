"""An in-memory TF-IDF index of findings with cosine similarity.

Each finding is a vector of its terms (``text.terms``) weighted by term frequency times
inverse document frequency, scaled to length one; a query is weighted the same way, so
the dot product of the two is their cosine. The index keeps, for each term, the list of
documents holding it (postings) with that document's weight, so a query touches only the
documents sharing one of its terms.

Everything here is plain Python over the rows the engine loads, so SQLite and PostgreSQL
give the same ranking by construction (tests/unit/test_similar_findings.py runs on both).

Documents change: ``patch`` replaces a document by appending the new version and marking
the old one dead, weighting it with the index's current IDF. The weights of untouched
documents drift a little from what a rebuild would give, so the engine rebuilds once
patches pass a tenth of the index (``stale``).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sgreviews.services.learning.text import terms


@dataclass(frozen=True)
class Document:
    """One finding as the index sees it."""

    finding_id: int
    review_id: int
    partnership_id: int
    created_at: datetime
    text: str


@dataclass(frozen=True)
class Scope:
    """Which documents a query may return: those of ``partnerships`` (every partnership
    when None), not of ``exclude_review``, created before ``before`` when given, and not
    in ``exclude`` (findings already linked or dismissed)."""

    partnerships: frozenset[int] | None
    exclude_review: int | None = None
    before: datetime | None = None
    exclude: frozenset[int] = frozenset()


class LexicalIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        self._docs: list[Document] = []
        self._alive: list[bool] = []
        self._position: dict[int, int] = {}
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        self.patched = 0
        counted = [(document, Counter(terms(document.text))) for document in documents]
        document_frequency: Counter[str] = Counter()
        for _document, counts in counted:
            document_frequency.update(counts.keys())
        total = len(counted)
        # Smoothed IDF (as scikit-learn's default): never zero, so a term every document
        # holds still counts a little.
        self._idf = {
            term: math.log((1 + total) / (1 + frequency)) + 1
            for term, frequency in document_frequency.items()
        }
        self._unseen_idf = math.log(1 + total) + 1
        for document, counts in counted:
            self._add(document, counts)

    def __len__(self) -> int:
        return len(self._position)

    @property
    def stale(self) -> bool:
        return self.patched > max(len(self._position) // 10, 50)

    def live_ids(self) -> tuple[int, int]:
        """(how many findings, the sum of their ids): compared with the database's."""
        return len(self._position), sum(self._position)

    def _weights(self, counts: Counter[str]) -> dict[str, float]:
        weights = {
            term: count * self._idf.get(term, self._unseen_idf) for term, count in counts.items()
        }
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        return {term: weight / norm for term, weight in weights.items()} if norm else {}

    def _add(self, document: Document, counts: Counter[str]) -> None:
        number = len(self._docs)
        self._docs.append(document)
        self._alive.append(True)
        self._position[document.finding_id] = number
        for term, weight in self._weights(counts).items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = (array("l"), array("d"))
            postings[0].append(number)
            postings[1].append(weight)

    def patch(self, document: Document) -> None:
        """Add a new finding, or replace a changed one."""
        self.remove(document.finding_id)
        self._add(document, Counter(terms(document.text)))
        self.patched += 1

    def remove(self, finding_id: int) -> None:
        old = self._position.pop(finding_id, None)
        if old is not None:
            self._alive[old] = False

    def query(self, text: str, scope: Scope, limit: int, minimum: float) -> list[tuple[int, float]]:
        """The ``limit`` documents in ``scope`` most similar to ``text`` with a cosine of at
        least ``minimum``, best first (ties by the older finding first), as (finding id,
        score)."""
        query = self._weights(Counter(terms(text)))
        scores: dict[int, float] = {}
        for term, query_weight in query.items():
            postings = self._postings.get(term)
            if postings is None:
                continue
            numbers, weights = postings
            get = scores.get
            for number, weight in zip(numbers, weights, strict=True):
                scores[number] = get(number, 0.0) + query_weight * weight
        docs, alive = self._docs, self._alive
        partnerships = scope.partnerships

        def eligible(number: int) -> bool:
            document = docs[number]
            return (
                alive[number]
                and (partnerships is None or document.partnership_id in partnerships)
                and document.review_id != scope.exclude_review
                and (scope.before is None or document.created_at < scope.before)
                and document.finding_id not in scope.exclude
            )

        best = heapq.nsmallest(
            limit,
            (
                (-round(score, 9), docs[number].finding_id, score)
                for number, score in scores.items()
                if score >= minimum and eligible(number)
            ),
        )
        return [(finding_id, score) for _key, finding_id, score in best]
