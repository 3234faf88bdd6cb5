"""The windowed GOV.UK pager: first, last, and the pages around the current one."""

from __future__ import annotations

from sgreviews.services.paging import page_window
from sgreviews.web.paging import govuk_pagination, page_numbers


def test_page_numbers_window_with_ellipses() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(1, 800) == [1, 2, None, 800]
    assert page_numbers(400, 800) == [1, None, 399, 400, 401, None, 800]
    assert page_numbers(3, 800) == [1, 2, 3, 4, None, 800]
    assert page_numbers(800, 800) == [1, None, 799, 800]


def test_pagination_parameters() -> None:
    assert govuk_pagination(1, 1, str, "Pages") is None
    params = govuk_pagination(2, 800, lambda n: f"?page={n}", "Pages of reviews")
    assert params is not None
    assert params["previous"] == {"href": "?page=1"} and params["next"] == {"href": "?page=3"}
    assert [item.get("number") for item in params["items"]] == [1, 2, 3, None, 800]
    assert [item for item in params["items"] if item.get("current")] == [
        {"number": 2, "href": "?page=2", "current": True}
    ]
    last = govuk_pagination(800, 800, lambda n: f"?page={n}", "Pages")
    assert last is not None and last["next"] is None


def test_page_window_clamps_to_the_pages_there_are() -> None:
    assert page_window(1, 0, 50) == (1, 1)  # an empty list still has its one page
    assert page_window(2, 100, 50) == (2, 2)
    assert page_window(3, 101, 50) == (3, 3)
    assert page_window(99, 101, 50) == (3, 3)
    assert page_window(0, 101, 50) == (1, 3)
    assert page_window(-4, 10, 50) == (1, 1)
