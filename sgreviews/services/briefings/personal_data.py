"""The personal-data check a briefing passes before it is published.

It flags what is likely to identify someone: capitalised personal names (runs of
capitalised words not on the allow-list of agency, partnership and place names),
dates that may be dates of birth, street addresses and postcodes, NHS numbers, phone
numbers and email addresses. A flag is resolved by editing it out of the text or by an
override with a reason (audited). The check is a safety net, not a guarantee: it errs on
the side of flagging, and an override costs one sentence.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Agency, AgencyFormerName, Partnership


class PersonalDataConfigError(ValueError):
    """config/personal_data.toml is malformed; the message names the key."""


FLAG_LABELS = {
    "name": "Possible name",
    "date": "Possible date of birth",
    "address": "Possible street address",
    "postcode": "Postcode",
    "nhs_number": "Possible NHS number",
    "phone": "Phone number",
    "email": "Email address",
}


@dataclass(frozen=True)
class Flag:
    kind: str
    text: str
    section_key: str

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.kind]

    @property
    def identity(self) -> tuple[str, str]:
        """What an override refers to: the same text flagged in any section."""
        return (self.kind, self.text)


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Court|Place|"
    "Terrace|Gardens|Grove|Hill|Row|Walk|Square|Mews|Park"
)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("phone", re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    ("nhs_number", re.compile(r"(?<![\d\w])[1-9]\d{2}[\s-]?\d{3}[\s-]?\d{4}(?![\d\w])")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),
    (
        "address",
        re.compile(rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{_STREET_TYPES})\b"),
    ),
    (
        "date",
        re.compile(
            rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
            rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
            rf"|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b"
        ),
    ),
]

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)"
_TITLED_NAME = re.compile(rf"\b{_TITLES}\.?\s+[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?")
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:['\u2019-][A-Za-z]+)*")
# Words that often start a sentence or heading; never part of a name.
_COMMON = {
    "a", "an", "the", "this", "that", "these", "those", "when", "where", "what", "why",
    "who", "how", "if", "in", "on", "at", "for", "from", "to", "of", "and", "but", "or",
    "it", "its", "he", "she", "they", "we", "you", "i", "her", "his", "their", "our",
    "your", "there", "then", "after", "before", "during", "by", "with", "all", "every",
    "each", "some", "no", "yes", "one", "two", "three", "four", "five", "first", "second",
    "third", "new", "ask", "use", "make", "check", "see", "read", "talk", "share", "find",
    "record", "consider", "remember", "do", "don't", "be", "is", "are", "was", "were",
}  # fmt: skip


@lru_cache(maxsize=4)
def load_allow_list(path: Path) -> frozenset[str]:
    """Lower-cased words from config/personal_data.toml; a bad file names the key."""
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError as error:
        raise PersonalDataConfigError(f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise PersonalDataConfigError(f"{path} is not valid TOML: {error}") from error
    words: set[str] = set()
    for key in ("places", "words"):
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise PersonalDataConfigError(f"{path.name}: {key} must be a list of strings")
        for value in values:
            words.update(word.lower() for word in _CAPITALISED.findall(value))
            words.add(value.lower())
    unknown = set(data) - {"places", "words"}
    if unknown:
        raise PersonalDataConfigError(f"{path.name}: unknown key {sorted(unknown)[0]!r}")
    return frozenset(words)


def organisation_words() -> set[str]:
    """Every word of every agency, former agency and partnership name (lower-cased)."""
    names = [
        *db.session.scalars(select(Agency.name)),
        *db.session.scalars(select(AgencyFormerName.name)),
        *db.session.scalars(select(Partnership.name)),
    ]
    return {word.lower() for name in names for word in _CAPITALISED.findall(name)}


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t*_#>([\"'\u201c\u2018")
    return (
        not before or before[-1] in ".!?:;\n" or bool(re.search(r"(^|\n)\s*(\d+\.|-|\+)$", before))
    )


def _names(text: str, allowed: frozenset[str] | set[str]) -> list[str]:
    titled = [match.group(0) for match in _TITLED_NAME.finditer(text)]
    found = list(titled)
    words = list(_CAPITALISED.finditer(text))
    index = 0
    while index < len(words):
        run = [words[index]]
        # A run is consecutive capitalised words separated by single spaces.
        while (
            index + len(run) < len(words)
            and text[run[-1].end() : words[index + len(run)].start()] == " "
        ):
            run.append(words[index + len(run)])
        index += len(run)
        # Drop a leading sentence-start word that is ordinary English.
        while run and run[0].group(0).lower() in _COMMON:
            run = run[1:]
        if not run:
            continue
        unknown = [
            word
            for word in run
            if word.group(0).lower() not in allowed
            and word.group(0).lower().rstrip("'\u2019s") not in allowed
            and word.group(0).lower() not in _COMMON
        ]
        if not unknown:
            continue
        if len(run) == 1 and _starts_sentence(text, run[0].start()):
            # One capitalised word starting a sentence is usually just a sentence.
            continue
        phrase = text[run[0].start() : run[-1].end()]
        if not any(phrase in name for name in titled):
            found.append(phrase)
    return found


def scan(sections: dict[str, str], allowed: frozenset[str] | set[str]) -> list[Flag]:
    """Every flag in the sections (title included under the key "title"), each
    (kind, text) once per section, in the order found."""
    flags: list[Flag] = []
    seen: set[tuple[str, str, str]] = set()
    for key, text in sections.items():
        if not text:
            continue
        spans: list[tuple[int, int]] = []
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(text):
                if any(start <= match.start() < end for start, end in spans):
                    continue
                spans.append((match.start(), match.end()))
                _add(flags, seen, Flag(kind, match.group(0).strip(), key))
        masked = text
        for start, end in spans:
            masked = masked[:start] + " " * (end - start) + masked[end:]
        for name in _names(masked, allowed):
            _add(flags, seen, Flag("name", name, key))
    return flags


def _add(flags: list[Flag], seen: set[tuple[str, str, str]], flag: Flag) -> None:
    key = (flag.kind, flag.text, flag.section_key)
    if key not in seen:
        seen.add(key)
        flags.append(flag)
