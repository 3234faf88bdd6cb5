"""Property-based tests over every form each role reaches: whatever is typed (random text,
script and HTML payloads), no form gives a server error, and no page afterwards renders a
payload as live markup.

The forms are found, not listed: starting from each role's navigation, pages are crawled
three links deep (one page of each kind) and every POST form on them is filled in by Hypothesis.
Every form with a date (GET or POST) is also sent with each date cut to one and two of its
three parts: the answer is the form with a message beside the date, never a server error."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Agency, Role
from sgreviews.services.demo import core as demo
from sgreviews.settings import PROJECT_ROOT
from tests import factories
from tests.conftest import sign_in

PAYLOADS = [
    '<script>alert("sgr")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "Child Q\x00",
    "'; DROP TABLE action; --",
    "9" * 40,
    "",
]
# Links not to follow or forms not to send: downloads, signing out, the calendar feed.
SKIP = re.compile(r"\.(csv|xlsx|pdf|docx|md|ics)$|/sign-out|/export")
PAGES_PER_ROLE = 150


def shape(path: str) -> str:
    """/reviews/12/findings?x=1 and /reviews/7/findings are the same kind of page."""
    return re.sub(r"\d+", "N", urlparse(path).path)


class LiveMarkupFinder(HTMLParser):
    """Finds markup that would run: inline scripts, event-handler attributes and
    javascript: links. Escaped text (``&lt;script&gt;``) is data, not markup, and passes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        self._in_inline_script = tag == "script" and not dict(attrs).get("src")

    def handle_endtag(self, tag: str) -> None:
        self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and "alert" in data:
            self.found.append(f"<script>{data[:40]}")


def live_markup(html: str) -> list[str]:
    finder = LiveMarkupFinder()
    finder.feed(html)
    return finder.found


