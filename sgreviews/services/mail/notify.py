"""Sending through GOV.UK Notify with ``notifications-python-client``.

Every message uses one email template whose subject is ``((subject))`` and whose body is
``((body))``; the outbox's subject and plain-text body are its personalisation (Notify
makes its own HTML). The outbox row's reference goes with it, so a notification in
Notify's dashboard can be traced back.

Notify answers 201 Created. 429 (rate or daily limit) and 5xx stop the batch; 403 (a bad
or revoked key) stops it and is permanent; 400 (a bad address, a team-only key) is this
message's permanent failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from sgreviews.services.mail.base import (
    Mail,
    MailError,
    is_permanent_status,
    retry_after_seconds,
)
from sgreviews.services.mail.config import MailSettings, NotifySettings
from sgreviews.services.mail.http import MailHttpSession

# Notify's error answers are {"status_code": 400, "errors": [{"error": ..., "message": ...}]}.


def _describe(error: APIError) -> str:
    message: Any = error.message
    if isinstance(message, list):
        return "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}"
            for item in message
            if isinstance(item, dict)
        )
    return str(message)


def _settings(settings: MailSettings) -> NotifySettings:
    if not settings.usable:
        raise MailError("; ".join(settings.problems), permanent=True, whole_transport=True)
    if settings.notify is None:
        raise MailError(
            "the mail transport is not GOV.UK Notify", permanent=True, whole_transport=True
        )
    return settings.notify


def client(settings: MailSettings) -> NotificationsAPIClient:
    notify = _settings(settings)
    api = NotificationsAPIClient(
        notify.api_key, base_url=notify.base_url, timeout=settings.timeout_seconds
    )
    api.request_session = MailHttpSession(settings.ca_file, settings.timeout_seconds)
    return api


def notify_error(error: APIError, what: str) -> MailError:
    status = error.status_code
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    return MailError(
        f"GOV.UK Notify refused {what} (HTTP {status} {_describe(error)})",
        permanent=is_permanent_status(status),
        whole_transport=status in (401, 403, 429) or status >= 500,
        retry_after=retry_after_seconds(headers.get("Retry-After")),
    )


@contextmanager
def notify_session(settings: MailSettings) -> Iterator[Callable[[Mail], None]]:
    notify = _settings(settings)
    api = client(settings)

    def send(mail: Mail) -> None:
        try:
            api.send_email_notification(
                email_address=mail.to_address,
                template_id=notify.template_id,
                personalisation={"subject": mail.subject, "body": mail.body_text},
                reference=mail.reference,
                email_reply_to_id=notify.reply_to_id or None,
            )
        except APIError as error:
            raise notify_error(error, "the message") from error

    try:
        yield send
    finally:
        api.request_session.close()


def check_template(settings: MailSettings) -> list[str]:
    """Problems with the Notify template: reachable with this key, an email template, with
    ((subject)) in its subject and ((body)) in its body."""
    notify = _settings(settings)
    api = client(settings)
    try:
        template = api.get_template(notify.template_id)
    except APIError as error:
        return [str(notify_error(error, f"the template {notify.template_id}"))]
    finally:
        api.request_session.close()
    problems = []
    if template.get("type") != "email":
        problems.append(f"GOV.UK Notify template {notify.template_id} is not an email template")
    if "((subject))" not in str(template.get("subject", "")):
        problems.append(
            f"GOV.UK Notify template {notify.template_id} has no ((subject)) in its subject"
        )
    if "((body))" not in str(template.get("body", "")):
        problems.append(f"GOV.UK Notify template {notify.template_id} has no ((body)) in its body")
    return problems
