"""The sections each kind of briefing is written in.

A 7-minute briefing has seven numbered sections (background, why it matters, three points
of key information, things to note, what to do) and optional reflective questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sgreviews.models import BriefingKind


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    hint: str
    required: bool = True
    number: int | None = None


BRIEFING_SECTIONS: dict[BriefingKind, tuple[Section, ...]] = {
    BriefingKind.SEVEN_MINUTE: (
        Section("background", "Background", "What happened, in a few sentences.", number=1),
        Section("why_it_matters", "Why it matters", "Why practitioners should care.", number=2),
        Section(
            "key_point_1", "Key information: first point", "The first thing to know.", number=3
        ),
        Section("key_point_2", "Key information: second point", "The second thing.", number=4),
        Section("key_point_3", "Key information: third point", "The third thing.", number=5),
        Section("things_to_note", "Things to note", "Good practice, context.", number=6),
        Section("what_to_do", "What to do", "What practitioners should do now.", number=7),
        Section(
            "reflective_questions",
            "Questions to reflect on",
            "Optional: questions for teams to discuss.",
            required=False,
        ),
    ),
    BriefingKind.ONE_MINUTE_GUIDE: (
        Section("what_it_is", "What it is", "The process or topic in plain words."),
        Section("why_it_matters", "Why it matters", "Why practitioners should care."),
        Section("what_to_do", "What you need to do", "The steps to take."),
        Section("find_out_more", "Find out more", "Optional: where to read more.", required=False),
    ),
    BriefingKind.LEARNING_SHEET: (
        Section("summary", "Summary", "The learning in two or three sentences."),
        Section("article", "Article", "The full article or learning sheet."),
        Section(
            "further_reading", "Further reading", "Optional: links and contacts.", required=False
        ),
    ),
}


def sections_for(kind: BriefingKind) -> tuple[Section, ...]:
    return BRIEFING_SECTIONS[kind]


def section_label(kind: BriefingKind, key: str) -> str:
    for section in BRIEFING_SECTIONS[kind]:
        if section.key == key:
            return section.label
    return key
