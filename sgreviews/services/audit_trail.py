"""Reading the audit trail: filtered, paginated with a fixed number of queries, and
exported as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import joinedload

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, User
from sgreviews.services.paging import page_window
from sgreviews.services.tabular import spreadsheet_safe

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str = ""
    event: str = ""
    actor_email: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # Set when the filters given could not be read: show nothing rather than everything.
    match_nothing: bool = False

    def apply(self, query: Select[AuditEvent]) -> Select[AuditEvent]:
        texts = (self.entity_type, self.event, self.actor_email)
        if self.match_nothing or any("\x00" in text for text in texts):
            # PostgreSQL refuses NUL in text parameters; no stored value contains one.
            return query.where(false())
        if self.entity_type:
            query = query.where(AuditEvent.entity_type == self.entity_type)
        if self.event:
            query = query.where(AuditEvent.event == self.event)
        if self.actor_email:
            actor_ids = select(User.id).where(User.email == self.actor_email.strip().lower())
            query = query.where(AuditEvent.actor_id.in_(actor_ids))
        if self.date_from is not None:
            start = datetime.combine(self.date_from, time.min, tzinfo=UTC)
            query = query.where(AuditEvent.occurred_at >= start)
        if self.date_to is not None:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)
            query = query.where(AuditEvent.occurred_at < end)
        return query


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def search(filters: AuditFilter, page: int = 1) -> AuditPage:
    """One page of events, newest first: two queries whatever the size of the trail."""
    count_query = filters.apply(select(AuditEvent)).with_only_columns(func.count(AuditEvent.id))
    total = db.session.scalar(count_query) or 0
    page, pages = page_window(page, total, PAGE_SIZE)
    events = db.session.scalars(
        filters.apply(select(AuditEvent))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return AuditPage(list(events), total, page, pages)


def filter_choices() -> tuple[list[str], list[str]]:
    """The entity types and events that occur in the trail, for the filter lists."""
    types = db.session.scalars(
        select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    ).all()
    events = db.session.scalars(
        select(AuditEvent.event).distinct().order_by(AuditEvent.event)
    ).all()
    return list(types), list(events)


CSV_COLUMNS = [
    "id",
    "occurred_at",
    "actor_email",
    "entity_type",
    "entity_id",
    "event",
    "before",
    "after",
    "client_address",
]


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    safe: str = spreadsheet_safe("" if value is None else str(value))
    return safe


def export_csv(filters: AuditFilter) -> Iterator[str]:
    """The whole filtered trail as CSV, streamed in batches so memory stays flat."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    query = (
        filters.apply(select(AuditEvent))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
        .execution_options(yield_per=500)
    )
    for event in db.session.scalars(query):
        writer.writerow(
            [
                _cell(value)
                for value in (
                    event.id,
                    event.occurred_at.isoformat(),
                    event.actor.email if event.actor else "",
                    event.entity_type,
                    event.entity_id,
                    event.event,
                    json.dumps(event.before, sort_keys=True) if event.before is not None else "",
                    json.dumps(event.after, sort_keys=True) if event.after is not None else "",
                    event.client_address,
                )
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
