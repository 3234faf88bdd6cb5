"""The yearly report's "Learning that recurred": the findings of the year's reviews that
a person confirmed as repeating earlier learning, what became of the earlier actions, and
what is being done differently now (the later finding's actions); then the themes that
came back from earlier years. Kept apart from ``yearly`` (which wraps it in a Section) to
keep that module to one screenful of concerns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sgreviews.services.learning.recurrence import confirmed_links, recurring_themes
from sgreviews.services.periods import BusinessYear

TITLE = "Learning that recurred"


@dataclass(frozen=True)
class Recurred:
    paragraphs: list[str]
    headers: Sequence[str]
    rows: list[Sequence[str]]


def learning_that_recurred(
    year: BusinessYear,
    partnership_id: int | None,
    public: bool,
    number: Callable[[int], str],
    join: Callable[[Sequence[str]], str],
    as_at: date,
) -> Recurred:
    """``number`` writes a count as the report does (small ones suppressed in public);
    ``join`` makes "a, b and c"; the actions are read as they stood at the end of ``as_at``."""
    links = confirmed_links(year, partnership_id, only_year=True, as_at=as_at)
    themes = [
        row.theme.lower()
        for row in recurring_themes(year, partnership_id)
        if row.last_year == year.label
    ]
    paragraphs: list[str] = []
    rows: list[Sequence[str]] = []
    if not links:
        paragraphs.append(
            "No finding of the year's reviews was confirmed as repeating learning from an "
            "earlier review."
        )
    else:
        paragraphs.append(
            f"{number(len(links)).capitalize()} of the year's findings "
            f"{'was' if len(links) == 1 and not public else 'were'} confirmed as repeating "
            "learning from earlier reviews."
        )
        earlier = sum(link.earlier_actions for link in links)
        evidenced = sum(link.earlier_evidenced for link in links)
        if earlier:
            reached = number(evidenced) if evidenced else "none"
            paragraphs.append(
                f"Of the {number(earlier)} actions that answered that earlier learning, "
                f"{reached} reached evidence of impact."
            )
        if not public:
            for link in links:
                done = (
                    "What is being done differently: " + "; ".join(link.actions_now) + "."
                    if link.actions_now
                    else "No new action is recorded for it yet."
                )
                paragraphs.append(
                    f"{link.finding} repeats {link.earlier} ({link.earlier_year}). {done}"
                )
                rows.append(
                    (
                        link.finding,
                        f"{link.earlier} ({link.earlier_year})",
                        str(link.earlier_actions),
                        "None earlier"
                        if link.evidenced_share is None
                        else f"{link.evidenced_share}%",
                        str(len(link.actions_now)),
                    )
                )
    if themes:
        paragraphs.append(f"Themes that came back from earlier years: {join(themes)}.")
    return Recurred(
        paragraphs,
        ["Finding", "Repeats", "Earlier actions", "With evidence of impact", "Actions now"],
        rows,
    )
