"""Administration: users and agencies."""

from __future__ import annotations

from flask import Blueprint, render_template

from sgreviews.policy import Permission
from sgreviews.services import organisations, users
from sgreviews.web.access import requires

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.route("/users", endpoint="users")
@requires(Permission.MANAGE_USERS)
def users_list() -> str:
    return render_template(
        "admin/users.html", users=users.list_users(), agencies=organisations.list_agencies()
    )
