from __future__ import annotations

import pytest

from sgreviews.markdown_filter import render_markdown


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
    ],
)
def test_script_is_neutralised(payload: str) -> None:
    html = str(render_markdown(payload)).lower()
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html


def test_markdown_is_rendered() -> None:
    html = str(render_markdown("**Seen alone** at school\n\n- one\n- two"))
    assert "<strong>Seen alone</strong>" in html
    assert "<li>one</li>" in html
