"""Emailing the single-use links of :mod:`sgreviews.services.accounts.tokens`: invitations
for new users and password resets, through the reminders outbox.

The message is written to the outbox in the same transaction as the token, and the
scheduler's outbox job delivers it (with retries: a mail server that is down delays the
email, it does not lose it). The request never talks to the mail server itself, so a
"Forgot your password?" answer takes the same time whether or not the account exists.
Once a link email is sent its body is cleared from the outbox (see
``outbox.CLEAR_BODY_AFTER_SENDING``), so the database never keeps a usable link.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import OutboxMessage, OutboxState, User
from sgreviews.services import audit
from sgreviews.services.accounts import tokens as account_tokens
from sgreviews.services.accounts import users

SERVICE_NAME = "Safeguarding reviews"


def _lifetime_words(lifetime: timedelta) -> str:
    if lifetime >= timedelta(days=1):
        days = lifetime.days
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(1, int(lifetime.total_seconds() // 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _base_url() -> str:
    base: str = current_app.extensions["sgreviews.settings"].base_url
    return base.rstrip("/")


def send_link(user: User, purpose: str, *, actor: User | None) -> OutboxMessage:
    """Issue a new link for ``user`` (cancelling earlier unused ones of the same purpose)
    and queue the email carrying it. The caller commits."""
    token = account_tokens.issue(user, purpose, actor=actor)
    link = _base_url() + url_for("auth.set_password_from_link", token=token)
    lifetime = _lifetime_words(account_tokens.LIFETIMES[purpose])
    if purpose == account_tokens.INVITATION:
        subject = f"{SERVICE_NAME}: you have been given an account"
        opening = (
            "An administrator has given you an account on the safeguarding reviews service. "
            "Choose your password with this link:"
        )
        action = "Choose your password"
        closing = "After that, sign in with your email address and the password you chose."
    else:
        subject = f"{SERVICE_NAME}: reset your password"
        opening = "Someone asked to reset the password of your account. Choose a new one here:"
        action = "Choose a new password"
        closing = "Your old password keeps working until you choose a new one."
    context = {
        "subject": subject,
        "greeting": f"Dear {user.display_name},",
        "opening": opening,
        "action": action,
        "closing": closing,
        "link": link,
        "lifetime": lifetime,
        "service": SERVICE_NAME,
    }
    environment = current_app.jinja_env
    message = OutboxMessage(
        recipient_user_id=user.id,
        to_address=user.email,
        subject=subject,
        body_text=environment.get_template("account_mail/link_email.txt").render(**context),
        body_html=environment.get_template("account_mail/link_email.html").render(**context),
        kind=purpose,
        run_date=None,
        item_count=0,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    audit.record(actor, "user", user.id, f"{purpose}_emailed")
    return message


def purpose_for(user: User) -> str:
    """An invitation for someone who has never signed in, else a password reset."""
    return (
        account_tokens.INVITATION
        if user.last_signed_in_at is None
        else account_tokens.PASSWORD_RESET
    )


def request_password_reset(email: str) -> None:
    """Someone typed ``email`` on the "Forgot your password?" page: email a reset link only
    when an active account has that address. Says nothing either way (the page is the
    same), so the page cannot be used to find out who has an account."""
    user = users.find_by_email(email)
    if user is None or not user.is_active:
        return
    send_link(user, account_tokens.PASSWORD_RESET, actor=None)
