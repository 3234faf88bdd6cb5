"""axe-core over the page types each role reaches: every main-navigation page, and the
first object page linked from each of them (a review, its findings, an action, a briefing),
so a new page type is covered as soon as it is linked."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

from sgreviews.models import Role
from sgreviews.services.demo.core import SIGN_INS
from tests.e2e.helpers import axe_violations, sign_in

ONE_PER_ROLE = {sign_in.role: sign_in.email for sign_in in reversed(SIGN_INS)}

# Object pages worth following from the list pages, by the start of their path.
OBJECT_PAGES = ("/reviews/", "/actions/", "/briefings/", "/learning/")
# Links that are downloads or change something when followed.
SKIP = (".csv", ".xlsx", ".pdf", ".docx", ".md", ".ics", "/export", "/sign-out")
# Downloads are not pages: an evidence file's address (/actions/N/evidence/N) has no
# extension, and which action the walk meets first depends on the data other forms changed.
DOWNLOAD = re.compile(r"/evidence/\d+$")


def _same_site_paths(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.netloc and parsed.netloc != urlparse(page.url).netloc:
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if any(marker in path for marker in SKIP) or DOWNLOAD.search(path):
            continue
        paths.append(path)
    return paths


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_page_type_a_role_reaches_has_no_axe_violations(page: Page, role: Role) -> None:
    sign_in(page, ONE_PER_ROLE[role])
    nav = page.eval_on_selector_all(
        "nav[aria-label=Main] a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    assert nav, f"{role.value} has no navigation"
    visited: dict[str, list[str]] = {}
    followed_prefixes: set[str] = set()
    for path in nav:
        page.goto(path)
        visited[path] = axe_violations(page)
        for link in _same_site_paths(page):
            prefix = next((p for p in OBJECT_PAGES if link.startswith(p)), None)
            if prefix is None or prefix in followed_prefixes or link in visited:
                continue
            followed_prefixes.add(prefix)
            response = page.goto(link)
            assert response is not None and response.status == 200, f"{link} as {role.value}"
            visited[link] = axe_violations(page)
            page.goto(path)
    failures = {path: found for path, found in visited.items() if found}
    assert not failures, f"axe violations for {role.value}: {failures}"
    assert len(visited) >= len(nav)
