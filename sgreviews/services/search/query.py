"""What a search looks for: the words typed, grouped, each group with its alternatives
(the abbreviations of ``config/search.toml`` and, for a word that matches nothing, the
closest words of the records). Every group must match; any alternative of a group may.

Pure Python, the same for both databases: ``fts5`` and ``tsquery`` write the one plan in
each engine's syntax (FTS5 ``"word"*`` and phrases; PostgreSQL ``'word':*`` and ``<->``),
over indexes that split text the same way (unicode61 and the 'simple' configuration: no
stemming, no stop words). A one-word alternative of three letters or more matches as a
prefix ("attend" finds "attendance"); a phrase matches its words in order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sgreviews.services.search.config import SearchSettings, words

Phrase = tuple[str, ...]
PREFIX_FROM = 3


@dataclass(frozen=True)
class Group:
    """One thing typed (a word, or a phrase of the synonyms) and what else it may match."""

    typed: Phrase
    alternatives: tuple[Phrase, ...]
    # The closest words of the records, added for a word that matched nothing.
    corrections: tuple[str, ...] = ()

    @property
    def every_alternative(self) -> tuple[Phrase, ...]:
        return self.alternatives + tuple((word,) for word in self.corrections)


def parse(text: str, settings: SearchSettings) -> list[Group]:
    """The groups of a typed search. A run of words that is a synonym's phrase is one
    group (with its abbreviation); an abbreviation brings its phrases."""
    typed = words(text)
    by_phrase: dict[Phrase, list[str]] = {}
    for key, phrases in settings.synonyms.items():
        for stands_for in phrases:
            by_phrase.setdefault(stands_for, []).append(key)
    longest_first = sorted(by_phrase, key=len, reverse=True)
    groups: list[Group] = []
    index = 0
    while index < len(typed):
        phrase = next(
            (p for p in longest_first if len(p) > 1 and typed[index : index + len(p)] == p),
            (),
        )
        if phrase:
            keys = by_phrase[phrase]
            others = [p for key in keys for p in settings.synonyms[key] if p != phrase]
            groups.append(Group(phrase, _unique([phrase, *((k,) for k in keys), *others])))
            index += len(phrase)
            continue
        word = typed[index]
        groups.append(Group((word,), _unique([(word,), *settings.synonyms.get(word, ())])))
        index += 1
    return groups


def _unique(phrases: Iterable[Phrase]) -> tuple[Phrase, ...]:
    return tuple(dict.fromkeys(phrases))


def with_corrections(
    groups: Sequence[Group], vocabulary: Iterable[str], settings: SearchSettings
) -> list[Group]:
    """Each one-word group whose word begins no word of the records gains the closest
    words (by edit distance, then alphabetically)."""
    known = sorted({word for word in vocabulary if words(word) == (word,)})
    result = []
    for group in groups:
        word = group.typed[0]
        if (
            len(group.typed) == 1
            and len(word) >= settings.min_length
            and not word.isdigit()
            and not any(candidate.startswith(word) for candidate in known)
        ):
            limit = 2 if len(word) >= settings.two_edits_from else 1
            scored = sorted(
                (distance, candidate)
                for candidate in known
                if abs(len(candidate) - len(word)) <= limit
                and (distance := edit_distance(word, candidate, limit)) <= limit
            )
            found = tuple(candidate for _, candidate in scored[: settings.max_suggestions])
            group = Group(group.typed, group.alternatives, found)
        result.append(group)
    return result


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two adjacent
    letters), or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    previous_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            cost = 0 if letter == other else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def _fts5_alternative(phrase: Phrase) -> str:
    if len(phrase) == 1:
        return f'"{phrase[0]}"*' if len(phrase[0]) >= PREFIX_FROM else f'"{phrase[0]}"'
    return '"' + " ".join(phrase) + '"'


def _tsquery_alternative(phrase: Phrase) -> str:
    if len(phrase) == 1:
        return f"'{phrase[0]}':*" if len(phrase[0]) >= PREFIX_FROM else f"'{phrase[0]}'"
    return "(" + " <-> ".join(f"'{word}'" for word in phrase) + ")"


def fts5(groups: Sequence[Group]) -> str:
    """The plan as an FTS5 MATCH expression."""
    return " AND ".join(
        "(" + " OR ".join(_fts5_alternative(p) for p in group.every_alternative) + ")"
        for group in groups
    )


def tsquery(groups: Sequence[Group]) -> str:
    """The plan as a PostgreSQL tsquery (for ``to_tsquery('simple', ...)``)."""
    return " & ".join(
        "(" + " | ".join(_tsquery_alternative(p) for p in group.every_alternative) + ")"
        for group in groups
    )
