"""Reading an API call's query parameters: each is checked against what the OpenAPI
document says, and a bad one is named in a 400 problem (never ignored, never a 500)."""

from __future__ import annotations

import re
from datetime import date

from flask import request

from sgreviews.services.api.cursors import DEFAULT_LIMIT, MAX_LIMIT, BadCursor, decode
from sgreviews.services.api.reads import Paging
from sgreviews.web.api_problems import Problem

MAX_ID = 2**31 - 1
KEY_PATTERN = r"^[a-z0-9_]{1,40}$"


def list_pattern(allowed: tuple[str, ...]) -> str:
    """The regular expression of a comma-separated list of ``allowed`` values."""
    one = "(" + "|".join(allowed) + ")"
    return f"^{one}(,{one})*$"


DAY_DETAIL = "must be a date as YYYY-MM-DD"


def iso_day(value: object) -> date | None:
    """An ISO date as the API takes one ("2022-03-31", exactly ten characters), or None
    for anything else: a query parameter's or a body field's."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class Params:
    """The query string of one call; ``problems`` collects every bad value, and
    ``check`` raises them together."""

    def __init__(self, allowed: set[str]) -> None:
        self.problems: list[dict[str, str]] = []
        for name in request.args:
            if name not in allowed:
                self._bad(name, "is not a parameter of this call")

    def _bad(self, name: str, message: str) -> None:
        self.problems.append({"parameter": name, "detail": message})

    def _raw(self, name: str) -> str | None:
        values = request.args.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            self._bad(name, "is given more than once")
            return None
        return values[0]

    def key(self, name: str) -> str | None:
        """A configuration key (a review type, a stage): see KEY_PATTERN."""
        value = self._raw(name)
        if value is None:
            return None
        if not re.fullmatch(KEY_PATTERN, value):
            self._bad(name, "must be a key: 1 to 40 lower-case letters, digits or _")
            return None
        return value

    def identifier(self, name: str) -> int | None:
        value = self._raw(name)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            self._bad(name, "must be a whole number from 1")
            return None
        return int(value)

    def day(self, name: str) -> date | None:
        value = self._raw(name)
        if value is None:
            return None
        day = iso_day(value)
        if day is None:
            self._bad(name, DAY_DETAIL)
        return day

    def flag(self, name: str) -> bool | None:
        value = self._raw(name)
        if value is None:
            return None
        if value not in ("true", "false"):
            self._bad(name, "must be true or false")
            return None
        return value == "true"

    def choices(self, name: str, allowed: tuple[str, ...]) -> list[str]:
        """A comma-separated list of values from ``allowed``."""
        value = self._raw(name)
        if value is None:
            return []
        chosen = value.split(",")
        if not re.fullmatch(list_pattern(allowed), value) or not all(
            item in allowed for item in chosen
        ):
            self._bad(name, "must be one or more of " + ", ".join(allowed) + ", comma-separated")
            return []
        return chosen

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self._raw(name)
        if value is None:
            return None
        if value not in allowed:
            self._bad(name, "must be one of " + ", ".join(allowed))
            return None
        return value

    def number(self, name: str, low: int, high: int) -> int | None:
        value = self._raw(name)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            self._bad(name, f"must be a whole number from {low} to {high}")
            return None
        return int(value)

    def paging(self) -> Paging:
        limit = self.number("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
        cursor = self._raw("cursor")
        if cursor is not None:
            try:
                decode(cursor)
            except BadCursor:
                self._bad("cursor", "is not a cursor this API gave")
                cursor = None
        return Paging(limit=limit, cursor=cursor)

    def check(self) -> None:
        if self.problems:
            raise Problem(400, "Some parameters are not valid: see errors.", errors=self.problems)
