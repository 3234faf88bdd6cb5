"""The similarity engines behind one interface, and the per-process cache of the index.

``lexical`` (the default) is the TF-IDF index of ``index.py``: pure Python, no data leaves
the server. ``embedding`` ranks by the cosine of sentence embeddings from a model already
on disk (``SGREVIEWS_EMBEDDING_MODEL``, a directory the ``sentence-transformers`` package
loads with no network); it is chosen with ``SGREVIEWS_SIMILARITY_BACKEND=embedding`` and
refused at start-up when that package is not installed. Nothing is downloaded here.

Both engines keep their index in the process and check, with one small query per use,
whether the findings changed since (how many there are, the highest id, the latest
``updated_at``); changed findings are patched in, and the index is rebuilt when patches
pile up or findings disappeared. The first use in a process builds the index from every
finding (seconds at national scale: see docs/performance.md); under gunicorn the master
does it once before forking (``similar.warm_up``, called from ``config/gunicorn.conf.py``).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Finding, Review
from sgreviews.services.learning.index import Document, LexicalIndex, Scope

BACKENDS = ("lexical", "embedding")
log = logging.getLogger("sgreviews.similarity")


class EngineUnavailable(RuntimeError):
    """The configured backend cannot run here (its package is not installed)."""


class SimilarityEngine(Protocol):
    """Ranks the earlier findings in ``scope`` by their similarity to ``text``."""

    name: str
    minimum: float

    def similar(self, text: str, scope: Scope, limit: int) -> list[tuple[int, float]]: ...

    def warm_up(self) -> int:
        """Build the index now (it is otherwise built at the first use); how many findings."""
        ...


@dataclass(frozen=True)
class Generation:
    count: int
    last_id: int
    latest: datetime | None


def _generation() -> Generation:
    """How many findings, the highest id and the latest change: read from indexes (the
    primary key and ``ix_finding_updated_at``), a few milliseconds at 100,000 findings."""
    # Three scalar subqueries, not three aggregates in one SELECT: SQLite answers a lone
    # max() from an index but scans the table for a SELECT with several aggregates.
    count, last_id, latest = db.session.execute(
        select(
            select(func.count()).select_from(Finding).scalar_subquery(),
            select(func.coalesce(func.max(Finding.id), 0)).scalar_subquery(),
            select(func.max(Finding.updated_at)).scalar_subquery(),
        )
    ).one()
    return Generation(int(count), int(last_id), latest)


def _documents(changed_after: datetime | None = None) -> Iterable[Document]:
    statement = select(
        Finding.id, Finding.review_id, Review.partnership_id, Finding.created_at, Finding.text
    ).join(Review, Review.id == Finding.review_id)
    if changed_after is not None:
        statement = statement.where(Finding.updated_at > changed_after)
    for row in db.session.execute(statement.order_by(Finding.id)).yield_per(5000):
        yield Document(*row)


class LexicalEngine:
    """TF-IDF with cosine over every finding, kept in memory and patched as findings change."""

    name = "lexical"
    # Below this cosine two findings share too little to be worth a person's time: in the
    # tests' fictional corpus a reworded twin scores 0.46 and the next finding 0.15; in the
    # demo, findings sharing one word such as "school" score about 0.2.
    minimum = 0.25

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: LexicalIndex | None = None
        self._generation: Generation | None = None

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._generation = None

    def index(self) -> LexicalIndex:
        """The index, brought up to date with the findings in the database."""
        with self._lock:
            generation = _generation()
            if self._index is not None and generation == self._generation:
                return self._index
            index = self._index
            if (
                index is not None
                and self._generation is not None
                and self._generation.latest is not None
                and generation.count >= len(index)
            ):
                for document in _documents(changed_after=self._generation.latest):
                    index.patch(document)
                # A finding deleted since (or, in tests, rolled back) leaves the counts
                # apart: rebuild.
                if len(index) != generation.count or index.stale:
                    index = None
            else:
                index = None
            if index is None:
                started = time.perf_counter()
                index = LexicalIndex(_documents())
                log.info(
                    "similarity index built: %d findings in %.1f s",
                    len(index),
                    time.perf_counter() - started,
                )
            self._index, self._generation = index, generation
            return index

    def warm_up(self) -> int:
        return len(self.index())

    def similar(self, text: str, scope: Scope, limit: int) -> list[tuple[int, float]]:
        index = self.index()
        # Under the lock: another thread's patch may be adding to the postings.
        with self._lock:
            return index.query(text, scope, limit, self.minimum)


class EmbeddingEngine:
    """Cosine of sentence embeddings from a local model (optional; see the module's doc)."""

    name = "embedding"
    minimum = 0.5

    def __init__(self, model_path: Path) -> None:
        if find_spec("sentence_transformers") is None:
            raise EngineUnavailable(
                "SGREVIEWS_SIMILARITY_BACKEND=embedding needs the sentence-transformers "
                "package installed (pip install sentence-transformers) and a model on disk"
            )
        # Imported by name: optional, absent from most installs and from mypy's view.
        package: Any = import_module("sentence_transformers")
        self._model: Any = package.SentenceTransformer(str(model_path), local_files_only=True)
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._documents: list[Document] = []
        self._vectors: list[Sequence[float]] = []

    def _encode(self, texts: list[str]) -> list[Sequence[float]]:
        return list(self._model.encode(texts, normalize_embeddings=True))

    def _refreshed(self) -> tuple[list[Document], list[Sequence[float]]]:
        with self._lock:
            generation = _generation()
            if generation != self._generation:
                started = time.perf_counter()
                self._documents = list(_documents())
                self._vectors = self._encode([document.text for document in self._documents])
                self._generation = generation
                log.info(
                    "similarity index built: %d findings in %.1f s",
                    len(self._documents),
                    time.perf_counter() - started,
                )
            return self._documents, self._vectors

    def warm_up(self) -> int:
        return len(self._refreshed()[0])

    def similar(self, text: str, scope: Scope, limit: int) -> list[tuple[int, float]]:
        documents, vectors = self._refreshed()
        (query,) = self._encode([text])
        scored = []
        for document, vector in zip(documents, vectors, strict=True):
            if (
                (scope.partnerships is None or document.partnership_id in scope.partnerships)
                and document.review_id != scope.exclude_review
                and (scope.before is None or document.created_at < scope.before)
                and document.finding_id not in scope.exclude
            ):
                score = float(sum(a * b for a, b in zip(query, vector, strict=True)))
                if score >= self.minimum and not math.isnan(score):
                    scored.append((-score, document.finding_id, score))
        scored.sort()
        return [(finding_id, score) for _key, finding_id, score in scored[:limit]]


def make_engine(backend: str, model_path: Path | None) -> SimilarityEngine:
    """The engine the settings chose (``create_app`` keeps one per application)."""
    if backend == "embedding":
        if model_path is None:
            raise EngineUnavailable(
                "SGREVIEWS_SIMILARITY_BACKEND=embedding needs SGREVIEWS_EMBEDDING_MODEL"
            )
        return EmbeddingEngine(model_path)
    return LexicalEngine()
