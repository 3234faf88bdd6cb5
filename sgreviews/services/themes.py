"""The theme taxonomy, kept in step with ``config/themes.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sgreviews.config_keys import first_unknown_key
from sgreviews.extensions import db
from sgreviews.models import Theme


class ThemeConfigError(ValueError):
    """The themes file is malformed; the message names the key."""


def _refuse_unknown_keys(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = first_unknown_key(table, known)
    if unknown is not None:
        raise ThemeConfigError(f"{where}: unknown key {unknown!r}")


def read_taxonomy(path: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(group key, group name, [(theme key, theme name)]) from the config file."""
    with path.open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    _refuse_unknown_keys(data, ("groups",), path.name)
    groups = data.get("groups")
    if not isinstance(groups, dict) or not groups:
        raise ThemeConfigError(f"{path.name}: [groups] must define at least one group")
    taxonomy = []
    for group_key, group in groups.items():
        where = f"{path.name}: groups.{group_key}"
        if not isinstance(group, dict) or not isinstance(group.get("name"), str):
            raise ThemeConfigError(f"{where}.name must be a string")
        _refuse_unknown_keys(group, ("name", "themes"), where)
        themes = group.get("themes")
        if not isinstance(themes, list) or not themes:
            raise ThemeConfigError(f"{where}.themes must be a non-empty list")
        children = []
        for index, theme in enumerate(themes):
            if not (
                isinstance(theme, dict)
                and isinstance(theme.get("key"), str)
                and isinstance(theme.get("name"), str)
            ):
                raise ThemeConfigError(f"{where}.themes[{index}] needs a key and a name")
            _refuse_unknown_keys(theme, ("key", "name"), f"{where}.themes[{index}]")
            children.append((theme["key"], theme["name"]))
        taxonomy.append((group_key, group["name"], children))
    return taxonomy


def sync_themes(path: Path) -> dict[str, Theme]:
    """Create or rename themes to match the file; never deletes (findings keep their tags)."""
    existing = {theme.key: theme for theme in db.session.scalars(select(Theme))}
    for group_key, group_name, children in read_taxonomy(path):
        group = existing.get(group_key)
        if group is None:
            group = Theme(key=group_key, name=group_name)
            db.session.add(group)
            existing[group_key] = group
        group.name = group_name
        for key, name in children:
            theme = existing.get(key)
            if theme is None:
                theme = Theme(key=key, name=name)
                db.session.add(theme)
                existing[key] = theme
            theme.name = name
            theme.parent = group
    db.session.flush()
    return existing


def themes_for_keys(path: Path, keys: list[str]) -> list[Theme]:
    """The themes with these keys, creating any the config has but the database lacks
    (a partnership may have extended the taxonomy since the themes were last synced)."""
    if not keys:
        return []
    found = list(db.session.scalars(select(Theme).where(Theme.key.in_(keys))))
    if len(found) < len(set(keys)):
        synced = sync_themes(path)
        found = [synced[key] for key in keys if key in synced]
    return found


def theme_choices(path: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group name, [(theme key, theme name)]) for a form, straight from the config."""
    return [(group_name, children) for _key, group_name, children in read_taxonomy(path)]


def all_themes() -> list[Theme]:
    """Every theme, groups and their themes together, by name."""
    return list(db.session.scalars(select(Theme).order_by(Theme.name)))


def sub_themes() -> list[Theme]:
    """The themes under a group (what findings and briefings are tagged with), by name."""
    return list(
        db.session.scalars(select(Theme).where(Theme.parent_id.is_not(None)).order_by(Theme.name))
    )
