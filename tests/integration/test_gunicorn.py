"""The production web server as configured (config/gunicorn.conf.py): the app is loaded once
in the master and the workers are forked from it, and workers replaced after their
max_requests still serve database pages (each opens its own connections)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade

from sgreviews.extensions import db
from sgreviews.models import Role
from tests import factories
from tests.conftest import make_test_app
from tests.databases import fresh_database

pytestmark = pytest.mark.own_database

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "lead.gunicorn@test.example"
SECRETARIAT = "secretariat.gunicorn@test.example"
# Filled by the server fixture: the finding whose similar earlier findings are asked for.
SIMILAR_PAGE: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    url = fresh_database(tmp_path, suffix="_gunicorn")
    app = make_test_app(url, tmp_path / "instance")
    with app.app_context():
        upgrade()
        factories.user(Role.AGENCY_LEAD, email=EMAIL)
        partnership = factories.partnership()
        factories.user(Role.SECRETARIAT, email=SECRETARIAT, partnerships=[partnership])
        earlier = factories.review(partnership, reference="LCSPR-2024-01")
        factories.finding(earlier, text="Nobody asked the child about home life at school.")
        review = factories.review(partnership, reference="LCSPR-2025-01")
        finding = factories.finding(review, text="Nobody asked the child about home life.")
        SIMILAR_PAGE["path"] = f"/reviews/{review.id}/findings/{finding.id}/similar"
        db.session.commit()
        db.engine.dispose()
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "SGREVIEWS_ENV": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": url,
        "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
        "SGREVIEWS_SIGN_IN_RATE_LIMIT": "off",
        "SGREVIEWS_LOG_FORMAT": "json",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        # A worker is replaced after every 3 requests (the jitter is a tenth: none).
        "GUNICORN_MAX_REQUESTS": "3",
    }
    env.pop("GUNICORN_PRELOAD_APP", None)
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _signed_in(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{base}/sign-in", timeout=10) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())
    assert token is not None, "no CSRF token on the sign-in page"
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": factories.PASSWORD}
    ).encode()
    with opener.open(f"{base}/sign-in", data=form, timeout=10) as response:
        assert "/sign-in" not in response.url, "signing in failed"
    return opener


def test_forked_workers_serve_database_pages_across_replacements(
    server: tuple[str, Path],
) -> None:
    base, log = server
    opener = _signed_in(base, EMAIL)
    for _ in range(24):
        with opener.open(f"{base}/agency/actions", timeout=10) as response:
            assert response.status == 200
            assert '<h1 class="govuk-heading-l">Your agency' in response.read().decode()
    text = log.read_text()
    # Loaded once, in the master; then workers forked and, after 3 requests each, replaced.
    assert text.count("Booting worker") >= 8, text
    assert "Autorestarting worker after current request" in text, text


def test_the_similarity_index_is_built_once_in_the_master_before_forking(
    server: tuple[str, Path],
) -> None:
    """Workers, and the workers that replace them, find the index the master built: no
    worker's similar-findings page builds it again."""
    base, log = server
    opener = _signed_in(base, SECRETARIAT)
    for _ in range(8):  # across several worker replacements (3 requests each)
        with opener.open(f"{base}{SIMILAR_PAGE['path']}", timeout=10) as response:
            assert response.status == 200
            assert "LCSPR-2024-01" in response.read().decode()
    text = log.read_text()
    assert "Similarity index ready before forking: 2 findings" in text, text
    assert text.count("similarity index built") == 1, text
    assert text.count("Booting worker") >= 3, text
