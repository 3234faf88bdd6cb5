"""Browser tests: the app served by a real WSGI server on a loopback port, over its own
database with the demo data, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from sgreviews.extensions import db
from sgreviews.services.demo import core as demo
from tests.conftest import make_test_app
from tests.databases import fresh_database

CHROMIUM = os.environ.get("SGREVIEWS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_path() -> str:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (CI installs Debian's chromium)"
        if os.environ.get("SGREVIEWS_REQUIRE_E2E"):
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("e2e-instance")
    url = fresh_database(tmp_path_factory.mktemp("e2e-db"), suffix="_e2e")
    app = make_test_app(url, instance, WTF_CSRF_ENABLED="1")
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def module_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The demo on a database of its own for one test module, for tests that change what
    other modules read (submitting every form, say)."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:20]
    instance = tmp_path_factory.mktemp(f"e2e-{name}-instance")
    url = fresh_database(tmp_path_factory.mktemp(f"e2e-{name}-db"), suffix=f"_e2e_{name}")
    app = make_test_app(url, instance, WTF_CSRF_ENABLED="1")
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def module_page(browser: object, module_server: str) -> Iterator[object]:
    """A fresh browser context on the module's own server."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=module_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def browser(browser_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for people to look at."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
