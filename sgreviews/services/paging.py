"""The numbers a paged list shows ("Showing 51 to 100 of 240")."""

from __future__ import annotations


class PageNumbers:
    """For a dataclass with ``total``, ``page`` and ``per_page``: the first and last item
    numbers on its page (0 and 0 for an empty list)."""

    total: int
    page: int
    per_page: int

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


def page_window(page: int, total: int, per_page: int) -> tuple[int, int]:
    """The page to show and the number of pages for ``total`` items ``per_page`` a page:
    at least one page, and a page asked for past either end shows the nearest one."""
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages), pages
