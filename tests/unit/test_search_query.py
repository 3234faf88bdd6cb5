"""What a search looks for (services/search/query.py): groups, synonyms both ways, the
spelling fallback and each engine's syntax, built from the typed words only."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews.services.search import query
from sgreviews.services.search.config import (
    SearchConfigError,
    SearchSettings,
    load_search_settings,
    words,
)

SETTINGS = SearchSettings(
    synonyms={"wnb": (("was", "not", "brought"),), "dna": (("did", "not", "attend"),)}
)


def test_words_split_as_the_index_splits_them() -> None:
    assert words("LCSPR-2025-41, Child_Q's gov.uk") == (
        "lcspr", "2025", "41", "child", "q", "s", "gov", "uk",
    )  # fmt: skip


def test_an_abbreviation_brings_its_phrase_and_the_phrase_its_abbreviation() -> None:
    (group,) = query.parse("WNB", SETTINGS)
    assert group.alternatives == (("wnb",), ("was", "not", "brought"))
    father, phrase = query.parse("father was not brought", SETTINGS)
    assert father.alternatives == (("father",),)
    assert phrase.alternatives == (("was", "not", "brought"), ("wnb",))


def test_each_engine_gets_the_same_plan_in_its_own_syntax() -> None:
    groups = query.parse("WNB at home", SETTINGS)
    assert query.fts5(groups) == '("wnb"* OR "was not brought") AND ("at") AND ("home"*)'
    assert query.tsquery(groups) == (
        "('wnb':* | ('was' <-> 'not' <-> 'brought')) & ('at') & ('home':*)"
    )


def test_syntax_typed_is_only_words() -> None:
    groups = query.parse("x\" OR NEAR(y) ' & !z", SETTINGS)
    assert query.fts5(groups) == '("x") AND ("or") AND ("near"*) AND ("y") AND ("z")'
    assert "!" not in query.tsquery(groups) and "''" not in query.tsquery(groups)


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [("father", "father", 0), ("fahter", "father", 1), ("fathr", "father", 1),
     ("apointments", "appointments", 1), ("confernce", "conference", 1),
     ("mother", "father", 2), ("abcd", "wxyz", 3)],  # past the limit: limit + 1
)  # fmt: skip
def test_edit_distance(first: str, second: str, distance: int) -> None:
    assert query.edit_distance(first, second, 2) == distance


def test_a_word_that_begins_no_known_word_gains_the_closest() -> None:
    vocabulary = ["father", "fathers", "feather", "mother", "home", "lcspr-2025"]
    groups = query.with_corrections(query.parse("fahter home", SETTINGS), vocabulary, SETTINGS)
    assert groups[0].corrections == ("father",)
    assert groups[1].corrections == ()  # "home" is known
    assert (
        query.with_corrections(query.parse("fat", SETTINGS), vocabulary, SETTINGS)[0].corrections
        == ()
    )  # shorter than min_length: prefix matching covers it


def test_the_shipped_synonyms_include_wnb_and_dna() -> None:
    settings = load_search_settings(Path(__file__).resolve().parents[2] / "config" / "search.toml")
    assert settings.synonyms["wnb"] == (("was", "not", "brought"),)
    assert settings.synonyms["dna"] == (("did", "not", "attend"),)


def test_a_synonym_of_two_words_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "search.toml"
    path.write_text('[synonyms]\n"W N B" = ["was not brought"]\n', encoding="utf-8")
    with pytest.raises(SearchConfigError, match="must be one word"):
        load_search_settings(path)
