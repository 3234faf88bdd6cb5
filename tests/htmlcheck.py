"""Checks every HTML response must pass: a non-empty title, ids unique on the page, and
every form with an action."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.forms_without_action = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "form" and not attributes.get("action"):
            self.forms_without_action += 1
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def html_problems(html: str) -> list[str]:
    parser = _PageParser()
    parser.feed(html)
    problems = []
    if not parser.title.strip():
        problems.append("the page has no title")
    duplicates = [item for item, count in Counter(parser.ids).items() if count > 1]
    if duplicates:
        problems.append(f"ids used more than once: {duplicates}")
    if parser.forms_without_action:
        problems.append(f"{parser.forms_without_action} form(s) without an action")
    return problems
