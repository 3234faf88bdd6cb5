"""Keyset paging for the API: a page is the next ``limit`` rows after the last id of the
previous page, in id order, so a page never repeats or skips a row when rows are added or
removed meanwhile. The cursor is the last id as text; clients pass ``next_cursor`` back
as it is and need not know that."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Nine digits at most: every id fits a 32-bit INTEGER column (PostgreSQL refuses more).
CURSOR_PATTERN = r"^[0-9]{1,9}$"


class BadCursor(ValueError):
    """A cursor this API did not make."""


def encode(last_id: int) -> str:
    return str(last_id)


def decode(cursor: str) -> int:
    if not (cursor.isascii() and cursor.isdigit() and 1 <= len(cursor) <= 9):
        raise BadCursor(cursor)
    return int(cursor)


@dataclass(frozen=True)
class Page:
    """One page of records and the cursor of the next (None on the last page)."""

    items: list[dict[str, Any]]
    next_cursor: str | None

    def as_json(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


def page_of(ids: Sequence[int], limit: int) -> tuple[list[int], str | None]:
    """Given up to ``limit + 1`` ids in order: the page's ids and the next cursor."""
    if len(ids) > limit:
        return list(ids[:limit]), encode(ids[limit - 1])
    return list(ids), None
