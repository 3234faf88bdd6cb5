"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from sgreviews.extensions import db
from sgreviews.models import User
from sgreviews.policy import home_endpoint
from sgreviews.services import users
from sgreviews.web.access import public, signed_in
from sgreviews.web.auth.forms import SignInForm

blueprint = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"


def _safe_next(target: str | None) -> str | None:
    """Only follow a same-site path after signing in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@blueprint.route("/")
@public
def index() -> Response:
    if isinstance(current_user, User) and current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> Response | str:
    form = SignInForm()
    if form.validate_on_submit():
        result = users.authenticate(form.email.data or "", form.password.data or "")
        db.session.commit()
        if result.user is not None:
            login_user(result.user)
            destination = _safe_next(request.args.get("next"))
            return redirect(destination or url_for(home_endpoint(result.user)))
        form.email.errors = [SIGN_IN_FAILED]
    return render_template("auth/sign_in.html", form=form)


@blueprint.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    logout_user()
    return redirect(url_for("auth.sign_in", signed_out=1))


@blueprint.route("/health")
@public
def health() -> dict[str, str]:
    return {"status": "ok"}
