"""A digest's lines come out exactly as the reader needs them: escaped in HTML, the
detail's lines kept, links absolute."""

from __future__ import annotations

from datetime import date

from sgreviews.services.reminders.digests import DigestLine, render_digest

LINES = [
    DigestLine(
        "escalation", 'G1 is 40 days <overdue> & "escalated"', "Owner: Police\nLead: A", "/a/1"
    ),
    DigestLine("overdue", "G2 is 3 days overdue", "Owner: Health", "/a/2?x=1&y=2"),
]


def test_html_and_text_of_a_digest(ctx: None) -> None:
    subject, text, html = render_digest(LINES, 5, date(2026, 11, 22), "https://example.test/")
    assert subject == "Safeguarding reviews: 5 reminders for 22 November 2026"
    assert (
        '<ul>\n  <li style="margin-bottom: 10px;"><a href="https://example.test/a/1">'
        "G1 is 40 days &lt;overdue&gt; &amp; &#34;escalated&#34;</a>"
        "<br>Owner: Police<br>Lead: A</li>\n</ul>"
    ) in html
    assert 'href="https://example.test/a/2?x=1&amp;y=2"' in html
    assert "And 3 more" in html
    assert (
        "Escalated to you\n----------------\n"
        '* G1 is 40 days <overdue> & "escalated"\n  Owner: Police\n  Lead: A\n'
        "  https://example.test/a/1\n\nOverdue\n"
    ) in text


def test_the_same_line_renders_the_same_in_every_digest_and_base(ctx: None) -> None:
    first = render_digest(LINES, 2, date(2026, 11, 22), "https://one.test")
    again = render_digest(LINES, 2, date(2026, 11, 22), "https://one.test")
    other = render_digest(LINES, 2, date(2026, 11, 22), "https://two.test")
    assert first == again
    assert "https://two.test/a/1" in other[2] and "https://one.test" not in other[2]
