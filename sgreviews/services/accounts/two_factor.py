"""Two-factor authentication: TOTP (RFC 6238, via pyotp) and single-use recovery codes.

Administrators, secretariat and chairs must use it when SGREVIEWS_TWO_FACTOR is
``required`` (always in production). Anyone who has enrolled is asked for a code.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import select

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import Role, User
from sgreviews.models.user import RecoveryCode
from sgreviews.services import audit

ROLES_NEEDING_TWO_FACTOR = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT, Role.CHAIR})
ISSUER = "Safeguarding reviews"
RECOVERY_CODE_COUNT = 10
# Codes are read off a phone: accept the previous and next 30-second step for clock drift.
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def needs_two_factor(user: User, required_by_setting: bool) -> bool:
    """Must this user give a second factor when signing in?"""
    return user.has_two_factor or (required_by_setting and user.role in ROLES_NEEDING_TWO_FACTOR)


def start_enrolment(user: User) -> str:
    """Give the user a new, unconfirmed secret (or keep the unconfirmed one they have, so
    reloading the page does not change the code their app already shows)."""
    if user.totp_secret is None or user.totp_confirmed_at is None:
        if user.totp_secret is None:
            user.totp_secret = pyotp.random_base32()
        db.session.flush()
    assert user.totp_secret is not None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, drawn on the server (no script, no
    third-party image service)."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5, title="QR code for your authenticator app", dark="#0b0c0c"
        )
    )


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _verify_totp(user: User, code: str, at: float | None = None) -> bool:
    """Check a six-digit code, refusing one already used (the same or an earlier step)."""
    if user.totp_secret is None:
        return False
    code = _normalise(code)
    if not (len(code) == 6 and code.isdigit()):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time() if at is None else at
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = totp.timecode(datetime.fromtimestamp(now, UTC)) + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Confirm the secret with a code from the app. Returns new recovery codes (shown once)
    or None when the code is wrong."""
    if not _verify_totp(user, code):
        return None
    user.totp_confirmed_at = utcnow()
    codes = _replace_recovery_codes(user)
    audit.record(user, "user", user.id, "two_factor_enrolled")
    return codes


def verify_sign_in_code(user: User, code: str) -> str | None:
    """Check a code given at sign-in: a TOTP code or an unused recovery code. Returns
    "totp" or "recovery_code" for the audit trail, or None when it is wrong."""
    if _verify_totp(user, code):
        return "totp"
    digest = _digest(code)
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_digest == digest,
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return None
    recovery.used_at = utcnow()
    audit.record(user, "user", user.id, "recovery_code_used")
    return "recovery_code"


def remaining_recovery_codes(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def reset(user: User, actor: User | None) -> None:
    """Remove a user's second factor (an administrator does this when a phone is lost and
    the recovery codes are gone); the user enrols again at their next sign-in."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.recovery_codes.clear()
    db.session.flush()
    audit.record(actor, "user", user.id, "two_factor_reset")


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    user.recovery_codes.clear()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes.extend(RecoveryCode(code_digest=_digest(code)) for code in codes)
    db.session.flush()
    return codes
