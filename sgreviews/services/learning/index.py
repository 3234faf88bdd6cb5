"""An in-memory TF-IDF index of findings with cosine similarity.

Each finding is a vector of its terms (``text.terms``) weighted by term frequency times
inverse document frequency, scaled to length one; a query is weighted the same way, so
the dot product of the two is their cosine. The index keeps, for each term and each
partnership, the documents holding the term (postings) with that document's weight, so a
query touches only the documents of the partnerships in scope that share one of its terms.

Everything here is plain Python over the rows the engine loads, so SQLite and PostgreSQL
give the same ranking by construction (tests/unit/test_similar_findings.py runs on both).

Documents change: ``patch`` replaces a document by appending the new version and marking
the old one dead, weighting it with the index's current IDF. The weights of untouched
documents drift a little from what a rebuild would give, so the engine rebuilds once
patches pass a tenth of the index (``stale``). Per document the index keeps only numbers
(ids and the creation time), not the text.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from sgreviews.services.learning.text import terms


@dataclass(frozen=True)
class Document:
    """One finding as the index reads it."""

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


Postings = tuple["array[int]", "array[float]"]

# Above this many postings for one query, common terms wait for the second pass (query).
EXACT_POSTINGS = 20_000
COMMON_SHARE = 0.05
CANDIDATES = 300


class LexicalIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        self._finding: array[int] = array("q")
        self._review: array[int] = array("q")
        self._created: array[float] = array("d")
        self._partnership: array[int] = array("q")
        self._alive: bytearray = bytearray()
        self._position: dict[int, int] = {}
        # term -> partnership -> (document numbers, weights)
        self._postings: dict[str, dict[int, Postings]] = {}
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
        self._frequency = document_frequency
        for document, counts in counted:
            self._add(document, counts)

    def __len__(self) -> int:
        return len(self._position)

    @property
    def stale(self) -> bool:
        return self.patched > max(len(self._position) // 10, 50)

    def _weights(self, counts: Counter[str]) -> dict[str, float]:
        idf, unseen = self._idf, self._unseen_idf
        weights = {term: count * idf.get(term, unseen) for term, count in counts.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        return {term: weight / norm for term, weight in weights.items()} if norm else {}

    def _add(self, document: Document, counts: Counter[str]) -> None:
        number = len(self._finding)
        self._finding.append(document.finding_id)
        self._review.append(document.review_id)
        self._created.append(document.created_at.timestamp())
        self._partnership.append(document.partnership_id)
        self._alive.append(1)
        self._position[document.finding_id] = number
        partnership = document.partnership_id
        for term, weight in self._weights(counts).items():
            by_partnership = self._postings.get(term)
            if by_partnership is None:
                by_partnership = self._postings[term] = {}
            postings = by_partnership.get(partnership)
            if postings is None:
                postings = by_partnership[partnership] = (array("l"), array("d"))
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
            self._alive[old] = 0

    def _chosen(self, term: str, scope: Scope) -> list[Postings]:
        by_partnership = self._postings.get(term)
        if by_partnership is None:
            return []
        if scope.partnerships is None:
            return list(by_partnership.values())
        return [
            by_partnership[partnership]
            for partnership in scope.partnerships
            if partnership in by_partnership
        ]

    @staticmethod
    def _accumulate(scores: dict[int, float], query_weight: float, chosen: list[Postings]) -> None:
        get = scores.get
        for numbers, weights in chosen:
            for number, weight in zip(numbers, weights, strict=True):
                scores[number] = get(number, 0.0) + query_weight * weight

    def _weight_in(self, term: str, number: int) -> float:
        """The weight of ``term`` in document ``number`` (0 when absent): a binary search in
        the document's partnership's postings, whose numbers only ever grow."""
        by_partnership = self._postings.get(term)
        postings = by_partnership.get(self._partnership[number]) if by_partnership else None
        if postings is None:
            return 0.0
        numbers, weights = postings
        at = bisect_left(numbers, number)
        return weights[at] if at < len(numbers) and numbers[at] == number else 0.0

    def query(self, text: str, scope: Scope, limit: int, minimum: float) -> list[tuple[int, float]]:
        """The ``limit`` documents in ``scope`` most similar to ``text`` with a cosine of at
        least ``minimum``, best first (ties by the older finding first), as (finding id,
        score).

        Exact while the query's postings in scope are few (one partnership's findings, or
        any small register). Over many (every partnership at national scale) the common
        terms, those in more than COMMON_SHARE of all findings, are left out of the first
        pass; the CANDIDATES best documents of that pass then get their exact cosine, the
        common terms' weights looked up by binary search. A document sharing only common
        words with the query is then never suggested, which costs little: it is not a
        twin."""
        query = self._weights(Counter(terms(text)))
        chosen = {term: self._chosen(term, scope) for term in query}
        postings = sum(len(numbers) for lists in chosen.values() for numbers, _ in lists)
        common: list[str] = []
        if postings > EXACT_POSTINGS:
            cutoff = COMMON_SHARE * len(self._position)
            common = [term for term in query if self._frequency.get(term, 0) > cutoff]
        rare = [term for term in query if term not in common]
        scores: dict[int, float] = {}
        for term in rare or common:
            self._accumulate(scores, query[term], chosen[term])
        finding, review, created, alive = self._finding, self._review, self._created, self._alive
        before = scope.before.timestamp() if scope.before is not None else None

        def eligible(number: int) -> bool:
            return (
                bool(alive[number])
                and review[number] != scope.exclude_review
                and (before is None or created[number] < before)
                and finding[number] not in scope.exclude
            )

        if rare and common and scores:
            scores = dict(
                heapq.nlargest(
                    CANDIDATES,
                    ((number, score) for number, score in scores.items() if eligible(number)),
                    key=itemgetter(1),
                )
            )
            for number in scores:
                scores[number] += sum(
                    query[term] * self._weight_in(term, number) for term in common
                )
        best = heapq.nsmallest(
            limit,
            (
                (-round(score, 9), finding[number], score)
                for number, score in scores.items()
                if score >= minimum and eligible(number)
            ),
        )
        return [(finding_id, score) for _key, finding_id, score in best]
