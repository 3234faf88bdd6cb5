"""GOV.UK pagination with a window of page links: the first page, the pages around the
current one, the last page, and ellipses between (a link to every page made an 800-link
pager for 20,000 reviews)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def page_numbers(page: int, pages: int, around: int = 1) -> list[int | None]:
    """The page numbers to link, ``None`` for an ellipsis: 1 … 4 5 6 … 20."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def govuk_pagination(
    page: int, pages: int, href: Callable[[int], str], label: str
) -> dict[str, Any] | None:
    """Parameters for the ``govukPagination`` macro, or None when there is one page."""
    if pages <= 1:
        return None
    items: list[dict[str, Any]] = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == page}
        for number in page_numbers(page, pages)
    ]
    return {
        "items": items,
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
        "landmarkLabel": label,
    }


def with_page(args: dict[str, str], number: int, key: str = "page") -> dict[str, Any]:
    """Query arguments for ``url_for`` with the page number (``key``) set."""
    return {**args, key: number}
