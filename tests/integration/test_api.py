"""The JSON API through the test client: tokens, the policy per role, paging, filters,
entity tags, the progress update with its version, problem details and the CSV feed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import Action, ActionUpdate, ApiToken, AuditEvent
from tests.api_world import ApiWorld, build_world

PROBLEM = "application/problem+json"


@pytest.fixture
def world(app: Flask) -> ApiWorld:
    return build_world(app)


def get(app: Flask, world: ApiWorld, who: str, path: str, **headers: str) -> TestResponse:
    return app.test_client().get(path, headers={**world.bearer(who), **headers})


def items(response: TestResponse) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, dict)
    return list(body["items"])


def ids(response: TestResponse) -> set[int]:
    return {item["id"] for item in items(response)}


# --- authentication ------------------------------------------------------------------------


def test_a_call_without_a_token_is_401_problem(app: Flask, world: ApiWorld) -> None:
    response = app.test_client().get("/api/v1/actions")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["status"] == 401 and body["title"]


@pytest.mark.parametrize(
    "header", ["Bearer sgr_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer ", "sgr_x"]
)
def test_unknown_tokens_and_other_schemes_are_refused(
    app: Flask, world: ApiWorld, header: str
) -> None:
    response = app.test_client().get("/api/v1/actions", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == PROBLEM


def test_a_revoked_or_expired_token_no_longer_works(app: Flask, world: ApiWorld) -> None:
    assert get(app, world, "lead_a", "/api/v1/actions").status_code == 200
    assert get(app, world, "lead_b", "/api/v1/actions").status_code == 200
    with app.app_context():
        tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
        by_user = {token.user_id: token for token in tokens if token.name == "lead_a token"}
        by_user[world.ids["lead_a"]].revoked_at = utcnow()
        lead_b = next(token for token in tokens if token.name == "lead_b token")
        lead_b.expires_at = utcnow()
        db.session.commit()
    for who in ("lead_a", "lead_b"):
        response = get(app, world, who, "/api/v1/actions")
        assert response.status_code == 401, who
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_of_a_deactivated_user_no_longer_works(app: Flask, world: ApiWorld) -> None:
    from sgreviews.models import User

    with app.app_context():
        db.session.get(User, world.ids["lead_a"]).is_active = False  # type: ignore[union-attr]
        db.session.commit()
    assert get(app, world, "lead_a", "/api/v1/actions").status_code == 401


def test_the_session_cookie_is_not_a_credential(app: Flask, world: ApiWorld) -> None:
    from tests.conftest import sign_in
    from tests.factories import PASSWORD

    client = app.test_client()
    with app.app_context():
        from sgreviews.models import User

        email = db.session.get(User, world.ids["lead_a"]).email  # type: ignore[union-attr]
    assert sign_in(client, email, PASSWORD).status_code == 302
    assert client.get("/api/v1/actions").status_code == 401


def test_last_use_is_recorded(app: Flask, world: ApiWorld) -> None:
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.name == "chair token"))
        assert token is not None and token.last_used_at is None
    assert get(app, world, "chair", "/api/v1/reviews").status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.name == "chair token"))
        assert token is not None and token.last_used_at is not None


# --- the policy, per role ------------------------------------------------------------------

LISTS = ("reviews", "findings", "actions", "actions.csv", "clocks", "dashboard")
EXPECTED = {
    "secretariat": dict.fromkeys(LISTS, 200),
    "chair": dict.fromkeys(LISTS, 200),
    "lead_a": {**dict.fromkeys(LISTS, 200), "dashboard": 403},
    "practitioner": dict.fromkeys(LISTS, 403),
    "administrator": dict.fromkeys(LISTS, 403),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_reaches_what_its_pages_reach(app: Flask, world: ApiWorld, who: str) -> None:
    for name, status in EXPECTED[who].items():
        response = get(app, world, who, f"/api/v1/{name}")
        assert response.status_code == status, f"{who} {name}"
        if status == 403:
            assert response.mimetype == PROBLEM


@pytest.mark.parametrize("who", ["secretariat", "chair"])
def test_partnership_wide_roles_see_everything(app: Flask, world: ApiWorld, who: str) -> None:
    w = world.ids
    assert {w["action_1"], w["action_2"], w["action_3"]} <= ids(
        get(app, world, who, "/api/v1/actions")
    )
    assert {w["review_1"], w["review_2"]} <= ids(get(app, world, who, "/api/v1/reviews"))
    assert {w["clock_1"], w["clock_2"]} <= ids(get(app, world, who, "/api/v1/clocks"))


def test_an_agency_leads_token_sees_only_their_agencys_share(app: Flask, world: ApiWorld) -> None:
    w = world.ids
    assert ids(get(app, world, "lead_a", "/api/v1/actions")) == {w["action_1"]}
    assert ids(get(app, world, "lead_a", "/api/v1/reviews")) == {w["review_1"]}
    assert ids(get(app, world, "lead_a", "/api/v1/clocks")) == {w["clock_1"]}
    findings = items(get(app, world, "lead_a", "/api/v1/findings"))
    assert [finding["id"] for finding in findings] == [w["finding_1"]]
    # The finding is answered by A's and B's actions; A's lead is told only of A's.
    assert findings[0]["action_ids"] == [w["action_1"]]
    assert ids(get(app, world, "lead_b", "/api/v1/actions")) == {w["action_2"], w["action_3"]}
    assert ids(get(app, world, "lead_b", "/api/v1/reviews")) == {w["review_1"], w["review_2"]}


def test_another_agencys_action_is_refused_and_audited(app: Flask, world: ApiWorld) -> None:
    w = world.ids
    assert get(app, world, "lead_a", f"/api/v1/actions/{w['action_1']}").status_code == 200
    response = get(app, world, "lead_a", f"/api/v1/actions/{w['action_2']}")
    assert response.status_code == 403
    assert response.mimetype == PROBLEM
    assert get(app, world, "lead_a", f"/api/v1/reviews/{w['review_2']}").status_code == 403
    assert get(app, world, "lead_a", f"/api/v1/reviews/{w['review_1']}").status_code == 200
    with app.app_context():
        denied = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.event == "denied", AuditEvent.entity_id == w["action_2"]
            )
        ).all()
    assert [event.actor_id for event in denied] == [w["lead_a"]]


def test_an_unknown_object_is_404_problem(app: Flask, world: ApiWorld) -> None:
    for path in ("/api/v1/actions/999999", "/api/v1/reviews/999999", "/api/v1/nothing-here"):
        response = get(app, world, "secretariat", path)
        assert response.status_code == 404, path
        assert response.mimetype == PROBLEM, path


def test_the_csv_feed_holds_only_what_the_token_may_see(app: Flask, world: ApiWorld) -> None:
    response = get(app, world, "lead_a", "/api/v1/actions.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(row["id"]) for row in rows] == [world.ids["action_1"]]
    assert rows[0]["owning_agency"] == "API test police"
    assert rows[0]["rag"] == "red"  # three days overdue


# --- paging and filters --------------------------------------------------------------------


def test_pages_follow_the_cursor_to_the_end(app: Flask, world: ApiWorld) -> None:
    everything = [item["id"] for item in items(get(app, world, "secretariat", "/api/v1/actions"))]
    seen: list[int] = []
    path = "/api/v1/actions?limit=1"
    while True:
        body = get(app, world, "secretariat", path).get_json()
        assert len(body["items"]) <= 1
        seen += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        path = f"/api/v1/actions?limit=1&cursor={body['next_cursor']}"
    assert seen == everything
    assert seen == sorted(seen)


def test_filters_narrow_the_lists(app: Flask, world: ApiWorld) -> None:
    w = world.ids

    def action_ids(query: str) -> set[int]:
        return ids(get(app, world, "secretariat", f"/api/v1/actions?{query}"))

    assert action_ids(f"agency={w['agency_b']}") == {w["action_2"], w["action_3"]}
    assert action_ids(f"review={w['review_2']}") == {w["action_3"]}
    assert action_ids(f"partnership={w['partnership']}&review_type=sar") == {w["action_3"]}
    assert action_ids(f"partnership={w['partnership']}&overdue=true") == {w["action_1"]}
    assert w["action_1"] not in action_ids("status=in_progress,completed")
    before = (london_today() + timedelta(days=50)).isoformat()
    assert action_ids(f"partnership={w['partnership']}&due_before={before}") == {
        w["action_1"],
        w["action_2"],
    }
    reviews = ids(get(app, world, "secretariat", f"/api/v1/reviews?agency={w['agency_a']}"))
    assert reviews == {w["review_1"]}
    sar = ids(get(app, world, "secretariat", "/api/v1/reviews?review_type=sar"))
    assert w["review_2"] in sar and w["review_1"] not in sar
    clocks = ids(get(app, world, "secretariat", f"/api/v1/clocks?review={w['review_2']}"))
    assert clocks == {w["clock_2"]}
    findings = ids(get(app, world, "secretariat", f"/api/v1/findings?review={w['review_1']}"))
    assert findings == {w["finding_1"]}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("due_before=31-12-2025", "due_before"),
        ("status=finished", "status"),
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("cursor=abc", "cursor"),
        ("agency=-1", "agency"),
        ("overdue=yes", "overdue"),
        ("colour=red", "colour"),
        ("agency=1&agency=2", "agency"),
    ],
)
def test_a_bad_parameter_is_named_in_a_400_problem(
    app: Flask, world: ApiWorld, query: str, parameter: str
) -> None:
    response = get(app, world, "secretariat", f"/api/v1/actions?{query}")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert parameter in [error["parameter"] for error in response.get_json()["errors"]]


def test_dashboard_figures_are_the_dashboards(app: Flask, world: ApiWorld) -> None:
    w = world.ids
    response = get(app, world, "chair", f"/api/v1/dashboard?partnership={w['partnership']}")
    body = response.get_json()
    by_agency = {row["agency"]: row for row in body["actions_by_agency"]}
    assert by_agency["API test police"]["overdue"] == 1
    assert by_agency["API test health"]["open"] == 2
    assert body["business_year"]


# --- entity tags ---------------------------------------------------------------------------


def test_if_none_match_answers_304_until_something_changes(app: Flask, world: ApiWorld) -> None:
    path = f"/api/v1/actions/{world.ids['action_1']}"
    first = get(app, world, "lead_a", path)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = get(app, world, "lead_a", path, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    listed = get(app, world, "lead_a", "/api/v1/actions")
    unchanged = {"If-None-Match": listed.headers["ETag"]}
    assert get(app, world, "lead_a", "/api/v1/actions", **unchanged).status_code == 304
    with app.app_context():
        action = db.session.get(Action, world.ids["action_1"])
        assert action is not None
        action.risk = "Changed elsewhere"
        action.lead_name = "Changed lead"
        db.session.commit()
    changed = get(app, world, "lead_a", path, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


# --- writing progress ----------------------------------------------------------------------


def post_progress(
    app: Flask, world: ApiWorld, who: str, action: str, body: Any, **headers: str
) -> TestResponse:
    return app.test_client().post(
        f"/api/v1/actions/{world.ids[action]}/progress",
        json=body,
        headers={**world.bearer(who), **headers},
    )


def version_of(app: Flask, world: ApiWorld, action: str) -> int:
    response = get(app, world, "secretariat", f"/api/v1/actions/{world.ids[action]}")
    return int(response.get_json()["version"])


def test_progress_is_saved_through_the_service_and_audited(app: Flask, world: ApiWorld) -> None:
    version = version_of(app, world, "action_1")
    response = post_progress(
        app,
        world,
        "lead_a",
        "action_1",
        {"status": "in_progress", "note": "Prompt drafted with the police lead."},
        **{"If-Match": f'"{version}"'},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "in_progress"
    assert body["version"] == version + 1
    with app.app_context():
        update = db.session.scalar(
            select(ActionUpdate).where(ActionUpdate.action_id == world.ids["action_1"])
        )
        assert update is not None and update.note == "Prompt drafted with the police lead."
        assert update.author_id == world.ids["lead_a"]
        events = db.session.scalars(
            select(AuditEvent.event).where(
                AuditEvent.entity_type == "action", AuditEvent.entity_id == world.ids["action_1"]
            )
        ).all()
        assert "progress" in events


def test_progress_can_be_entered_as_history_with_its_effective_date(
    app: Flask, world: ApiWorld
) -> None:
    """Issue 18: an update entered later carries the day it took effect; a day before the
    review began (1 May 2025) or in the future is refused at the field, a non-date too."""
    version = version_of(app, world, "action_1")
    body = {"status": "in_progress", "note": "Started in the summer."}
    etag = {"If-Match": f'"{version}"'}
    tomorrow = (london_today() + timedelta(days=1)).isoformat()
    for effective_on, status, parameter in (
        ("31/03/2026", 400, "effective_on"),
        ("2025-04-30", 422, "effective_on"),
        (tomorrow, 422, "effective_on"),
    ):
        refused = post_progress(
            app, world, "lead_a", "action_1", {**body, "effective_on": effective_on}, **etag
        )
        assert refused.status_code == status, refused.get_data(as_text=True)
        assert [error["parameter"] for error in refused.get_json()["errors"]] == [parameter]
    saved = post_progress(
        app, world, "lead_a", "action_1", {**body, "effective_on": "2025-07-14"}, **etag
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    with app.app_context():
        update = db.session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_id == world.ids["action_1"])
        ).one()
        assert update.effective_on == date(2025, 7, 14)
        after = db.session.scalars(
            select(AuditEvent.after).where(
                AuditEvent.entity_type == "action",
                AuditEvent.entity_id == world.ids["action_1"],
                AuditEvent.event == "progress",
            )
        ).one()
        assert after["effective_on"] == "2025-07-14"


def test_a_stale_version_is_412_and_changes_nothing(app: Flask, world: ApiWorld) -> None:
    version = version_of(app, world, "action_1")
    first = post_progress(
        app, world, "secretariat", "action_1",
        {"status": "in_progress", "note": "Started."}, **{"If-Match": f'"{version}"'},
    )  # fmt: skip
    assert first.status_code == 200
    stale = post_progress(
        app, world, "lead_a", "action_1",
        {"status": "not_started", "note": "Back to the start."}, **{"If-Match": f'"{version}"'},
    )  # fmt: skip
    assert stale.status_code == 412
    assert stale.mimetype == PROBLEM
    assert str(version + 1) in stale.get_json()["detail"]
    assert (
        get(app, world, "lead_a", f"/api/v1/actions/{world.ids['action_1']}").get_json()["status"]
        == "in_progress"
    )


def test_the_version_is_required(app: Flask, world: ApiWorld) -> None:
    body = {"status": "in_progress", "note": "Started."}
    assert post_progress(app, world, "lead_a", "action_1", body).status_code == 428
    bad = post_progress(app, world, "lead_a", "action_1", body, **{"If-Match": "*"})
    assert bad.status_code == 400


def test_writing_needs_a_write_token_and_the_users_right(app: Flask, world: ApiWorld) -> None:
    body = {"status": "in_progress", "note": "Started."}
    version = {"If-Match": f'"{version_of(app, world, "action_1")}"'}
    read_only = post_progress(app, world, "lead_a_read", "action_1", body, **version)
    assert read_only.status_code == 403
    other_agency = post_progress(app, world, "lead_b", "action_1", body, **version)
    assert other_agency.status_code == 403
    chair = post_progress(app, world, "chair", "action_1", body, **version)
    assert chair.status_code == 403
    assert version_of(app, world, "action_1") == int(version["If-Match"].strip('"'))


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "completed", "note": "Done."}, 422, "evidence"),
        ({"status": "assured", "note": "Done."}, 400, "status"),
        ({"status": "in_progress", "note": "  "}, 400, "note"),
        ({"status": "in_progress", "note": "x", "colour": "red"}, 400, "colour"),
        ({"status": "in_progress", "note": "x", "off_track": "yes"}, 400, "off_track"),
    ],
)
def test_a_refused_update_is_a_problem_naming_the_field(
    app: Flask, world: ApiWorld, body: dict[str, Any], status: int, field: str
) -> None:
    version = version_of(app, world, "action_1")
    response = post_progress(app, world, "lead_a", "action_1", body, **{"If-Match": f'"{version}"'})
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert field in [error["parameter"] for error in response.get_json()["errors"]]


def test_a_body_that_is_not_json_is_415(app: Flask, world: ApiWorld) -> None:
    response = app.test_client().post(
        f"/api/v1/actions/{world.ids['action_1']}/progress",
        data={"status": "in_progress", "note": "x"},
        headers={**world.bearer("lead_a"), "If-Match": '"1"'},
    )
    assert response.status_code == 415
    assert response.mimetype == PROBLEM


def test_a_wrong_method_is_405_problem(app: Flask, world: ApiWorld) -> None:
    response = app.test_client().delete("/api/v1/actions", headers=world.bearer("secretariat"))
    assert response.status_code == 405
    assert response.mimetype == PROBLEM


def test_the_role_table_covers_every_api_list(app: Flask) -> None:
    """A new API list must be added to EXPECTED above (the pages' matrix is in
    test_access.py, where the API answers 401 to a session without a token)."""
    lists = {
        rule.rule.removeprefix("/api/v1/")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and "GET" in (rule.methods or set())
        and not rule.arguments
        and rule.endpoint != "api.openapi"
    }
    assert lists == set(LISTS)


def test_an_idle_browser_session_does_not_get_in_the_way(app: Flask, world: ApiWorld) -> None:
    """A call from a tab whose session has gone idle is answered by its token, not sent
    to sign in: the API neither reads nor ends the session."""
    from sgreviews.models import User
    from sgreviews.web.auth.session_security import LAST_SEEN_KEY
    from tests.conftest import sign_in
    from tests.factories import PASSWORD

    client = app.test_client()
    with app.app_context():
        email = db.session.get(User, world.ids["lead_a"]).email  # type: ignore[union-attr]
    assert sign_in(client, email, PASSWORD).status_code == 302
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = 0
    response = client.get("/api/v1/actions", headers=world.bearer("lead_a"))
    assert response.status_code == 200
    assert client.get("/agency/actions").status_code == 302  # the page still times out
