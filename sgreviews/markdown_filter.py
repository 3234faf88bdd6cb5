"""The one sanitising Markdown filter: Markdown to HTML, then nh3 removes anything not on
the allow-list (scripts, event handlers, raw HTML tricks)."""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


# Texts longer than this are rendered every time rather than kept.
CACHED_TEXT_LIMIT = 20_000


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    if len(text) <= CACHED_TEXT_LIMIT:
        return Markup(_rendered(text))
    return Markup(_render(text))


@lru_cache(maxsize=2048)
def _rendered(text: str) -> str:
    """The same text always gives the same HTML, so a page read again and again (a
    published briefing) is converted once per process: Markdown was a quarter of the
    briefing page's time (docs/performance-history.md). At most 2,048 texts of up to 20,000
    characters are kept (under 100 MB in the worst case, far less in practice)."""
    return _render(text)


def _render(text: str) -> str:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|tr|blockquote|pre)>|<br\s*/?>|<hr\s*/?>")
_TAG = re.compile(r"<[^>]+>")


def markdown_to_plain_text(text: str | None) -> str:
    """Markdown as one line of plain text, for a table cell of a report: the text of each
    paragraph, heading or list item, joined with spaces ("; " after an item that does not
    end a sentence)."""
    if not text:
        return ""
    html = _BLOCK_END.sub("\n", markdown_lib.markdown(text, extensions=["tables", "sane_lists"]))
    lines = [" ".join(unescape(_TAG.sub(" ", line)).split()) for line in html.splitlines()]
    parts = [line for line in lines if line]
    joined = ""
    for part in parts:
        if joined:
            joined += " " if joined[-1] in ".!?:;" else "; "
        joined += part
    return joined
