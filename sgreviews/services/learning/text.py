"""Words of a finding as the lexical similarity sees them: lower case, stop words out,
each word cut to a stem, so "assessed", "assessing" and "assessment" count as one term.

The stemmer is a small suffix stripper written for this corpus (English practice prose),
not a full Porter stemmer: it only has to map a word and its inflections to the same
stem, never to produce a real word. It is deterministic and pure Python, so the ranking
is the same whichever database holds the findings.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache

_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "may",
        "might",
        "must",
        "shall",
        "within",
        "without",
        "upon",
        "across",
        "per",
        "via",
        "whether",
        "though",
        "although",
        "yet",
        "ever",
        "never",
        "always",
        "often",
        "one",
        "two",
        "three",
    ]
)

# Longest first: the first suffix that leaves a stem of at least three letters is cut.
_SUFFIXES = (
    "isations",
    "izations",
    "isation",
    "ization",
    "ational",
    "fulness",
    "iveness",
    "ousness",
    "ements",
    "ations",
    "nesses",
    "ically",
    "ement",
    "ation",
    "ments",
    "ities",
    "ising",
    "izing",
    "ness",
    "ment",
    "ings",
    "ated",
    "ates",
    "ised",
    "ized",
    "ises",
    "izes",
    "ions",
    "ives",
    "ably",
    "ful",
    "ity",
    "ing",
    "ion",
    "ive",
    "ise",
    "ize",
    "ate",
    "ies",
    "ied",
    "ers",
    "ly",
    "ed",
    "es",
    "er",
    "al",
    "s",
    "e",
    "y",
)


@cache
def stem(word: str) -> str:
    """``word`` without its inflection ("sharing" and "shared" → "shar"). Cached: a
    register's vocabulary is small next to its number of words."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    # A doubled final consonant left by "-ing"/"-ed" ("planning" → "plann" → "plan").
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The stemmed content words of ``text``, in order, stop words left out."""
    return [
        stem(word)
        for word in _WORD.findall(text.lower())
        if len(word) > 1 and word not in STOP_WORDS
    ]


def term_counts(text: str) -> Counter[str]:
    return Counter(terms(text))


def cosine(first: str, second: str) -> float:
    """Cosine of the two texts' term-count vectors (no IDF): how far one text restates the
    other, between 0 (no content word shared) and 1 (the same words)."""
    a, b = term_counts(first), term_counts(second)
    if not a or not b:
        return 0.0
    dot = sum(count * b[term] for term, count in a.items() if term in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm
