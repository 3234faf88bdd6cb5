"""Review types as configuration, read from ``config/review_types.toml``.

A malformed file stops start-up with a :class:`ReviewTypeConfigError` naming the key and
what is wrong with it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ReviewTypeConfigError(ValueError):
    """The review types file is malformed; the message names the key."""


@dataclass(frozen=True)
class ReviewType:
    key: str
    name: str
    display_name: str
    short_name: str
    stages: tuple[str, ...]

    def stage_label(self, stage: str) -> str:
        return stage.replace("_", " ").capitalize()


def _require_str(table: dict[str, Any], key: str, where: str, *, optional: bool = False) -> str:
    value = table.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ReviewTypeConfigError(f"{where}.{key} must be a non-empty string")
    return value


def parse_review_types(data: dict[str, Any], source: str) -> dict[str, ReviewType]:
    types = data.get("types")
    if not isinstance(types, dict) or not types:
        raise ReviewTypeConfigError(f"{source}: [types] must define at least one review type")
    result: dict[str, ReviewType] = {}
    for key, table in types.items():
        where = f"{source}: types.{key}"
        if not isinstance(table, dict):
            raise ReviewTypeConfigError(f"{where} must be a table")
        name = _require_str(table, "name", where)
        stages = table.get("stages")
        if (
            not isinstance(stages, list)
            or not stages
            or not all(isinstance(stage, str) and stage for stage in stages)
        ):
            raise ReviewTypeConfigError(f"{where}.stages must be a non-empty list of stage keys")
        if len(set(stages)) != len(stages):
            raise ReviewTypeConfigError(f"{where}.stages lists a stage twice")
        result[key] = ReviewType(
            key=key,
            name=name,
            display_name=_require_str(table, "display_name", where, optional=True) or name,
            short_name=_require_str(table, "short_name", where, optional=True) or name,
            stages=tuple(stages),
        )
    return result


def load_review_types(path: Path) -> dict[str, ReviewType]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ReviewTypeConfigError(f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ReviewTypeConfigError(f"{path} is not valid TOML: {error}") from error
    return parse_review_types(data, path.name)
