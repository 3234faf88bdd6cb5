"""The one clock: what "today" and "now" are, and how a moment is shown to a person.

Every "today" in the code and the tests is :func:`london_today` (the calendar date in
England, whatever the server's time zone); every stored moment is :func:`utcnow` (aware,
UTC). People see moments in UK local time through :func:`to_london`. ruff's DTZ rules
refuse a naive today or now (``date.today``, ``datetime.now`` without a zone) anywhere else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today() -> date:
    """Today's date in England, whatever the server's time zone."""
    return datetime.now(LONDON).date()


def utcnow() -> datetime:
    """Now, aware, in UTC: what the database stores."""
    return datetime.now(UTC)


def to_london(moment: datetime) -> datetime:
    """A stored moment in UK local time (GMT or BST), for showing to a person. A naive
    moment is taken to be UTC, as every stored timestamp is."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)
