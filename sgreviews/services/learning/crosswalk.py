"""The crosswalk from local themes to the national analyses' theme lists
(``config/national_themes.toml``), and findings counted in those terms.

Each local theme maps to at most one theme of each national list, so a count per national
theme is one grouped query per list: the local theme keys are folded into the national
theme by a CASE expression, and each finding counts once per national theme however many
of its local themes fold into it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select

from sgreviews.config_keys import first_unknown_key
from sgreviews.extensions import db
from sgreviews.models import Finding, Review, Theme
from sgreviews.models.finding import finding_theme
from sgreviews.services.dashboard.filters import Filters

EXTENSION_KEY = "sgreviews.national_themes"
# Findings tagged with a local theme that has no match in the list (a finding may also
# count under the list's themes for its other tags).
NOT_MAPPED = "A theme not in this list"


class CrosswalkConfigError(ValueError):
    """``national_themes.toml`` is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class NationalList:
    key: str
    name: str
    themes: tuple[tuple[str, str], ...]  # (key, name) in the file's order
    # local theme key -> this list's theme key
    mapping: dict[str, str]

    def theme_name(self, key: str) -> str:
        return dict(self.themes).get(key, NOT_MAPPED)


@dataclass(frozen=True)
class Crosswalk:
    lists: tuple[NationalList, ...]

    def names_for(self, local_key: str) -> list[tuple[str, str]]:
        """(list name, national theme name) for one local theme, for the lists that map it."""
        return [
            (national.name, national.theme_name(national.mapping[local_key]))
            for national in self.lists
            if local_key in national.mapping
        ]


FILE = "national_themes.toml"


def _refuse(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = first_unknown_key(table, known)
    if unknown is not None:
        raise CrosswalkConfigError(f"{FILE}: {where}unknown key {unknown!r}")


def load_crosswalk(
    path: Path, taxonomy: Sequence[tuple[str, str, list[tuple[str, str]]]]
) -> Crosswalk:
    """Read and check the crosswalk against the local taxonomy (``read_taxonomy``'s result):
    unknown keys, unknown local themes and unknown national themes stop start-up."""
    with path.open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    _refuse(data, ("lists", "map"), "")
    raw_lists = data.get("lists")
    if not isinstance(raw_lists, dict) or not raw_lists:
        raise CrosswalkConfigError(f"{FILE}: [lists] must define at least one list")
    lists: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    for list_key, raw in raw_lists.items():
        where = f"lists.{list_key}: "
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise CrosswalkConfigError(f"{FILE}: {where}name must be a string")
        _refuse(raw, ("name", "themes"), where)
        themes = raw.get("themes")
        if not isinstance(themes, list) or not themes:
            raise CrosswalkConfigError(f"{FILE}: {where}themes must be a non-empty list")
        checked = []
        for index, theme in enumerate(themes):
            if not (
                isinstance(theme, dict)
                and isinstance(theme.get("key"), str)
                and isinstance(theme.get("name"), str)
            ):
                raise CrosswalkConfigError(f"{FILE}: {where}themes[{index}] needs a key and a name")
            _refuse(theme, ("key", "name"), f"{where}themes[{index}]: ")
            checked.append((theme["key"], theme["name"]))
        lists[list_key] = (raw["name"], tuple(checked))
    local_keys = {key for _group, _name, children in taxonomy for key, _theme in children}
    raw_map = data.get("map", {})
    if not isinstance(raw_map, dict):
        raise CrosswalkConfigError(f"{FILE}: [map] must be a table")
    _refuse(raw_map, tuple(sorted(local_keys)), "map: ")
    mappings: dict[str, dict[str, str]] = {key: {} for key in lists}
    for local_key, targets in raw_map.items():
        where = f"map.{local_key}: "
        if not isinstance(targets, dict):
            raise CrosswalkConfigError(f"{FILE}: {where}must be a table of list = theme")
        _refuse(targets, tuple(lists), where)
        for list_key, national_key in targets.items():
            if national_key not in dict(lists[list_key][1]):
                raise CrosswalkConfigError(
                    f"{FILE}: {where}{list_key} has no theme {national_key!r}"
                )
            mappings[list_key][local_key] = national_key
    return Crosswalk(
        tuple(
            NationalList(key, name, themes, mappings[key]) for key, (name, themes) in lists.items()
        )
    )


def _reviews_started(filters: Filters) -> list[ColumnElement[bool]]:
    clauses = [Review.started_on >= filters.year.start, Review.started_on <= filters.year.end]
    if filters.partnership_id is not None:
        clauses.append(Review.partnership_id == filters.partnership_id)
    return clauses


def findings_by_national_theme(
    crosswalk: Crosswalk, filters: Filters
) -> list[tuple[NationalList, list[tuple[str, int]]]]:
    """For each national list, (national theme name, findings) for the findings of the
    reviews started in the selected business year (and partnership), as the
    themes-by-year figure counts them, in the list's order, then the findings with a tag
    that has no match in the list (NOT_MAPPED). A finding counts once per national theme
    however many of its local themes fold into it.

    A fixed number of queries: the theme ids, then per list the tags folded into the
    list's themes by a CASE on the theme id and counted per national theme. Each is driven
    from the
    year's reviews (an uncorrelated IN through the index on their start date), a small
    share of all; "active in the period" would read nearly every review. (A join to the
    crosswalk as a table in the query made SQLite loop over the whole year once per
    crosswalk row.)"""
    ids: dict[str, int] = {key: id_ for key, id_ in db.session.execute(select(Theme.key, Theme.id))}
    theme_id = finding_theme.c.theme_id
    finding_id = finding_theme.c.finding_id
    of_the_year = Finding.review_id.in_(select(Review.id).where(*_reviews_started(filters)))

    def tags() -> Any:
        return (
            select()
            .select_from(finding_theme)
            .join(Finding, Finding.id == finding_id)
            .where(of_the_year)
        )

    mapped_ids = {
        national.key: {ids[key]: target for key, target in national.mapping.items() if key in ids}
        for national in crosswalk.lists
    }
    result = []
    for national in crosswalk.lists:
        folded = (
            case(mapped_ids[national.key], value=theme_id, else_=None)
            if mapped_ids[national.key]
            else literal(None)
        )
        counts: dict[str | None, int] = {
            target: int(count)
            for target, count in db.session.execute(
                tags().add_columns(folded, func.count(func.distinct(finding_id))).group_by(folded)
            ).all()
        }
        rows = [(name, counts.get(key, 0)) for key, name in national.themes]
        if counts.get(None):
            rows.append((NOT_MAPPED, counts[None]))
        result.append((national, rows))
    return result
