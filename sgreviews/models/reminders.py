"""Reminders: the ledger of every reminder decision, the outbox of messages to deliver,
in-app notifications, each user's notification settings, snoozes on actions, and the lock
that keeps two scheduler processes from running the same daily run at once."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum
from sgreviews.models.user import User


class ReminderLedgerEntry(Base):
    """One reminder decision. The unique key (subject, kind, threshold, due date as it was)
    is what makes each reminder go out once, however many processes run: a second insert of
    the same key is skipped. A changed due date gives new keys, so its reminders re-arm."""

    __tablename__ = "reminder_ledger"
    __table_args__ = (
        UniqueConstraint(
            "subject_type",
            "subject_id",
            "kind",
            "threshold",
            "due_date",
            name="uq_reminder_ledger_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "action" today; "review_clock" and "briefing" are extension points.
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    # "reminder" (before, on and after the due date) or "escalation".
    kind: Mapped[str] = mapped_column(String(20))
    # Days relative to the due date (-14 = fourteen days before; 7 = seven days overdue).
    threshold: Mapped[int]
    due_date: Mapped[date]
    # The day of the run that made the decision (the --today of a catch-up run).
    run_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxState(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting to send",
            "sending": "Sending",
            "retrying": "Failed, will retry",
            "sent": "Sent",
        }[self.value]


class OutboxMessage(Base):
    """An email waiting for, or past, delivery. Written in the same transaction as the
    decisions it reports; never deleted on failure, only retried."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # "digest" for reminder digests; other issues may add kinds.
    kind: Mapped[str] = mapped_column(String(40), default="digest")
    run_date: Mapped[date | None]
    item_count: Mapped[int] = mapped_column(default=0)
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Which delivery worker holds the message while it is being sent.
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User | None] = relationship()


class Notification(Base):
    """One item for one person from one run: shown in the app, and (for people who chose
    email) gathered into that run's digest."""

    __tablename__ = "notification"
    __table_args__ = (
        # The header's unread count reads this index alone (migration 0016).
        Index("ix_notification_user_unread", "user_id", "read_at"),
        # The unsent email items only (migration 0015): a claim takes an item out of it.
        Index(
            "ix_notification_unsent",
            "user_id",
            postgresql_where=text("wants_email IS true AND digest_id IS NULL"),
            sqlite_where=text("wants_email IS 1 AND digest_id IS NULL"),
        ),
        # Claimed items only: a new item adds no entry.
        Index(
            "ix_notification_digest_id",
            "digest_id",
            postgresql_where=text("digest_id IS NOT NULL"),
            sqlite_where=text("digest_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    run_date: Mapped[date]
    # "due_soon", "due", "overdue" or "escalation": orders the digest, most urgent first.
    severity: Mapped[str] = mapped_column(String(20))
    headline: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)
    link_path: Mapped[str] = mapped_column(String(300))
    wants_email: Mapped[bool] = mapped_column(default=True)
    # The outbox message (digest) that claimed this item. No foreign key: checking one per
    # claimed item was most of a large run's time (migration 0015); digests are deleted
    # only when they claimed nothing.
    digest_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationSetting(Base):
    """A user's choice of email or in-app only, and their private calendar feed. Kept in
    its own table so the user account stays small and other work can change it freely."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    email_digest: Mapped[bool] = mapped_column(default=True)
    # SHA-256 of the feed's secret; the secret itself is shown once and never stored.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    calendar_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ActionSnooze(Base):
    """The secretariat pausing reminders for one action until a date, with a reason."""

    __tablename__ = "action_snooze"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    snoozed_until: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class JobLock(Base):
    """A named lease held by one process at a time (the daily reminder run). A holder that
    died is replaced once its heartbeat is older than the lease."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
