"""axe-core on every form's error state, for each role: each form a role reaches (on its
main-navigation pages and the pages up to three links from them, one page of each kind) is sent
with its text boxes empty and any date impossible (31 2 2025); the page that comes back
has no axe violations, and when it shows the GOV.UK error summary, the summary has focus.

Forms are found, not listed, so a new form is covered as soon as it is linked. The
module has its own server and database (the forms it sends change data)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from sgreviews.models import Role
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, sign_in
from tests.e2e.test_accessibility_sweep import ONE_PER_ROLE, SKIP, _same_site_paths

# Fields a person types into; a form with none of these is a button (archive, sign out).
TYPED = (
    "input[type=text], input:not([type]), input[type=email], input[type=number], "
    "input[type=password], input[type=search], textarea"
)
FORMS = "main form[method=post i]"
PAGES_PER_ROLE = 80
# Forms that are not data entry: choosing a file to import starts a flow of its own.
SKIP_FORMS = re.compile(r"/sign-out|/actions/import$")


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlparse(path).path)


def _forms_on(page: Page) -> list[dict[str, object]]:
    found: list[dict[str, object]] = page.eval_on_selector_all(
        FORMS,
        """(forms, typed) => forms.map((form, index) => ({
            index,
            action: new URL(form.getAttribute('action') || location.href, location.href).pathname,
            typed: form.querySelectorAll(typed).length,
            dates: form.querySelectorAll('.govuk-date-input').length,
        }))""",
        TYPED,
    )
    return found


def _discover(page: Page) -> dict[str, str]:
    """The page each kind of form is on, by the shape of the form's action."""
    nav = page.eval_on_selector_all(
        "nav[aria-label=Main] a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    frontier = [(path, 0) for path in ["/", *nav]]
    seen: set[str] = set()
    forms: dict[str, str] = {}
    while frontier and len(seen) < PAGES_PER_ROLE:
        path, depth = frontier.pop(0)
        if shape(path) in seen or any(marker in path for marker in SKIP):
            continue
        seen.add(shape(path))
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file (evidence, an export), not a page
            raise
        if response is None or response.status != 200:
            continue
        for form in _forms_on(page):
            action = str(form["action"])
            if (form["typed"] or form["dates"]) and not SKIP_FORMS.search(action):
                forms.setdefault(shape(action), page.url)
        if depth < 3:
            frontier += [(link, depth + 1) for link in _same_site_paths(page)]
    return forms


def _send_empty_or_invalid(page: Page, url: str, action_shape: str) -> None:
    page.goto(url)
    index = next(
        int(str(form["index"]))
        for form in _forms_on(page)
        if shape(str(form["action"])) == action_shape
    )
    form = page.locator(FORMS).nth(index)
    form.locator(TYPED).evaluate_all("fields => fields.forEach(field => { field.value = ''; })")
    for day, month, year in zip(
        form.locator("input[id$='-day']").all(),
        form.locator("input[id$='-month']").all(),
        form.locator("input[id$='-year']").all(),
        strict=True,
    ):
        day.fill("31")
        month.fill("2")
        year.fill("2025")
    with page.expect_navigation():
        form.locator("button:not([type=button]), input[type=submit]").first.click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_forms_error_state_is_accessible_and_focused(module_page: Page, role: Role) -> None:
    page = module_page
    sign_in(page, ONE_PER_ROLE[role])
    forms = _discover(page)
    assert forms, f"{role.value} reaches no form"
    violations: dict[str, list[str]] = {}
    unfocused: list[str] = []
    with_errors: list[str] = []
    for action_shape, url in sorted(forms.items()):
        _send_empty_or_invalid(page, url, action_shape)
        summary = page.locator(".govuk-error-summary")
        if summary.count():
            with_errors.append(action_shape)
            try:
                expect(summary).to_be_focused(timeout=2000)
            except AssertionError:
                unfocused.append(action_shape)
        found = axe_violations(page)
        if found:
            violations[action_shape] = found
            screenshot(page, f"form-error-{role.value}{action_shape.replace('/', '-')}")
    print(f"{role.value}: {len(forms)} forms, error state shown by {with_errors}")
    assert with_errors, f"no form showed an error for {role.value}"
    assert not unfocused, f"error summary not focused for {role.value}: {unfocused}"
    assert not violations, f"axe violations for {role.value}: {violations}"
