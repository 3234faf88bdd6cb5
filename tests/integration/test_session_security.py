"""Idle timeout, re-authentication before sensitive operations, and sign-in rate
limiting (in memory, and shared between processes through Redis)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from sgreviews.models import Role, User
from sgreviews.web.auth.session_security import AUTHENTICATED_AT_KEY, LAST_SEEN_KEY
from tests.conftest import make_test_app, page_text, sign_in

# A real Redis server (CI starts one): SGREVIEWS_TEST_REDIS_URL, default the local one.
REDIS_URL = os.environ.get("SGREVIEWS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_idle_session_ends_after_the_configured_minutes(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(Role.PRACTITIONER)
    assert client.get("/learning").status_code == 200
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = time.time() - 29 * 60
    assert client.get("/learning").status_code == 200  # activity keeps the session alive
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = time.time() - 31 * 60
    response = client.get("/learning")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/learning"
    page = client.get("/sign-in?next=/learning")
    assert "You were signed out because you had not used the service for 30 minutes" in (
        page_text(page)
    )
    assert client.get("/learning").status_code == 302


def test_idle_minutes_are_configurable(
    app: Flask, database_url: str, tmp_path: Path, user_of: Callable[..., User]
) -> None:
    short = make_test_app(database_url, tmp_path, SGREVIEWS_SESSION_IDLE_MINUTES="5")
    user = user_of(Role.PRACTITIONER)
    client = short.test_client()
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = time.time() - 6 * 60
    assert client.get("/learning").status_code == 302


def test_user_management_asks_for_the_password_again_after_a_while(
    client_for: Callable[..., FlaskClient], user_of: Callable[..., User]
) -> None:
    admin_user = user_of(Role.ADMINISTRATOR)
    client = client_for(Role.PRACTITIONER)  # any client, then sign in as the admin
    client.post("/sign-out")
    sign_in(client, admin_user.email)
    assert client.get("/admin/users/new").status_code == 200  # just signed in: recent
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT_KEY] = time.time() - 16 * 60
    response = client.get("/admin/users/new")
    assert response.headers["Location"] == "/confirm-identity?next=/admin/users/new"
    assert client.get("/admin/users").status_code == 200  # reading the list is not sensitive

    page = client.get("/confirm-identity?next=/admin/users/new")
    assert "Confirm it is you" in page_text(page)
    wrong = client.post(
        "/confirm-identity?next=/admin/users/new", data={"password": "not my password!"}
    )
    assert "Enter your correct password" in page_text(wrong)
    right = client.post(
        "/confirm-identity?next=/admin/users/new",
        data={"password": "correct horse battery staple"},
    )
    assert right.headers["Location"] == "/admin/users/new"
    assert client.get("/admin/users/new").status_code == 200


def test_audit_export_needs_recent_authentication(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(Role.ADMINISTRATOR)
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT_KEY] = time.time() - 60 * 60
    response = client.get("/admin/audit/export.csv?event=sign_in")
    assert response.headers["Location"].startswith("/confirm-identity?next=")


def _limited_app(database_url: str, tmp_path: Path, storage: str, proxies: int = 0) -> Flask:
    return make_test_app(
        database_url,
        tmp_path / uuid.uuid4().hex,
        SGREVIEWS_SIGN_IN_RATE_LIMIT="3 per minute",
        SGREVIEWS_RATELIMIT_STORAGE_URI=storage,
        SGREVIEWS_TRUSTED_PROXIES=str(proxies),
    )


def _client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _random_address() -> str:
    number = uuid.uuid4().int
    return f"10.{number % 250}.{(number >> 8) % 250}.{(number >> 16) % 250 + 1}"


def test_sign_in_attempts_are_rate_limited_per_address(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    limited = _limited_app(database_url, tmp_path, "memory://")
    address = _random_address()
    client = _client_from(limited, address)
    for _attempt in range(3):
        assert sign_in(client, "someone@test.example", "wrong password here").status_code == 200
    blocked = sign_in(client, "someone@test.example", "wrong password here")
    assert blocked.status_code == 429
    assert "too many attempts to sign in from your network" in page_text(blocked)
    # Another address is not affected.
    other = _client_from(limited, _random_address())
    assert sign_in(other, "someone@test.example", "wrong password here").status_code == 200


def _behind_proxy(app: Flask, proxy: str, client_address: str, sent: str = "") -> FlaskClient:
    """A client whose requests reach the app through one reverse proxy at ``proxy``, which
    appends the address it saw to whatever X-Forwarded-For the client sent."""
    client = _client_from(app, proxy)
    forwarded = f"{sent}, {client_address}" if sent else client_address
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


@pytest.mark.parametrize("proxies", [0, 1])
def test_clients_behind_one_proxy_are_limited_apart_only_when_it_is_trusted(
    app: Flask, database_url: str, tmp_path: Path, proxies: int
) -> None:
    limited = _limited_app(database_url, tmp_path, "memory://", proxies=proxies)
    proxy = _random_address()
    first = _behind_proxy(limited, proxy, _random_address())
    for _attempt in range(3):
        assert sign_in(first, "someone@test.example", "wrong password here").status_code == 200
    assert sign_in(first, "someone@test.example", "wrong password here").status_code == 429
    second = _behind_proxy(limited, proxy, _random_address())
    status = sign_in(second, "someone@test.example", "wrong password here").status_code
    if proxies:
        assert status == 200, "the second client is counted on its own address"
    else:
        assert status == 429, "without a trusted proxy, everyone behind it shares its address"


def test_a_forged_forwarded_address_does_not_escape_the_limit(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    """With one trusted proxy only the address the proxy appended counts: a client that
    sends its own X-Forwarded-For cannot pick a fresh address for each attempt."""
    limited = _limited_app(database_url, tmp_path, "memory://", proxies=1)
    proxy, real = _random_address(), _random_address()
    statuses = [
        sign_in(
            _behind_proxy(limited, proxy, real, sent=_random_address()),
            "someone@test.example",
            "wrong password here",
        ).status_code
        for _attempt in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_memory_storage_counts_per_process(app: Flask, database_url: str, tmp_path: Path) -> None:
    """Two apps stand for two worker processes: with memory storage each counts alone."""
    address = _random_address()
    first = _client_from(_limited_app(database_url, tmp_path, "memory://"), address)
    second = _client_from(_limited_app(database_url, tmp_path, "memory://"), address)
    for client in (first, first, second, second):
        assert sign_in(client, "someone@test.example", "wrong password here").status_code == 200


def test_redis_storage_shares_the_count_between_processes(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    redis.Redis.from_url(REDIS_URL).ping()  # the real server, not a stand-in
    address = _random_address()
    first = _client_from(_limited_app(database_url, tmp_path, REDIS_URL), address)
    second = _client_from(_limited_app(database_url, tmp_path, REDIS_URL), address)
    statuses = [
        sign_in(client, "someone@test.example", "wrong password here").status_code
        for client in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("path", ["/sign-in/two-factor", "/sign-in/two-factor/set-up"])
def test_two_factor_steps_without_a_password_step_go_back_to_sign_in(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.headers["Location"] == "/sign-in"


def test_a_stale_form_post_comes_back_to_the_form_page(
    app: Flask, client_for: Callable[..., FlaskClient], user_of: Callable[..., User]
) -> None:
    target = user_of(Role.PRACTITIONER)
    client = client_for(Role.ADMINISTRATOR)
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT_KEY] = time.time() - 60 * 60
    response = client.post(
        f"/admin/users/{target.id}/active",
        data={"active": "0"},
        headers={"Referer": f"http://localhost/admin/users/{target.id}"},
    )
    assert response.headers["Location"] == (f"/confirm-identity?next=/admin/users/{target.id}")
    assert client.get(f"/admin/users/{target.id}").status_code == 302  # still stale


def test_nul_characters_are_refused_cleanly(app: Flask) -> None:
    """PostgreSQL cannot take a NUL in text; the request gets the styled 400 page, not a
    server error."""
    client = app.test_client()
    response = sign_in(client, "someone\x00@test.example", "wrong password \x00 here")
    assert response.status_code == 400
    assert "There is a problem with your request" in page_text(response)
    assert client.get("/sign-in?next=/x\x00").status_code == 400
