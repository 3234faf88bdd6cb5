"""People who sign in, and the role that decides what they may do."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from sgreviews.models.base import Base, UTCDateTime, str_enum, utcnow
from sgreviews.models.organisation import Agency


class Role(enum.Enum):
    ADMINISTRATOR = "administrator"
    SECRETARIAT = "secretariat"
    CHAIR = "chair"
    AGENCY_LEAD = "agency_lead"
    PRACTITIONER = "practitioner"

    @property
    def label(self) -> str:
        return {
            "administrator": "Administrator",
            "secretariat": "Secretariat",
            "chair": "Chair",
            "agency_lead": "Agency lead",
            "practitioner": "Practitioner",
        }[self.value]

    @property
    def needs_agency(self) -> bool:
        return self in (Role.AGENCY_LEAD, Role.PRACTITIONER)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency | None] = relationship()

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)
