"""Administration: users and agencies. Every change needs a recent sign-in
(``recent_authentication_required``) and goes to the audit trail with before and after."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.models import Agency, Partnership, Role, Sector, User
from sgreviews.policy import Permission
from sgreviews.services.accounts import mail as account_mail
from sgreviews.services.accounts import tokens as account_tokens
from sgreviews.services.accounts import two_factor, users
from sgreviews.services.organisations import agencies as agency_admin
from sgreviews.services.organisations import directory as organisations
from sgreviews.web.access import requires
from sgreviews.web.admin.forms import (
    AgencyForm,
    ConfirmForm,
    EditUserForm,
    NewUserForm,
    SetPasswordForm,
    settle_date_inputs,
)
from sgreviews.web.auth.session_security import recent_authentication_required
from sgreviews.web.paging import govuk_pagination
from sgreviews.web.paging import with_page as _with_page
from sgreviews.web.transactions import transaction

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _actor() -> User:
    assert isinstance(current_user, User)
    return current_user


def _user_or_404(user_id: int) -> User:
    user = users.get_user(user_id)
    if user is None:
        abort(404)
    return user


def _agency_or_404(agency_id: int) -> Agency:
    agency = agency_admin.get_agency(agency_id)
    if agency is None:
        abort(404)
    return agency


def _agency_from_form(value: str | None) -> Agency | None:
    if not value:
        return None
    return agency_admin.get_agency(int(value)) if value.isdigit() else None


def _chosen(partnerships: list[Partnership], ids: list[int] | None) -> list[Partnership]:
    wanted = set(ids or [])
    return [partnership for partnership in partnerships if partnership.id in wanted]


@blueprint.route("/users", endpoint="users")
@requires(Permission.MANAGE_USERS)
def users_list() -> str:
    """Users a page at a time (50,000 in a national deployment), searchable by name or
    email address; then every agency with its former names. A fixed number of queries."""
    search = request.args.get("q", "").strip()[:200]
    result = users.list_users(search, request.args.get("page", 1, type=int) or 1)
    agencies, agency_total, agency_page, agency_pages = organisations.agencies_with_former_names(
        request.args.get("agency_page", 1, type=int) or 1
    )
    kept = {key: value for key, value in request.args.items() if key in ("q", "agency_page")}
    if search:
        kept["q"] = search
    pagination = govuk_pagination(
        result.page,
        result.pages,
        lambda number: url_for("admin.users", **_with_page(kept, number)),
        "Pages of users",
    )
    users_kept = {key: value for key, value in request.args.items() if key in ("q", "page")}
    agency_pagination = govuk_pagination(
        agency_page,
        agency_pages,
        lambda number: url_for("admin.users", **_with_page(users_kept, number, "agency_page")),
        "Pages of agencies",
    )
    return render_template(
        "admin/users.html",
        result=result,
        users=result.users,
        search=search,
        pagination=pagination,
        agencies=agencies,
        agency_total=agency_total,
        agency_pagination=agency_pagination,
    )


@blueprint.route("/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def new_user() -> Response | str:
    form = NewUserForm()
    form.set_agencies([a for a in organisations.list_agencies() if a.is_active])
    partnerships = organisations.list_partnerships()
    form.set_partnerships(partnerships)
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            with transaction():
                user = users.create_user(
                    email=form.email.data or "",
                    display_name=(form.display_name.data or "").strip(),
                    role=role,
                    # No first password: an unguessable one nobody knows, until the person
                    # chooses theirs through the invitation link.
                    password=form.password.data or secrets.token_urlsafe(32),
                    agency=_agency_from_form(form.agency.data) if role.needs_agency else None,
                    actor=_actor(),
                    partnerships=_chosen(partnerships, form.partnerships.data),
                )
                account_mail.send_link(user, account_tokens.INVITATION, actor=_actor())
        except users.UserError as error:
            form.email.errors = [str(error).rstrip(".")]
        else:
            flash(
                f"{user.display_name} has an account as {role.label.lower()}. An invitation "
                f"with a link to choose their password is on its way to {user.email}.",
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def edit_user(user_id: int) -> Response | str:
    user = _user_or_404(user_id)
    form = EditUserForm(
        obj=None,
        data=None
        if request.method == "POST"
        else {
            "display_name": user.display_name,
            "role": user.role.value,
            "agency": str(user.agency_id or ""),
            "partnerships": [partnership.id for partnership in user.partnerships],
        },
    )
    form.set_agencies(
        [a for a in organisations.list_agencies() if a.is_active or a.id == user.agency_id]
    )
    partnerships = organisations.list_partnerships()
    form.set_partnerships(partnerships)
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            with transaction():
                users.update_user(
                    user,
                    display_name=(form.display_name.data or "").strip(),
                    role=role,
                    agency=_agency_from_form(form.agency.data) if role.needs_agency else None,
                    actor=_actor(),
                    partnerships=_chosen(partnerships, form.partnerships.data),
                )
        except users.UserError as error:
            form.role.errors = [str(error).rstrip(".")]
        else:
            flash(f"Changes to {user.display_name} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        confirm=ConfirmForm(),
        recovery_left=two_factor.remaining_recovery_codes(user),
    )


@blueprint.route("/users/<int:user_id>/active", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def set_user_active(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            with transaction():
                users.set_active(user, active, actor=_actor())
        except users.UserError as error:
            flash(str(error), "info")
        else:
            state = "reactivated" if active else "deactivated"
            flash(f"{user.display_name}'s account is {state}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@blueprint.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def reset_two_factor(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        with transaction():
            two_factor.reset(user, actor=_actor())
        flash(
            f"Two-factor authentication reset: {user.display_name} sets it up again at their "
            "next sign-in.",
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@blueprint.route("/users/<int:user_id>/set-password-link", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def set_password_link(user_id: int) -> Response | str:
    """A single-use link for the person to set their own password (an invitation if they
    have never signed in, else a reset), shown once for the administrator to pass on by
    hand (when email does not reach the person, say)."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit() or not user.is_active:
        return redirect(url_for("admin.edit_user", user_id=user.id))
    purpose = (
        account_tokens.INVITATION
        if user.last_signed_in_at is None
        else account_tokens.PASSWORD_RESET
    )
    with transaction():
        token = account_tokens.issue(user, purpose, actor=_actor())
    base_url = current_app.extensions["sgreviews.settings"].base_url.rstrip("/")
    link = base_url + url_for("auth.set_password_from_link", token=token)
    return render_template(
        "admin/user_link.html",
        user=user,
        link=link,
        lifetime=account_tokens.LIFETIMES[purpose],
        purpose=purpose,
    )


