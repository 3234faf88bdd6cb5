"""Agency isolation over every route that takes a review, finding or action: an agency
lead reaches their own agency's objects and never another agency's, whatever the page and
whether they read or write; practitioners reach none; visitors are sent to sign in.

The routes are taken from the URL map, so a new page is covered the day it is added. Routes
that take any other id (briefings, evidence, users, tokens...) are in test_object_routes.py,
which fails for a route that takes an id and is covered by neither."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sgreviews.extensions import db
from sgreviews.models import ApiScope, Role
from sgreviews.services.accounts import api_tokens
from tests import factories

OBJECT_ARGUMENTS = {"review_id", "finding_id", "action_id"}


def object_rules(app: Flask, method: str) -> list[tuple[str, frozenset[str]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        arguments = frozenset(rule.arguments)
        if method in (rule.methods or set()) and arguments and arguments <= OBJECT_ARGUMENTS:
            rules.append((rule.endpoint, arguments))
    return sorted(set(rules))


@pytest.fixture
def objects(app: Flask) -> dict[str, dict[str, int]]:
    """Agency A's review, finding and action, and agency B's, with nothing shared."""
    with app.app_context():
        result = {}
        for name in ("own", "other"):
            agency = factories.agency(name=f"Isolation agency {name}")
            review = factories.review()
            finding = factories.finding(review)
            action = factories.action(agency, finding)
            result[name] = {
                "agency_id": agency.id,
                "review_id": review.id,
                "finding_id": finding.id,
                "action_id": action.id,
            }
        db.session.commit()
        return result


def bearer_for(app: Flask, role: Role, agency_id: int | None = None) -> dict[str, str]:
    """The Authorization header of a read and write API token of a new user of the role:
    the API (``api.*`` endpoints) reads no session cookie, only a token."""
    with app.app_context():
        from sgreviews.models import Agency

        agency = db.session.get(Agency, agency_id) if agency_id is not None else None
        user = factories.user(role, agency)
        _token, raw = api_tokens.create(
            user=user, name="Isolation", scope=ApiScope.READ_WRITE, days=30, max_days=365
        )
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def open_as(
    client: FlaskClient, endpoint: str, path: str, method: str, bearer: dict[str, str]
) -> TestResponse:
    """A page through the signed-in client; an API call with the same role's token."""
    headers = bearer if endpoint.startswith("api.") else {}
    return client.open(path, method=method, data={}, headers=headers)


def url(app: Flask, endpoint: str, ids: dict[str, int], arguments: frozenset[str]) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: ids[name] for name in arguments})


def lead_of(app: Flask, agency_id: int, client_for: Callable[..., FlaskClient]) -> FlaskClient:
    with app.app_context():
        from sgreviews.models import Agency

        agency = db.session.get(Agency, agency_id)
        db.session.expunge(agency)
    return client_for(Role.AGENCY_LEAD, agency)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_agency_lead_never_reaches_another_agencys_objects(
    method: str,
    app: Flask,
    objects: dict[str, dict[str, int]],
    client_for: Callable[..., FlaskClient],
) -> None:
    rules = object_rules(app, method)
    assert rules, f"no {method} routes take a review, finding or action"
    client = lead_of(app, objects["own"]["agency_id"], client_for)
    bearer = bearer_for(app, Role.AGENCY_LEAD, objects["own"]["agency_id"])
    leaked = []
    for endpoint, arguments in rules:
        path = url(app, endpoint, objects["other"], arguments)
        response = open_as(client, endpoint, path, method, bearer)
        if response.status_code not in (403, 404):
            leaked.append(f"{method} {path} ({endpoint}): {response.status_code}")
    assert not leaked, "another agency's objects reached: " + "; ".join(leaked)


def test_agency_lead_reaches_their_own_action_and_its_review(
    app: Flask, objects: dict[str, dict[str, int]], client_for: Callable[..., FlaskClient]
) -> None:
    client = lead_of(app, objects["own"]["agency_id"], client_for)
    own = objects["own"]
    assert client.get(f"/actions/{own['action_id']}").status_code == 200
    assert client.get(f"/reviews/{own['review_id']}").status_code == 200
    assert client.get(f"/reviews/{own['review_id']}/findings").status_code == 200
    bearer = bearer_for(app, Role.AGENCY_LEAD, own["agency_id"])
    assert client.get(f"/api/v1/actions/{own['action_id']}", headers=bearer).status_code == 200
    assert client.get(f"/api/v1/reviews/{own['review_id']}", headers=bearer).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_practitioners_reach_no_review_finding_or_action(
    method: str,
    app: Flask,
    objects: dict[str, dict[str, int]],
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(Role.PRACTITIONER)
    bearer = bearer_for(app, Role.PRACTITIONER)
    reached = []
    for endpoint, arguments in object_rules(app, method):
        path = url(app, endpoint, objects["own"], arguments)
        response = open_as(client, endpoint, path, method, bearer)
        if response.status_code not in (403, 404):
            reached.append(f"{method} {path}: {response.status_code}")
    assert not reached, "; ".join(reached)


def test_visitors_are_sent_to_sign_in(app: Flask, objects: dict[str, dict[str, int]]) -> None:
    """Pages send a visitor to sign in; the API answers 401 (a client, not a person)."""
    client = app.test_client()
    for endpoint, arguments in object_rules(app, "GET"):
        response = client.get(url(app, endpoint, objects["own"], arguments))
        if endpoint.startswith("api."):
            assert response.status_code == 401, endpoint
            assert response.mimetype == "application/problem+json", endpoint
            continue
        assert response.status_code == 302, endpoint
        assert "/sign-in" in response.headers["Location"], endpoint
