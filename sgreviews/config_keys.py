"""The one check every ``config/*.toml`` reader makes: no key it does not know. A misspelt
key (``overdue_day`` for ``overdue_days``) would otherwise be ignored in silence and the
default used; start-up stops instead, naming the file and the key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def first_unknown_key(table: Mapping[str, Any], known: Iterable[str]) -> str | None:
    """The first key of ``table`` (alphabetically) that is not in ``known``, if any."""
    unknown = sorted(set(table) - set(known))
    return unknown[0] if unknown else None
