"""The HTTP session the HTTPS transports share (token endpoint, Graph, Notify).

requests lets ``REQUESTS_CA_BUNDLE`` (set on many servers) override a session's own
``verify``; this session passes ``verify`` and the timeout with every request, so
SGREVIEWS_MAIL_CA_FILE is honoured whatever the environment, while proxies from the
environment (HTTPS_PROXY) still apply.
"""

from __future__ import annotations

from typing import Any

import requests


class MailHttpSession(requests.Session):
    def __init__(self, ca_file: str | None, timeout: float) -> None:
        super().__init__()
        self._verify: str | bool = ca_file or True
        self._timeout = timeout

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("verify", self._verify)
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)
