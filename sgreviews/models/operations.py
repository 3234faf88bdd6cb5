"""Operations: the scheduler process's heartbeat, which says the scheduler is alive (the
readiness check and the administrator's reminder log read it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from sgreviews.models.base import Base, UTCDateTime


class SchedulerHeartbeat(Base):
    """One row per scheduler name ("scheduler"), rewritten by the running scheduler every
    ``HEARTBEAT_SECONDS``. Two schedulers share the row: the newest beat wins, which is
    all the question "is a scheduler running?" needs."""

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    # host:pid of the process that beat last.
    process: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
