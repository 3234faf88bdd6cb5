"""The outbox: messages are written in the same transaction as the decisions they report,
then delivered by :func:`deliver_due` with retries and backoff.

Delivery claims a batch with a conditional UPDATE (``state`` still waiting, stamped with
this worker's token), so two delivery workers never send the same message. A failure puts
the message back as "retrying" with the error and a later attempt time; nothing is ever
dropped. A permanent refusal (a 4xx answer other than 429, an SMTP 5xx) is recorded as
such on the message and still retried on the same schedule, so fixing the cause (a
permission, a template) lets it go. A worker that died mid-send leaves "sending" rows,
which are returned to "retrying" once their claim is older than ``STALE_CLAIM``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, or_, select, update

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import OutboxMessage, OutboxState
from sgreviews.services.mail.base import Mail, MailError
from sgreviews.services.mail.config import MailSettings
from sgreviews.services.mail.transports import mail_session

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=15)
WAITING = (OutboxState.PENDING, OutboxState.RETRYING)
# Kinds whose bodies carry a live single-use link (invitations and password resets): the
# body is cleared once sent, so the outbox never keeps a usable link.
CLEAR_BODY_AFTER_SENDING = ("invitation", "password_reset")
CLEARED_BODY = "(Cleared after sending: the message held a single-use link.)"


class DeliveryRules(Protocol):
    """How hard delivery tries: ``config/reminders.toml``'s delivery settings, read by
    :class:`sgreviews.services.reminders.rules.ReminderRules`. A protocol, so the outbox
    (which also carries account mail) does not depend on the reminders package."""

    @property
    def backoff_base_seconds(self) -> int: ...

    @property
    def backoff_max_seconds(self) -> int: ...

    @property
    def outbox_batch_size(self) -> int: ...


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int
    error: str | None = None
    # Of the failed, those refused for good (retrying cannot succeed until fixed).
    permanent: int = 0


def backoff(rules: DeliveryRules, attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: base, doubling, capped at the maximum."""
    seconds = rules.backoff_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, rules.backoff_max_seconds))


def _release_stale_claims(now: datetime) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(state=OutboxState.RETRYING, claimed_by=None, next_attempt_at=now)
    )


def _claim(now: datetime, limit: int, worker: str) -> list[OutboxMessage]:
    due_ids = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state.in_(WAITING), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .scalar_subquery()
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids), OutboxMessage.state.in_(WAITING))
        .values(state=OutboxState.SENDING, claimed_by=worker, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == worker, OutboxMessage.state == OutboxState.SENDING)
            .order_by(OutboxMessage.id)
        )
    )


def _mark_failed(messages: list[OutboxMessage], error: MailError, rules: DeliveryRules) -> None:
    """Back to waiting, with the error and the next attempt: the outbox's backoff, or
    longer when the service asked for it (Retry-After)."""
    now = utcnow()
    for message in messages:
        message.attempts += 1
        message.state = OutboxState.RETRYING
        message.last_error = error.record()[:2000]
        wait = backoff(rules, message.attempts)
        if error.retry_after is not None:
            wait = max(wait, timedelta(seconds=error.retry_after))
        message.next_attempt_at = now + wait
        message.claimed_by = None


def _mark_sent(message: OutboxMessage) -> None:
    message.attempts += 1
    message.state = OutboxState.SENT
    message.sent_at = utcnow()
    message.last_error = None
    message.claimed_by = None
    if message.kind in CLEAR_BODY_AFTER_SENDING:
        message.body_text = message.body_html = CLEARED_BODY


def _mail(message: OutboxMessage) -> Mail:
    return Mail(
        message.to_address,
        message.subject,
        message.body_text,
        message.body_html,
        reference=f"sgreviews-outbox-{message.id}",
    )


def deliver_due(
    settings: MailSettings,
    rules: DeliveryRules,
    now: datetime | None = None,
    worker: str | None = None,
) -> DeliveryResult:
    """Send every message whose attempt time has come, batch by batch, through the
    configured transport, committing after each message so a crash loses no record of
    what went out. A failure of one message leaves it waiting and moves on; a failure of
    the transport (no connection, no token, throttled, down) leaves the whole batch
    waiting and stops until the next run."""
    now = now or utcnow()
    worker = worker or secrets.token_hex(8)
    _release_stale_claims(now)
    db.session.commit()
    sent = failed = permanent = 0
    last_error: str | None = None
    while True:
        batch = _claim(now, rules.outbox_batch_size, worker)
        if not batch:
            break
        try:
            with mail_session(settings) as send:
                for message in batch:
                    try:
                        send(_mail(message))
                    except MailError as error:
                        if error.whole_transport:
                            raise
                        last_error = error.record()
                        _log_failure(message, error)
                        _mark_failed([message], error, rules)
                        failed += 1
                        permanent += error.permanent
                    else:
                        _mark_sent(message)
                        sent += 1
                    db.session.commit()
        except MailError as error:
            # The transport failed: every message of the batch not yet sent waits again.
            last_error = error.record()
            unsent = [message for message in batch if message.state == OutboxState.SENDING]
            for message in unsent[:1]:
                _log_failure(message, error)
            _mark_failed(unsent, error, rules)
            failed += len(unsent)
            permanent += len(unsent) if error.permanent else 0
            db.session.commit()
            break
    return DeliveryResult(sent=sent, failed=failed, error=last_error, permanent=permanent)


def _log_failure(message: OutboxMessage, error: MailError) -> None:
    log = logger.warning if error.permanent else logger.info
    log("outbox message %s not sent (%s): %s", message.id, _failure_kind(error), error)


def _failure_kind(error: MailError) -> str:
    if error.permanent:
        return "permanent"
    return "transport down" if error.whole_transport else "will retry"


def state_counts() -> dict[OutboxState, int]:
    rows = db.session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ).all()
    counts = {state: 0 for state in OutboxState}
    for state, count in rows:
        counts[state] = count
    return counts


def recent_messages(limit: int = 100, problems_only: bool = False) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
    if problems_only:
        query = query.where(
            or_(OutboxMessage.state != OutboxState.SENT, OutboxMessage.last_error.is_not(None))
        )
    return list(db.session.scalars(query.limit(limit)))
