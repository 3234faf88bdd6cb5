"""Helpers for true races through a real server: a person's browser (own cookies and
connection, redirects not followed), saves released together by one barrier, and reading
a form's hidden fields. Used by ``tests/integration/test_simultaneous_*.py``."""

from __future__ import annotations

import http.cookiejar
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import make_server

from tests import factories

Form = dict[str, str | list[str]]


@dataclass
class Reply:
    status: int
    body: str


class Browser:
    """One person's browser: its own cookies and connection; redirects are not followed,
    so a save shows as its 302."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: object, **_kwargs: object) -> None:
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect()
        )

    def request(self, path: str, data: Form | None = None) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def upload(self, path: str, data: dict[str, str], files: dict[str, tuple[str, bytes]]) -> Reply:
        """Post a form with files (multipart), as a browser sends an upload."""
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
            for name, value in data.items()
        ]
        parts += [
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
            for name, (file_name, content) in files.items()
        ]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def sign_in(self, email: str) -> None:
        reply = self.request("/sign-in", {"email": email, "password": factories.PASSWORD})
        assert reply.status == 302, reply.body[:500]


def signed_in(base: str, email: str) -> Browser:
    browser = Browser(base)
    browser.sign_in(email)
    return browser


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` served by a threaded server for the block; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def together(*saves: Callable[[], Reply]) -> list[Reply]:
    """Run the saves in threads released by one barrier; their replies, in order."""
    barrier = threading.Barrier(len(saves), timeout=30)
    replies: list[Reply | None] = [None] * len(saves)

    def run(index: int) -> None:
        barrier.wait()
        replies[index] = saves[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(reply is not None for reply in replies), "a save never answered"
    return [reply for reply in replies if reply is not None]


def post(browser: Browser, path: str, data: Form) -> Callable[[], Reply]:
    """A save, ready to be released by the barrier."""
    return lambda: browser.request(path, data)


def hidden(html: str, name: str) -> str:
    marker = f'name="{name}" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def no_server_errors(replies: list[Reply]) -> None:
    assert [reply.status for reply in replies if reply.status >= 500] == [], [
        (reply.status, reply.body[:300]) for reply in replies
    ]
