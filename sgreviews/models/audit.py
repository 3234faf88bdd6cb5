"""The audit trail: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime
from sgreviews.models.user import User


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # "review", "finding", "action", "user", "session", ...
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    # "create", "update", "delete", "sign_in", "denied", ...
    event: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The address the request came from (after ProxyFix, so a trusted proxy's client); none
    # for the scheduler and the command line. 45 characters hold any IPv6 text form.
    client_address: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship()
