"""The search's settings from ``config/search.toml``: synonyms (abbreviations) and the
spelling fallback. A malformed file or an unknown key stops start-up, naming it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sgreviews.config_keys import first_unknown_key

WORD = re.compile(r"[^\W_]+", re.UNICODE)


class SearchConfigError(ValueError):
    """config/search.toml is malformed; the message names the key."""


@dataclass(frozen=True)
class SearchSettings:
    # Lower-cased word -> the phrases (each a tuple of lower-cased words) it stands for.
    synonyms: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    min_length: int = 4
    two_edits_from: int = 7
    max_suggestions: int = 3


def words(text: str) -> tuple[str, ...]:
    """The lower-cased words of a text, split as the search index splits them (letters
    and digits; everything else, underscores included, separates)."""
    return tuple(word.lower() for word in WORD.findall(text))


def _int(table: dict[str, Any], key: str, default: int, path: Path) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SearchConfigError(f"{path.name}: spelling.{key} must be a whole number of 1 or more")
    return value


@lru_cache(maxsize=4)
def load_search_settings(path: Path) -> SearchSettings:
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError as error:
        raise SearchConfigError(f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise SearchConfigError(f"{path} is not valid TOML: {error}") from error
    unknown = first_unknown_key(data, ("synonyms", "spelling"))
    if unknown:
        raise SearchConfigError(f"{path.name}: unknown key {unknown!r}")
    synonyms: dict[str, tuple[tuple[str, ...], ...]] = {}
    table = data.get("synonyms", {})
    if not isinstance(table, dict):
        raise SearchConfigError(f"{path.name}: synonyms must be a table")
    for key, phrases in table.items():
        if len(words(key)) != 1:
            raise SearchConfigError(f"{path.name}: synonyms.{key!r} must be one word")
        if not isinstance(phrases, list) or not all(
            isinstance(phrase, str) and words(phrase) for phrase in phrases
        ):
            raise SearchConfigError(f"{path.name}: synonyms.{key} must be a list of phrases")
        synonyms[words(key)[0]] = tuple(words(phrase) for phrase in phrases)
    spelling = data.get("spelling", {})
    if not isinstance(spelling, dict):
        raise SearchConfigError(f"{path.name}: spelling must be a table")
    unknown = first_unknown_key(spelling, ("min_length", "two_edits_from", "max_suggestions"))
    if unknown:
        raise SearchConfigError(f"{path.name}: unknown key spelling.{unknown!r}")
    return SearchSettings(
        synonyms=synonyms,
        min_length=_int(spelling, "min_length", 4, path),
        two_edits_from=_int(spelling, "two_edits_from", 7, path),
        max_suggestions=_int(spelling, "max_suggestions", 3, path),
    )
