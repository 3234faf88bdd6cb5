"""What the statutory sections of the yearly report are made of, kept apart from
``yearly`` (which wraps each part in a Section) so that the modules writing them need not
import it: a part's title, sentences and table, and the report's own ways of writing
counts, review types, lists and dates, passed in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


class CountWords(Protocol):
    """How the report writes a count (``yearly.Counts``: small ones suppressed in the
    public version)."""

    public: bool

    def number(self, count: int) -> str: ...

    def cell(self, count: int) -> str: ...

    def were(self, count: int) -> str: ...

    def of(self, count: int, singular: str, plural: str | None = None) -> str: ...


@dataclass(frozen=True)
class Words:
    counts: CountWords
    # A review type's key as a sentence names it: (singular, plural), "LCSPR", "LCSPRs".
    type_name: Callable[[str], tuple[str, str]]
    # "a, b and c".
    join: Callable[[Sequence[str]], str]
    # A date as the report writes it: "31 March 2022".
    long: Callable[[date], str]

    @property
    def public(self) -> bool:
        return self.counts.public

    def type_label(self, key: str) -> str:
        """A review type in a table cell: "Rapid review", "LCSPR"."""
        return first_upper(self.type_name(key)[0])


@dataclass(frozen=True)
class Part:
    title: str
    paragraphs: list[str]
    headers: Sequence[str] = ()
    rows: list[Sequence[str]] = field(default_factory=list)


def first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
