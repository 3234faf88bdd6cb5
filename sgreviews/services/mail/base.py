"""What every mail transport shares: the message, and the errors that tell the outbox
whether to stop the batch, how long to wait and whether retrying can succeed."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from sgreviews.clock import utcnow

# The longest wait a server's Retry-After may ask for before the outbox's own backoff
# takes over again (a day).
RETRY_AFTER_CAP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Mail:
    to_address: str
    subject: str
    body_text: str
    body_html: str
    # The outbox row's own reference (GOV.UK Notify keeps it with the notification).
    reference: str | None = None


class MailError(RuntimeError):
    """A message could not be sent; the text says why.

    ``whole_transport``: the transport itself failed (no connection, refused credentials,
    no token, throttled, the service down), so the rest of the batch waits too.
    ``permanent``: the service refused for good (a 4xx answer other than 429, an SMTP 5xx
    reply); retries continue on the outbox's schedule, but cannot succeed until someone
    fixes the cause, and the recorded error says so.
    ``retry_after``: seconds the service asked us to wait (HTTP Retry-After)."""

    def __init__(
        self,
        text: str,
        *,
        permanent: bool = False,
        whole_transport: bool = False,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(text)
        self.permanent = permanent
        self.whole_transport = whole_transport
        self.retry_after = retry_after

    def record(self) -> str:
        """The text kept on the outbox row."""
        if self.permanent:
            return f"Permanent failure (retrying cannot succeed until this is fixed): {self}"
        return str(self)


def is_permanent_status(status: int) -> bool:
    """An HTTP status that retrying the same request will not change: 4xx except 429."""
    return 400 <= status < 500 and status != 429


def retry_after_seconds(value: str | None) -> int | None:
    """An HTTP Retry-After header (seconds or an HTTP date) as whole seconds, capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = int((when - utcnow()).total_seconds())
    return max(0, min(seconds, RETRY_AFTER_CAP_SECONDS))
