"""The external bodies a review is submitted to, read from ``config/submission_bodies.toml``
(issue 22, item 6): each body's name, the default time it has to reply (working or
calendar days) and the calendar whose bank holidays the working days skip.

Which bodies a review type submits to is configured beside the type, in
``config/review_types.toml`` (``submissions = [...]``); :func:`check_review_types` refuses
a type naming a body this file does not define. A malformed file stops start-up with a
:class:`SubmissionBodyConfigError` naming the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgreviews.config_keys import first_unknown_key
from sgreviews.review_types import JURISDICTIONS, ReviewType

REPLY_UNITS: dict[str, str] = {"working_days": "working days", "calendar_days": "calendar days"}
BODY_KEYS = ("name", "reply_within", "reply_unit", "jurisdiction")


class SubmissionBodyConfigError(ValueError):
    """The submission bodies file is malformed; the message names the key."""


@dataclass(frozen=True)
class SubmissionBody:
    key: str
    name: str
    reply_within: int
    reply_unit: str
    jurisdiction: str

    @property
    def reply_rule(self) -> str:
        """The default clock as people read it: "15 working days"."""
        return describe_clock(self.reply_within, self.reply_unit)


def describe_clock(length: int, unit: str) -> str:
    label = REPLY_UNITS[unit]
    return f"{length} {label.removesuffix('s') if length == 1 else label}"


def parse_submission_bodies(data: Mapping[str, Any], source: str) -> dict[str, SubmissionBody]:
    unknown = first_unknown_key(data, ("bodies",))
    if unknown is not None:
        raise SubmissionBodyConfigError(f"{source}: unknown key {unknown!r}")
    bodies = data.get("bodies")
    if not isinstance(bodies, dict) or not bodies:
        raise SubmissionBodyConfigError(f"{source}: [bodies] must define at least one body")
    result: dict[str, SubmissionBody] = {}
    for key, table in bodies.items():
        where = f"{source}: bodies.{key}"
        if not isinstance(table, dict):
            raise SubmissionBodyConfigError(f"{where} must be a table")
        unknown = first_unknown_key(table, BODY_KEYS)
        if unknown is not None:
            raise SubmissionBodyConfigError(f"{where}: unknown key {unknown!r}")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SubmissionBodyConfigError(f"{where}.name must be a non-empty string")
        length = table.get("reply_within")
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise SubmissionBodyConfigError(f"{where}.reply_within must be a whole number above 0")
        unit = table.get("reply_unit")
        if unit not in REPLY_UNITS:
            raise SubmissionBodyConfigError(
                f"{where}.reply_unit must be one of {', '.join(REPLY_UNITS)}"
            )
        jurisdiction = table.get("jurisdiction", "ENG")
        if jurisdiction not in JURISDICTIONS:
            raise SubmissionBodyConfigError(
                f"{where}.jurisdiction must be one of {', '.join(JURISDICTIONS)}"
            )
        result[key] = SubmissionBody(key, name.strip(), length, str(unit), str(jurisdiction))
    return result


def check_review_types(
    types: Mapping[str, ReviewType], bodies: Mapping[str, SubmissionBody]
) -> None:
    """Refuse a review type whose ``submissions`` names a body not configured."""
    for review_type in types.values():
        for key in review_type.submissions:
            if key not in bodies:
                raise SubmissionBodyConfigError(
                    f"review_types.toml: types.{review_type.key}.submissions names {key!r}, "
                    "which is not a body of submission_bodies.toml"
                )


def load_submission_bodies(path: Path) -> dict[str, SubmissionBody]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SubmissionBodyConfigError(f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise SubmissionBodyConfigError(f"{path} is not valid TOML: {error}") from error
    return parse_submission_bodies(data, path.name)
