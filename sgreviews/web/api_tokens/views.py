"""The "API tokens" page: make a token (shown once), see each token's scope, expiry and
last use, and revoke one. Any signed-in user may hold tokens; what a token can do is
what its user's role and agency may do (``policy``), narrowed by its scope."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.models import ApiScope, User
from sgreviews.policy import Permission, has_permission
from sgreviews.services.accounts import api_tokens
from sgreviews.services.editing import FieldError
from sgreviews.web.access import signed_in
from sgreviews.web.api_tokens.forms import NewTokenForm
from sgreviews.web.auth.session_security import recent_authentication_required
from sgreviews.web.forms_common import add_error
from sgreviews.web.transactions import transaction

blueprint = Blueprint("api_tokens", __name__)


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def _form() -> NewTokenForm:
    form = NewTokenForm()
    form.offer(
        may_write=has_permission(current_user, Permission.UPDATE_ACTIONS),
        max_days=current_app.extensions["sgreviews.settings"].api_token_max_days,
    )
    return form


def _page(form: NewTokenForm, new_token: str | None = None) -> str:
    return render_template(
        "api_tokens/index.html",
        form=form,
        tokens=api_tokens.tokens_of(_user()),
        new_token=new_token,
    )


@blueprint.route("/account/api-tokens", methods=["GET", "POST"])
@signed_in
@recent_authentication_required
def index() -> Response | str:
    form = _form()
    if not form.validate_on_submit():
        return _page(form)
    settings = current_app.extensions["sgreviews.settings"]
    try:
        with transaction():
            _token, raw = api_tokens.create(
                user=_user(),
                name=form.name.data or "",
                scope=ApiScope(form.scope.data),
                days=int(form.days.data or 0),
                max_days=settings.api_token_max_days,
            )
    except FieldError as error:
        add_error(form, error.field_name, error.message)
        return _page(form)
    # Shown once, on this response only: only its digest is stored.
    return _page(_form_after_create(), new_token=raw)


def _form_after_create() -> NewTokenForm:
    form = _form()
    form.name.data = ""
    return form


@blueprint.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke(token_id: int) -> Response:
    with transaction():
        token = api_tokens.revoke(user=_user(), token_id=token_id)
    if token is None:
        abort(404)
    flash(f"The token “{token.name}” is revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.index"))