class FormParser(HTMLParser):
    """Collects links and forms (their action, method and fields) from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict[str, object]] = []
        self._form: dict[str, object] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": {},
                "choices": {},
                "dates": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            fields: dict[str, list[str]] = self._form["fields"]  # type: ignore[assignment]
            if kind in ("checkbox", "radio"):
                choices: dict[str, list[str]] = self._form["choices"]  # type: ignore[assignment]
                choices.setdefault(a["name"], []).append(a.get("value", "y"))
            elif kind not in ("file", "submit"):
                fields.setdefault(a["name"], []).append(
                    a.get("value", "") if kind == "hidden" else "?"
                )
            dates: list[str] = self._form["dates"]  # type: ignore[assignment]
            if "govuk-date-input__input" in a.get("class", "") and a["name"] not in dates:
                dates.append(a["name"])
        elif tag == "textarea" and a.get("name"):
            self._form["fields"].setdefault(a["name"], []).append("?")  # type: ignore[union-attr]
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["choices"].setdefault(self._select, [])  # type: ignore[union-attr]
        elif tag == "option" and self._select is not None:
            self._form["choices"][self._select].append(a.get("value", ""))  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def crawl(client: FlaskClient, start: list[str]) -> tuple[list[str], list[dict[str, object]]]:
    """One page of each kind reachable within three links of ``start``, and one form per
    method and kind of form action."""
    seen: set[str] = set()
    shapes: set[str] = set()
    forms: dict[str, dict[str, object]] = {}
    frontier = [(path, 0) for path in start]
    while frontier and len(seen) < PAGES_PER_ROLE:
        path, depth = frontier.pop(0)
        if path in seen or shape(path) in shapes or SKIP.search(path):
            continue
        seen.add(path)
        shapes.add(shape(path))
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = str(form["action"]) or path
            if not SKIP.search(action):
                forms.setdefault(f"{form['method']} {shape(action)}", {**form, "action": action})
        if depth < 3:
            for link in parser.links:
                parsed = urlparse(link)
                if not parsed.netloc and parsed.path.startswith("/"):
                    frontier.append(
                        (parsed.path + (f"?{parsed.query}" if parsed.query else ""), depth + 1)
                    )
    return sorted(seen), list(forms.values())


def form_data(form: dict[str, object]) -> st.SearchStrategy[dict[str, list[str]]]:
    text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=60))
    fields: dict[str, list[str]] = form["fields"]  # type: ignore[assignment]
    choices: dict[str, list[str]] = form["choices"]  # type: ignore[assignment]
    parts: dict[str, st.SearchStrategy[list[str]]] = {}
    for name, values in fields.items():
        if name in ("csrf_token", "version", "lock_version") or values[0] != "?":
            parts[name] = st.just(values)
        else:
            parts[name] = st.lists(text, min_size=len(values), max_size=len(values))
    for name, values in choices.items():
        options = list(values) or [""]
        parts[name] = st.lists(st.sampled_from(options), min_size=1, max_size=1)
    return st.fixed_dictionaries(parts)


def fuzz_form(
    client: FlaskClient, action: str, strategy: st.SearchStrategy[dict[str, list[str]]]
) -> None:
    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=strategy)
    def submit(data: dict[str, list[str]]) -> None:
        response = client.post(action, data=data)
        assert response.status_code < 500, f"{action} with {data!r}"

    submit()


def partial_date_problems(client: FlaskClient, form: dict[str, object]) -> list[str]:
    """Post the form with each date field cut to one part (a day) and to two (a day and a
    month), the other fields filled in: each must come back as the form with a message
    beside that date field, never a server error."""
    action = str(form["action"])
    fields: dict[str, list[str]] = form["fields"]  # type: ignore[assignment]
    choices: dict[str, list[str]] = form["choices"]  # type: ignore[assignment]
    filled = {
        name: ["Child Q" if value == "?" else value for value in values]
        for name, values in fields.items()
    }
    for name, values in choices.items():
        chosen = [value for value in values if value]
        filled[name] = chosen[:1] or [""]
    problems = []
    for date_name in form["dates"]:  # type: ignore[attr-defined]
        for parts in (["5"], ["5", "6"]):
            data = {**filled, date_name: parts}
            if form["method"] == "post":
                response = client.post(action, data=data)
            else:
                response = client.get(action, query_string=data)
            html = response.get_data(as_text=True)
            if response.status_code not in (200, 400):
                problems.append(f"{action} {date_name}={parts}: {response.status_code}")
            elif f'id="{date_name}-error"' not in html:
                problems.append(f"{action} {date_name}={parts}: no message beside the field")
            elif f'href="#{date_name}-day"' not in html:
                problems.append(f"{action} {date_name}={parts}: summary link not to the Day box")
    return problems


@pytest.mark.parametrize(
    "role", [Role.SECRETARIAT, Role.CHAIR, Role.AGENCY_LEAD, Role.PRACTITIONER, Role.ADMINISTRATOR],
    ids=lambda role: role.value,
)  # fmt: skip
def test_no_form_errors_or_renders_a_payload(role: Role, app: Flask) -> None:
    with app.app_context():
        demo.load_demo(PROJECT_ROOT / "config")
        db.session.commit()
    with app.app_context():
        police = db.session.scalar(select(Agency).where(Agency.name == "Northshire Police"))
        email = factories.user(role, police if role.needs_agency else None).email
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    pages, forms = crawl(client, ["/", *re.findall(r'href="(/[^"]*)"', home)])
    assert forms, f"no forms found for {role.value}"
    actions = sorted(f"{form['method']} {form['action']}" for form in forms)
    print(f"{role.value}: {len(pages)} pages, {len(forms)} forms: {actions}")
    # Partial dates first, while every form still shows the state it was crawled in.
    dated = [form for form in forms if form["dates"]]
    problems = [problem for form in dated for problem in partial_date_problems(client, form)]
    assert not problems, "partial dates: " + "; ".join(problems)
    print(f"{role.value}: partial dates posted to {[str(form['action']) for form in dated]}")
    for form in forms:
        if form["method"] == "post":
            fuzz_form(client, str(form["action"]), form_data(form))

    for path in pages:
        response = client.get(path)
        if response.mimetype == "text/html":
            assert live_markup(response.get_data(as_text=True)) == [], path
