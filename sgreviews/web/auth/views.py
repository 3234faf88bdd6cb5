"""Signing in (password, then a second factor where needed) and out, two-factor
enrolment, and confirming identity again before sensitive operations."""

from __future__ import annotations

import math
import time
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from sgreviews.clock import utcnow
from sgreviews.models import User
from sgreviews.policy import home_endpoint
from sgreviews.services import audit
from sgreviews.services.accounts import mail as account_mail
from sgreviews.services.accounts import tokens as account_tokens
from sgreviews.services.accounts import two_factor as two_factor_service
from sgreviews.services.accounts import users
from sgreviews.services.accounts.passwords import password_problem
from sgreviews.settings import Settings
from sgreviews.web.access import public, signed_in
from sgreviews.web.auth import rate_limit, session_security
from sgreviews.web.auth.forms import (
    ChoosePasswordForm,
    ConfirmIdentityForm,
    EnrolmentForm,
    ForgotPasswordForm,
    SignInForm,
    TwoFactorCodeForm,
)
from sgreviews.web.transactions import transaction

blueprint = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"
CODE_FAILED = "Enter a correct code from your authenticator app, or an unused recovery code"
TOO_MANY_ATTEMPTS = (
    "There have been too many attempts to sign in from your network. Wait a minute, then try again"
)
# Minutes a half-finished sign-in (password given, code not yet) stays usable.
PENDING_MINUTES = 10
_PENDING_USER = "pending_user_id"
_PENDING_AT = "pending_at"
_PENDING_NEXT = "pending_next"


def _settings() -> Settings:
    settings: Settings = current_app.extensions["sgreviews.settings"]
    return settings


def _safe_next(target: str | None) -> str | None:
    """Only follow a same-site path after signing in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def locked_message(until: datetime) -> str:
    """The same words for every address, whether or not it has an account."""
    minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
    return (
        "There have been too many failed attempts to sign in with this email address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask an "
        "administrator for help"
    )


@blueprint.route("/")
@public
def index() -> Response:
    if isinstance(current_user, User) and current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> Response | str | tuple[str, int]:
    """The sign-in page: the email and password form, the "Sign in with your
    organisation's account" button, or both (SGREVIEWS_SIGN_IN_METHODS)."""
    form = SignInForm()
    if request.method == "POST" and not _settings().passwords_allowed:
        abort(405)  # single sign-on only: no password is accepted
    if request.method == "POST" and not rate_limit.allow_sign_in_attempt():
        form.validate()
        form.email.errors = [TOO_MANY_ATTEMPTS]
        return _sign_in_page(form), 429
    if form.validate_on_submit():
        settings = _settings()
        with transaction():
            result = users.authenticate(
                form.email.data or "",
                form.password.data or "",
                lockout_threshold=settings.lockout_threshold,
                lockout_minutes=settings.lockout_minutes,
                two_factor_required=settings.two_factor_required,
            )
        destination = _safe_next(request.args.get("next"))
        if result.user is not None and result.needs_second_factor:
            session.clear()
            session[_PENDING_USER] = result.user.id
            session[_PENDING_AT] = time.time()
            session[_PENDING_NEXT] = destination
            if result.user.has_two_factor:
                return redirect(url_for("auth.two_factor"))
            return redirect(url_for("auth.two_factor_set_up"))
        if result.user is not None:
            session_security.start_session(result.user)
            return redirect(destination or url_for(home_endpoint(result.user)))
        if result.locked_until is not None:
            form.email.errors = [locked_message(result.locked_until)]
        else:
            form.email.errors = [SIGN_IN_FAILED]
    return _sign_in_page(form)


def _sign_in_page(form: SignInForm) -> str:
    settings = _settings()
    return render_template(
        "auth/sign_in.html",
        form=form,
        single_sign_on=settings.single_sign_on,
        passwords_allowed=settings.passwords_allowed,
    )


def _passwords_only_when_allowed() -> None:
    """Pages about local passwords do not exist when single sign-on is the only way in."""
    if not _settings().passwords_allowed:
        abort(404)


def _pending_user() -> User | None:
    """The user who has given their password and still owes a code, if that was recent."""
    user_id, started = session.get(_PENDING_USER), session.get(_PENDING_AT)
    if not isinstance(user_id, int) or not isinstance(started, int | float):
        return None
    if time.time() - started > PENDING_MINUTES * 60:
        return None
    user = users.get_user(user_id)
    if user is None or not user.is_active:
        return None
    return user


def _finish(user: User, method: str) -> str:
    """Complete a two-factor sign-in; returns where to go next."""
    destination = _safe_next(session.get(_PENDING_NEXT))
    with transaction():
        users.complete_sign_in(user, method=method)
    session_security.start_session(user)
    return destination or url_for(home_endpoint(user))


