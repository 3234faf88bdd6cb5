"""Every route has an access rule, and each role reaches exactly what it should."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sgreviews.models import Role
from sgreviews.web.access import ACCESS_RULE_ATTRIBUTE

# Endpoints Flask itself provides, with the rule that applies to them.
FRAMEWORK_ENDPOINTS = {"static": "public: built assets only"}


def test_every_route_declares_an_access_rule(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FRAMEWORK_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, ACCESS_RULE_ATTRIBUTE, None):
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert not missing, f"routes without an access rule: {missing}"


OK, FORBIDDEN, TO_SIGN_IN = 200, 403, 302

ADMIN_ONLY: dict[Role | None, int] = {
    None: TO_SIGN_IN,
    Role.ADMINISTRATOR: OK,
    Role.SECRETARIAT: FORBIDDEN,
    Role.CHAIR: FORBIDDEN,
    Role.AGENCY_LEAD: FORBIDDEN,
    Role.PRACTITIONER: FORBIDDEN,
}

# Expected status of each page for each role; None is a visitor who has not signed in.
MATRIX: dict[str, dict[Role | None, int]] = {
    "/overview": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    # Issue 20: "Your work", the secretariat's and chair's home.
    "/work": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/agency/actions": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: FORBIDDEN,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: OK,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/learning": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: OK,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: OK,
        Role.PRACTITIONER: OK,
    },
    "/admin/users": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: OK,
        Role.SECRETARIAT: FORBIDDEN,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/reviews": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: OK,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/reviews/new-notification": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/reviews/new": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/calendar/closure-days": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: OK,
        Role.SECRETARIAT: FORBIDDEN,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/briefings": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/briefings/new": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/briefings/settings": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/briefings/reach": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/dashboard": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/dashboard/scorecard": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/dashboard/yearly-report": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    # Issue 18: the chair signs off the yearly report (the year just finished by default).
    "/dashboard/yearly-report/sign-off": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: FORBIDDEN,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    # Issue 18: the chair's foreword and commentary, drafted by the chair or the secretariat.
    "/dashboard/yearly-report/narrative": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/dashboard/budgets": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/challenges": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/challenges/new": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/master-action-plan": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/actions/import": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/notifications": {None: TO_SIGN_IN, **{role: OK for role in Role}},
    # Issue 20: every role searches; what it finds is scoped by the policy.
    "/search": {None: TO_SIGN_IN, **{role: OK for role in Role}},
    "/notifications/settings": {None: TO_SIGN_IN, **{role: OK for role in Role}},
    "/notifications/snoozes": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: FORBIDDEN,
        Role.SECRETARIAT: OK,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/admin/reminder-log": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: OK,
        Role.SECRETARIAT: FORBIDDEN,
        Role.CHAIR: FORBIDDEN,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/sign-in": {role: OK for role in [None, *Role]},
    # Emailed password links: anyone may ask (signed in or not); the answer never says
    # whether the account exists.
    "/account/forgot-password": {role: OK for role in [None, *Role]},
    "/health": {role: OK for role in [None, *Role]},
    "/health/live": {role: OK for role in [None, *Role]},
    # Public; 503 here because no scheduler runs in the tests (test_health covers 200).
    "/health/ready": {role: 503 for role in [None, *Role]},
    # Issue 8: the two-factor steps send anyone without a half-finished sign-in back to the
    # sign-in page; confirming identity needs a signed-in user.
    "/sign-in/two-factor": {role: TO_SIGN_IN for role in [None, *Role]},
    "/sign-in/two-factor/set-up": {role: TO_SIGN_IN for role in [None, *Role]},
    "/confirm-identity": {None: TO_SIGN_IN, **{role: OK for role in Role}},
    # Issue 21: single sign-on is off in these tests, so its routes do not exist for anyone
    # (404) and sign-out's onward step goes back to the sign-in page; with it on, each
    # role's access is in test_single_sign_on.test_the_routes_answer_every_role_alike.
    "/sign-in/sso": {role: 404 for role in [None, *Role]},
    "/sign-in/sso/callback": {role: 404 for role in [None, *Role]},
    "/sign-in/sso/signed-out": {role: TO_SIGN_IN for role in [None, *Role]},
    # Issue 21: the API tokens page is every signed-in user's own. The API reads no session
    # cookie: signed in or not, a call without a bearer token is 401 (per-role token access
    # is in test_api_access.py); its OpenAPI document is public.
    "/account/api-tokens": {None: TO_SIGN_IN, **{role: OK for role in Role}},
    "/api/v1/openapi.json": {role: OK for role in [None, *Role]},
    **{
        f"/api/v1/{name}": {role: 401 for role in [None, *Role]}
        for name in ("reviews", "findings", "actions", "actions.csv", "clocks", "dashboard")
    },
    # Issue 18, item 5: the register of national reviews tabled is kept by the secretariat
    # (and the administrator) and read by the chair; agencies' staff never see it.
    "/national-reviews": {
        None: TO_SIGN_IN,
        Role.ADMINISTRATOR: OK,
        Role.SECRETARIAT: OK,
        Role.CHAIR: OK,
        Role.AGENCY_LEAD: FORBIDDEN,
        Role.PRACTITIONER: FORBIDDEN,
    },
    "/admin/users/new": ADMIN_ONLY,
    "/admin/agencies/new": ADMIN_ONLY,
    "/admin/audit": ADMIN_ONLY,
    "/admin/removed-evidence": ADMIN_ONLY,
    "/admin/partnerships": ADMIN_ONLY,
    "/admin/partnerships/new": ADMIN_ONLY,
    "/admin/audit/export.csv": ADMIN_ONLY,
}


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anon")
def test_access_matrix(
    role: Role | None, app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    client = app.test_client() if role is None else client_for(role)
    for path, expected in MATRIX.items():
        response = client.get(path)
        assert response.status_code == expected[role], f"{path} as {role}"
        if expected[role] == TO_SIGN_IN:
            assert "/sign-in" in response.headers["Location"]


def test_matrix_covers_every_page(app: Flask) -> None:
    """A new page must be added to the matrix above."""
    pages = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in FRAMEWORK_ENDPOINTS
        and "GET" in (rule.methods or set())
        and not rule.arguments
        and rule.rule != "/"
    }
    assert pages <= set(MATRIX), f"pages missing from the access matrix: {pages - set(MATRIX)}"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_lands_on_its_home_page(
    role: Role, client_for: Callable[..., FlaskClient]
) -> None:
    expected = {
        Role.ADMINISTRATOR: "/admin/users",
        Role.SECRETARIAT: "/work",
        Role.CHAIR: "/work",
        Role.AGENCY_LEAD: "/agency/actions",
        Role.PRACTITIONER: "/learning",
    }[role]
    response = client_for(role).get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == expected
