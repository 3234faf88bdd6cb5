"""The personal-data check a briefing passes before it is published.

It flags what is likely to identify someone: capitalised personal names (runs of
capitalised words not on the allow-list of agency, partnership and place names), a
forename from the shipped list (``config/forenames.toml``) starting a sentence or written
in lower case, forenames that are also months or words ("April said...") where they read
as a name, dates that may be dates of birth, street addresses and postcodes in any case,
National Insurance numbers, NHS numbers (only ten digits that pass the NHS modulus-11
check are called NHS numbers; other ten-digit numbers are flagged as reference numbers),
phone numbers and email addresses. When Microsoft Presidio is installed with a spaCy
model, a second pass adds what it finds (``second_pass``); otherwise the check says why
it did not run. A flag is resolved by editing it out of the text or by an
override with a reason (audited). The check is a safety net, not a guarantee: it errs on
the side of flagging, and an override costs one sentence.
"""

from __future__ import annotations

import importlib.util
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
    "nhs_number": "NHS number (passes the NHS checksum)",
    "long_number": "Ten-digit reference number (not an NHS number: checksum fails)",
    "ni_number": "National Insurance number",
    "phone": "Phone number",
    "email": "Email address",
    "presidio": "Possible personal data (second check by Presidio)",
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
# Street types that are also ordinary words ("a very close", "in the park"): in lower
# case they do not make an address.
_AMBIGUOUS_STREET_TYPES = {
    "st", "close", "drive", "dr", "way", "court", "place", "hill", "row", "walk",
    "square", "park", "ln",
}  # fmt: skip
_TEN_DIGITS = re.compile(r"(?<![\d\w])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d\w])")
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+((?:[A-Za-z][A-Za-z'\u2019-]*\s+){{1,3}})({_STREET_TYPES})\b",
    re.IGNORECASE,
)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("phone", re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    # Two letters, six digits in pairs, a final A-D; any case, spaces optional. Looser than
    # HMRC's prefix rules on purpose: a mistyped number is still someone's number.
    (
        "ni_number",
        re.compile(r"(?<![\w])[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D](?![\w])", re.IGNORECASE),
    ),
    ("nhs_number", _TEN_DIGITS),
    # Outward code, inward code; any case, but "Q3 2nd" (an ordinal) is not a postcode.
    (
        "postcode",
        re.compile(
            r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d(?!(?:st|nd|rd|th)\b)[A-Za-z]{2}\b",
        ),
    ),
    ("address", _ADDRESS),
    (
        "date",
        re.compile(
            rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
            rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
            rf"|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b"
        ),
    ),
]


def nhs_checksum_ok(number: str) -> bool:
    """True when ten digits pass the NHS number modulus-11 check: the first nine weighted
    10 down to 2, 11 minus the remainder is the check digit (11 counts as 0, 10 is never
    valid)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10:
        return False
    check = 11 - sum(d * (10 - i) for i, d in enumerate(digits[:9])) % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def _kind_of(kind: str, match: re.Match[str]) -> str | None:
    """The flag kind a pattern's match is, or None when the match is not one after all."""
    if kind == "nhs_number":
        return "nhs_number" if nhs_checksum_ok(match.group(0)) else "long_number"
    if kind == "address":
        middle = match.group(1).split()
        street_type = match.group(2)
        if any(word.lower() in _COMMON for word in middle):
            return None
        if street_type.islower() and street_type in _AMBIGUOUS_STREET_TYPES:
            return None
    return kind


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
    "since", "until", "till", "throughout", "between", "last", "next",
}  # fmt: skip


# Words that, straight after a forename, make it read as a person ("April said", "Grace
# was", "June's mother").
_NAME_VERBS = {
    "said", "says", "told", "tells", "was", "is", "had", "has", "went", "goes", "visited",
    "rang", "phoned", "called", "attended", "disclosed", "reported", "lived", "lives",
    "moved", "asked", "explained", "refused", "left", "returned", "stayed", "missed",
    "spoke", "wrote", "did", "became", "felt", "cried", "ran", "walked", "came", "took",
    "saw", "met", "shared", "described", "appeared", "presented", "died", "stated",
    "wanted", "needed", "began", "continued", "remained", "arrived", "lost", "gave", "and",
}  # fmt: skip
# A month after one of these is a date, not a person ("in May was", "by June said").
_DATE_PREPOSITIONS = {
    "in", "on", "by", "since", "until", "till", "from", "during", "of", "last", "next",
    "early", "late", "mid", "end", "before", "after", "throughout", "between", "to",
    "this", "that", "each", "every",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")


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


@dataclass(frozen=True)
class Forenames:
    """The shipped forename list, lower-cased: ``names`` are never ordinary words;
    ``also_words`` ("may", "grace", "will") count only where they read as a name."""

    names: frozenset[str] = frozenset()
    also_words: frozenset[str] = frozenset()

    def __contains__(self, word: object) -> bool:
        return word in self.names or word in self.also_words


@lru_cache(maxsize=4)
def load_forenames(path: Path) -> Forenames:
    """config/forenames.toml; a bad file names the key."""
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError as error:
        raise PersonalDataConfigError(f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise PersonalDataConfigError(f"{path} is not valid TOML: {error}") from error
    unknown = set(data) - {"names", "also_words"}
    if unknown:
        raise PersonalDataConfigError(f"{path.name}: unknown key {sorted(unknown)[0]!r}")
    lists: dict[str, frozenset[str]] = {}
    for key in ("names", "also_words"):
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise PersonalDataConfigError(f"{path.name}: {key} must be a list of strings")
        lists[key] = frozenset(value.strip().lower() for value in values if value.strip())
    return Forenames(lists["names"], lists["also_words"] - lists["names"])


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


def _next_word(text: str, end: int) -> tuple[str, bool]:
    """The word after position ``end`` (lower-cased) and whether it follows a space only."""
    match = _WORD.search(text, end)
    if match is None:
        return "", False
    return match.group(0).lower(), text[end : match.start()] == " "


def _previous_word(text: str, start: int) -> str:
    """The word before ``start`` in the same sentence (lower-cased), or ""."""
    before = re.split(r"[.!?:;\n]", text[max(0, start - 40) : start])[-1]
    words = _WORD.findall(before)
    return words[-1].lower() if words else ""


def _reads_as_name(text: str, word: re.Match[str]) -> bool:
    """A forename that is also a word or month ("April", "Grace") reads as a person when a
    verb such as "said" or a possessive follows, and no date preposition comes before."""
    if word.group(0).endswith(("'s", "\u2019s")):
        following_is_verb = True
    else:
        following, spaced = _next_word(text, word.end())
        following_is_verb = spaced and following in _NAME_VERBS
    return following_is_verb and _previous_word(text, word.start()) not in _DATE_PREPOSITIONS


def _names(
    text: str, allowed: frozenset[str] | set[str], forenames: Forenames | None = None
) -> list[str]:
    forenames = forenames or Forenames()
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
        first = run[0].group(0).lower().removesuffix("'s").removesuffix("\u2019s")
        if len(run) == 1:
            if first in forenames.also_words or (first in allowed and first in forenames):
                # "May we", "Grace period", "April" the month: only "April said".
                if not _reads_as_name(text, run[0]):
                    continue
            elif not unknown:
                continue
            elif _starts_sentence(text, run[0].start()) and first not in forenames.names:
                # One unknown capitalised word starting a sentence is usually just a
                # sentence; a forename from the list is not.
                continue
        elif not unknown:
            # "June Police"? Every word allowed: a name only if it starts with a forename
            # that reads as one.
            if not (first in forenames and _reads_as_name(text, run[0])):
                continue
            run = run[:1]
        phrase = text[run[0].start() : run[-1].end()]
        if not any(phrase in name for name in titled):
            found.append(phrase)
    found.extend(_lower_case_names(text, forenames))
    return found


def _lower_case_names(text: str, forenames: Forenames) -> list[str]:
    """Forenames written in lower case ("jade said"); words that are also names are not
    counted ("may", "will", "grace")."""
    return [
        match.group(0)
        for match in re.finditer(r"\b[a-z]+\b", text)
        if match.group(0) in forenames.names
    ]


# The spaCy models Presidio may use, best first; none is downloaded by this app.
_SPACY_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm")
# Presidio entities worth a flag, and the kind each becomes.
_PRESIDIO_KINDS = {
    "PERSON": "name",
    "EMAIL_ADDRESS": "presidio",
    "PHONE_NUMBER": "presidio",
    "UK_NHS": "presidio",
    "UK_NINO": "presidio",
    "IBAN_CODE": "presidio",
    "CREDIT_CARD": "presidio",
    "IP_ADDRESS": "presidio",
}


class SecondPass:
    """The optional second pass by Microsoft Presidio. It runs only when
    ``presidio-analyzer`` and an installed spaCy English model are importable; otherwise
    ``available`` is false and ``reason`` says why (shown on the check's page)."""

    def __init__(self) -> None:
        self.available = False
        self.reason = ""
        self._engine: Any = None
        if importlib.util.find_spec("presidio_analyzer") is None:
            self.reason = (
                "Not run: Microsoft Presidio (the presidio-analyzer package) is not installed."
            )
            return
        model = next((m for m in _SPACY_MODELS if importlib.util.find_spec(m)), None)
        if model is None:
            self.reason = (
                "Not run: Presidio is installed but no spaCy English model is "
                f"({', '.join(_SPACY_MODELS)})."
            )
            return
        try:
            from presidio_analyzer import AnalyzerEngine  # type: ignore[import-not-found]
            from presidio_analyzer.nlp_engine import (  # type: ignore[import-not-found]
                NlpEngineProvider,
            )

            provider = NlpEngineProvider(
                nlp_configuration={
                    "nlp_engine_name": "spacy",
                    "models": [{"lang_code": "en", "model_name": model}],
                }
            )
            self._engine = AnalyzerEngine(nlp_engine=provider.create_engine())
        except Exception as error:  # any failure only disables the pass
            self.reason = f"Not run: Presidio could not start ({error})."
            return
        self.available = True
        self.reason = f"Run by Microsoft Presidio with the spaCy model {model}."

    def analyse(self, text: str) -> list[tuple[str, str]]:
        """(kind, text) for each entity Presidio finds with a score of 0.5 or more."""
        results = self._engine.analyze(
            text=text, language="en", entities=list(_PRESIDIO_KINDS), score_threshold=0.5
        )
        return [
            (_PRESIDIO_KINDS[result.entity_type], text[result.start : result.end].strip())
            for result in results
        ]


@lru_cache(maxsize=1)
def second_pass() -> SecondPass:
    """The one Presidio pass of this process (its models load once)."""
    return SecondPass()


def scan(
    sections: dict[str, str],
    allowed: frozenset[str] | set[str],
    forenames: Forenames | None = None,
    second: SecondPass | None = None,
) -> list[Flag]:
    """Every flag in the sections (title included under the key "title"), each
    (kind, text) once per section, in the order found; then what the second pass (when
    given and available) adds that the patterns did not."""
    forenames = forenames or Forenames()
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
                found_kind = _kind_of(kind, match)
                if found_kind is None:
                    continue
                spans.append((match.start(), match.end()))
                _add(flags, seen, Flag(found_kind, match.group(0).strip(), key))
        masked = text
        for start, end in spans:
            masked = masked[:start] + " " * (end - start) + masked[end:]
        for name in _names(masked, allowed, forenames):
            _add(flags, seen, Flag("name", name, key))
        if second is not None and second.available:
            flagged = [flag.text.lower() for flag in flags if flag.section_key == key]
            for kind, found in second.analyse(text):
                if any(found.lower() in other or other in found.lower() for other in flagged):
                    continue
                if kind == "name" and all(
                    word.lower() in allowed for word in _CAPITALISED.findall(found)
                ):
                    continue
                _add(flags, seen, Flag(kind, found, key))
    return flags


def _add(flags: list[Flag], seen: set[tuple[str, str, str]], flag: Flag) -> None:
    key = (flag.kind, flag.text, flag.section_key)
    if key not in seen:
        seen.add(key)
        flags.append(flag)