def _restart_sign_in() -> Response:
    for key in (_PENDING_USER, _PENDING_AT, _PENDING_NEXT):
        session.pop(key, None)
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/sign-in/two-factor", methods=["GET", "POST"])
@public  # the password step is checked through the session below
def two_factor() -> Response | str:
    user = _pending_user()
    if user is None or not user.has_two_factor:
        return _restart_sign_in()
    form = TwoFactorCodeForm()
    if request.method == "POST" and not rate_limit.allow_sign_in_attempt():
        form.validate()
        form.code.errors = [TOO_MANY_ATTEMPTS]
        return render_template("auth/two_factor.html", form=form)
    if form.validate_on_submit():
        method = two_factor_service.verify_sign_in_code(user, form.code.data or "")
        if method is not None:
            return redirect(_finish(user, method))
        settings = _settings()
        with transaction():
            users.record_failure(
                user.email, threshold=settings.lockout_threshold, minutes=settings.lockout_minutes
            )
            audit.record(user, "session", None, "two_factor_failed")
        locked_until = users.lockout_expiry(user.email)
        if locked_until is not None:
            session.clear()
            form.code.errors = [locked_message(locked_until)]
        else:
            form.code.errors = [CODE_FAILED]
    return render_template("auth/two_factor.html", form=form)


@blueprint.route("/sign-in/two-factor/set-up", methods=["GET", "POST"])
@public  # the password step is checked through the session below
def two_factor_set_up() -> Response | str:
    user = _pending_user()
    if user is None or user.has_two_factor:
        return _restart_sign_in()
    with transaction():
        secret = two_factor_service.start_enrolment(user)
    uri = two_factor_service.provisioning_uri(user)
    form = EnrolmentForm()
    if form.validate_on_submit():
        with transaction():
            codes = two_factor_service.confirm_enrolment(user, form.code.data or "")
        if codes is not None:
            destination = _finish(user, "totp_enrolment")
            return render_template("auth/recovery_codes.html", codes=codes, destination=destination)
        form.code.errors = ["Enter the 6-digit code your authenticator app shows now"]
    return render_template(
        "auth/two_factor_set_up.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        uri=uri,
        qr_svg=two_factor_service.qr_code_svg(uri),
    )


@blueprint.route("/confirm-identity", methods=["GET", "POST"])
@signed_in
def confirm_identity() -> Response | str:
    user = current_user
    assert isinstance(user, User)
    if user.uses_single_sign_on:
        # No password here: the organisation's provider asks the person to sign in afresh.
        return render_template(
            "auth/confirm_identity_sso.html", next=_safe_next(request.args.get("next"))
        )
    form = ConfirmIdentityForm()
    if form.validate_on_submit():
        settings = _settings()
        password_ok = users.check_password(user, form.password.data or "")
        # The code is only checked after the password, so a wrong password does not use
        # up a recovery code.
        code_ok = not user.has_two_factor or (
            password_ok
            and two_factor_service.verify_sign_in_code(user, form.code.data or "") is not None
        )
        if password_ok and code_ok:
            with transaction():
                audit.record(user, "session", None, "reauthenticated")
            session_security.mark_reauthenticated()
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
        with transaction():
            users.record_failure(
                user.email, threshold=settings.lockout_threshold, minutes=settings.lockout_minutes
            )
            audit.record(user, "session", None, "reauthentication_failed")
        if users.lockout_expiry(user.email) is not None:
            logout_user()
            session.clear()
            return redirect(url_for("auth.sign_in"))
        if not password_ok:
            form.password.errors = ["Enter your correct password"]
        else:
            form.code.errors = [CODE_FAILED]
    return render_template("auth/confirm_identity.html", form=form, user=user)


@blueprint.route("/account/set-password/<token>", methods=["GET", "POST"])
@public  # the single-use token in the link is the credential
def set_password_from_link(token: str) -> Response | str | tuple[str, int]:
    _passwords_only_when_allowed()
    user = account_tokens.user_for(token)
    if user is None:
        return render_template("auth/link_expired.html"), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        problem = password_problem(
            form.password.data or "", email=user.email, display_name=user.display_name
        )
        if problem is not None:
            form.password.errors = [problem]
        else:
            with transaction():
                account_tokens.redeem(token, form.password.data or "")
            logout_user()
            session.clear()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/choose_password.html", form=form, user=user, token=token)


TOO_MANY_RESET_REQUESTS = (
    "There have been too many requests from your network. Wait a minute, then try again"
)


@blueprint.route("/account/forgot-password", methods=["GET", "POST"])
@public
def forgot_password() -> Response | str | tuple[str, int]:
    """Ask for a password reset link. Whatever address is typed, the answer is the same
    page (it never says whether an account exists); a link is emailed only when an active
    account has that address. Counted by the sign-in rate limiter, in a scope of its own,
    so the page cannot be used to flood someone's inbox or to probe at speed."""
    _passwords_only_when_allowed()
    form = ForgotPasswordForm()
    if request.method == "POST" and not rate_limit.allow_sign_in_attempt("forgot-password"):
        form.validate()
        form.email.errors = [TOO_MANY_RESET_REQUESTS]
        return render_template("auth/forgot_password.html", form=form), 429
    if form.validate_on_submit():
        with transaction():
            account_mail.request_password_reset(form.email.data or "")
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form)


@blueprint.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    """End the session; after a single sign-on, go on to sign out at the provider too."""
    if session_security.end_session():
        return redirect(url_for("sso.end_session"))
    return redirect(url_for("auth.sign_in", signed_out=1))


@blueprint.route("/health")
@public
def health() -> dict[str, str]:
    return {"status": "ok"}
