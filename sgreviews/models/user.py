"""People who sign in, and the role that decides what they may do."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from sgreviews.clock import utcnow
from sgreviews.models.base import Base, UTCDateTime, str_enum
from sgreviews.models.organisation import Agency, Partnership


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

    @property
    def serves_partnerships(self) -> bool:
        """Secretariat and chair users may be linked to the partnerships they serve."""
        return self in (Role.SECRETARIAT, Role.CHAIR)


# The partnerships a secretariat or chair user serves. A secretariat or chair user with no
# row here is a national (business-office) user: reminders and escalations for a
# partnership nobody serves go to them. Other roles have no rows.
user_partnership = Table(
    "user_partnership",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    # Indexed on its own: "who serves this partnership" reads by partnership.
    Column(
        "partnership_id",
        ForeignKey("partnership.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class User(Base):
    __tablename__ = "user_account"
    # One account per single sign-on identity (issuer and subject, never reassigned).
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

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
    # Two-factor authentication (TOTP). The secret is kept from enrolment start; it counts
    # only once confirmed with a code. The last accepted time step stops a code being
    # replayed within its window.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None]
    # Single sign-on (OpenID Connect): the provider and the person's identifier there.
    # Set on an account made or matched by single sign-on; it then signs in only that way
    # (no password, no local second factor: the organisation's provider does both).
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    agency: Mapped[Agency | None] = relationship()
    partnerships: Mapped[list[Partnership]] = relationship(
        secondary=user_partnership, order_by=Partnership.name
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    @property
    def uses_single_sign_on(self) -> bool:
        return self.oidc_subject is not None

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


class RecoveryCode(Base):
    """A single-use code that signs in when the authenticator app is lost. Codes are long
    random strings, so a SHA-256 digest (not a slow password hash) is enough to store."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class SignInThrottle(Base):
    """Failed sign-ins counted per email address (stored as a digest, so mistyped
    addresses are not kept), whether or not an account has that address: a lockout then
    looks the same for every address and reveals nothing about which accounts exist."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_digest: Mapped[str] = mapped_column(String(64), unique=True)
    failed_count: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountToken(Base):
    """A single-use, time-limited link to set a password: an invitation for a new user, or
    a password reset. Only a SHA-256 digest of the token is stored; the token itself is
    in the link alone."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))  # "invitation" | "password_reset"
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