@blueprint.route("/users/<int:user_id>/email-password-link", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def email_password_link(user_id: int) -> Response:
    """Email the person a single-use link to set their password (an invitation if they have
    never signed in, else a password reset), through the outbox."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit() and user.is_active:
        purpose = account_mail.purpose_for(user)
        with transaction():
            account_mail.send_link(user, purpose, actor=_actor())
        what = "An invitation" if purpose == account_tokens.INVITATION else "A password reset"
        flash(f"{what} link is on its way to {user.email}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@blueprint.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def set_password(user_id: int) -> Response | str:
    user = _user_or_404(user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                users.set_password(user, form.password.data or "", actor=_actor())
        except users.UserError as error:
            form.password.errors = [str(error).rstrip(".")]
        else:
            flash(f"New password set for {user.display_name}.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_password.html", form=form, user=user)


@blueprint.route("/agencies/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def new_agency() -> Response | str:
    form = AgencyForm()
    del form.renamed_on
    if form.validate_on_submit():
        try:
            with transaction():
                agency = agency_admin.create_agency(
                    name=form.name.data or "",
                    sector=Sector(form.sector.data),
                    is_statutory_partner=bool(form.is_statutory_partner.data),
                    actor=_actor(),
                )
        except agency_admin.AgencyError as error:
            form.name.errors = [str(error)]
        else:
            flash(f"{agency.name} added.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/agency_form.html", form=form, agency=None)


@blueprint.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def edit_agency(agency_id: int) -> Response | str:
    agency = _agency_or_404(agency_id)
    form = AgencyForm(
        data=None
        if request.method == "POST"
        else {
            "name": agency.name,
            "sector": agency.sector.value,
            "is_statutory_partner": agency.is_statutory_partner,
        }
    )
    if form.validate_on_submit():
        try:
            with transaction():
                agency_admin.update_agency(
                    agency,
                    name=form.name.data or "",
                    sector=Sector(form.sector.data),
                    is_statutory_partner=bool(form.is_statutory_partner.data),
                    renamed_on=form.renamed_on.data,
                    actor=_actor(),
                )
        except agency_admin.AgencyError as error:
            form.name.errors = [str(error)]
        else:
            flash(f"{agency.name} saved.", "success")
            return redirect(url_for("admin.users"))
    settle_date_inputs(form)
    return render_template(
        "admin/agency_form.html", form=form, agency=agency, confirm=ConfirmForm()
    )


@blueprint.route("/agencies/<int:agency_id>/active", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@recent_authentication_required
def set_agency_active(agency_id: int) -> Response:
    agency = _agency_or_404(agency_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        with transaction():
            agency_admin.set_agency_active(agency, active, actor=_actor())
        flash(f"{agency.name} is {'active' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.edit_agency", agency_id=agency.id))
