"""Sending through Microsoft Graph: ``POST /v1.0/users/{mailbox}/sendMail`` with an
application token (client credentials, ``Mail.Send`` application permission, which an
Exchange application access policy can limit to the one mailbox).

Graph answers 202 Accepted with no body. A 429 or 5xx (throttling, an outage) stops the
batch, honouring Retry-After; 401 and 403 (the token or the permission) stop it too and
are permanent; any other 4xx is this message's permanent failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import requests

from sgreviews.services.mail.base import (
    Mail,
    MailError,
    is_permanent_status,
    retry_after_seconds,
)
from sgreviews.services.mail.config import GraphSettings, MailSettings
from sgreviews.services.mail.http import MailHttpSession
from sgreviews.services.mail.oauth import token_source


def message_json(mail: Mail, save_to_sent_items: bool) -> dict[str, Any]:
    """The documented sendMail request body (one HTML body: Graph takes one)."""
    return {
        "message": {
            "subject": mail.subject,
            "body": {"contentType": "HTML", "content": mail.body_html},
            "toRecipients": [{"emailAddress": {"address": mail.to_address}}],
        },
        "saveToSentItems": save_to_sent_items,
    }


def _graph_error(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        return response.text[:300]


def _settings(settings: MailSettings) -> GraphSettings:
    if not settings.usable:
        raise MailError("; ".join(settings.problems), permanent=True, whole_transport=True)
    if settings.graph is None or settings.oauth is None:
        raise MailError(
            "the mail transport is not Microsoft Graph", permanent=True, whole_transport=True
        )
    return settings.graph


def token(settings: MailSettings) -> str:
    assert settings.oauth is not None
    return token_source(settings.oauth, settings.ca_file, settings.timeout_seconds).token()


@contextmanager
def graph_session(settings: MailSettings) -> Iterator[Callable[[Mail], None]]:
    graph = _settings(settings)
    access_token = token(settings)
    url = f"{graph.base_url}/v1.0/users/{quote(graph.mailbox, safe='@')}/sendMail"
    with MailHttpSession(settings.ca_file, settings.timeout_seconds) as session:
        session.headers["Authorization"] = f"Bearer {access_token}"

        def send(mail: Mail) -> None:
            try:
                response = session.post(
                    url,
                    json=message_json(mail, graph.save_to_sent_items),
                )
            except requests.RequestException as error:
                raise MailError(
                    f"cannot reach Microsoft Graph at {graph.base_url}: {error}",
                    whole_transport=True,
                ) from error
            if response.status_code == 202:
                return
            status = response.status_code
            text = f"Microsoft Graph refused the message (HTTP {status} {_graph_error(response)})"
            raise MailError(
                text,
                permanent=is_permanent_status(status),
                whole_transport=status in (401, 403, 429) or status >= 500,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )

        yield send
