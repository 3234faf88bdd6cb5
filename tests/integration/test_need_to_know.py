"""Need to know (issue 20, item 7): on a review page an agency lead sees counts of, and
links to, only what they may open. Other agencies' actions are not counted; a linked
joint review the lead cannot open is named by its reference, without a link or subject."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sgreviews.extensions import db
from sgreviews.models import ActionStatus, Agency, Role
from sgreviews.models.review import LinkKind
from sgreviews.services.reviews import details as review_details
from sgreviews.services.reviews import links as review_links
from tests import factories
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]


@dataclass
class Scene:
    review_id: int
    joint_id: int  # involves agency Y only
    parallel_id: int  # involves agency X only
    joint_reference: str
    parallel_reference: str
    x_id: int
    y_id: int
    x_actions: list[str]
    y_actions: list[str]


def _scene(app: Flask) -> Scene:
    with app.app_context():
        x, y = factories.agency(name="Agency X police"), factories.agency(name="Agency Y trust")
        review = factories.review(reference="DHR-NTK-01", review_type="dhr")
        finding = factories.finding(review)
        x_actions = [factories.action(x, finding).reference]
        y_actions = [
            factories.action(y, finding, status=ActionStatus.IN_PROGRESS).reference
            for _ in range(2)
        ]
        joint = factories.review(reference="SAR-NTK-02", review_type="sar", subject_label="Adult R")
        review_details.set_agencies_involved(None, joint, [y])
        parallel = factories.review(reference="LCSPR-NTK-03", subject_label="Child S")
        review_details.set_agencies_involved(None, parallel, [x])
        review_links.link(None, review, joint, LinkKind.JOINT)
        review_links.link(None, parallel, review, LinkKind.PARALLEL)
        db.session.commit()
        return Scene(
            review.id, joint.id, parallel.id, joint.reference, parallel.reference,
            x.id, y.id, x_actions, y_actions,
        )  # fmt: skip


def _client(app: Flask, client_for: Clients, role: Role, agency_id: int | None) -> FlaskClient:
    with app.app_context():
        agency = db.session.get(Agency, agency_id) if agency_id else None
    return client_for(role, agency)


def _links_to(html: str, review_id: int) -> bool:
    return re.search(rf'href="/reviews/{review_id}"', html) is not None


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.CHAIR])
def test_partnership_roles_count_every_action_and_link_every_review(
    role: Role, app: Flask, client_for: Clients
) -> None:
    scene = _scene(app)
    page = _client(app, client_for, role, None).get(f"/reviews/{scene.review_id}")
    html, text = page.get_data(as_text=True), page_text(page)
    assert "3 actions" in text and "owned by your agency" not in text
    assert _links_to(html, scene.joint_id) and _links_to(html, scene.parallel_id)
    assert "Adult R" in text and "Child S" in text


def test_agency_lead_counts_only_their_agency_and_links_only_what_they_open(
    app: Flask, client_for: Clients
) -> None:
    scene = _scene(app)
    lead_x = _client(app, client_for, Role.AGENCY_LEAD, scene.x_id)
    page = lead_x.get(f"/reviews/{scene.review_id}")
    assert page.status_code == 200
    html, text = page.get_data(as_text=True), page_text(page)
    assert "1 action owned by your agency" in text
    assert "3 actions" not in text and "2 actions" not in text
    # The joint review involves only agency Y: named, not linked, its subject not shown.
    assert f"Joint with: {scene.joint_reference} (not open to your agency)" in text
    assert not _links_to(html, scene.joint_id)
    assert "Adult R" not in text
    assert lead_x.get(f"/reviews/{scene.joint_id}").status_code == 403
    # The parallel review involves agency X: linked.
    assert _links_to(html, scene.parallel_id) and "Child S" in text
    # The findings page lists only agency X's actions.
    findings = page_text(lead_x.get(f"/reviews/{scene.review_id}/findings"))
    assert all(reference in findings for reference in scene.x_actions)
    assert not any(reference in findings for reference in scene.y_actions)


def test_the_other_agency_lead_sees_the_mirror_image(app: Flask, client_for: Clients) -> None:
    scene = _scene(app)
    lead_y = _client(app, client_for, Role.AGENCY_LEAD, scene.y_id)
    page = lead_y.get(f"/reviews/{scene.review_id}")
    html, text = page.get_data(as_text=True), page_text(page)
    assert "2 actions owned by your agency" in text
    assert _links_to(html, scene.joint_id)
    assert not _links_to(html, scene.parallel_id)
    assert f"{scene.parallel_reference} (not open to your agency)" in text


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ADMINISTRATOR])
def test_roles_without_reviews_see_no_review_page(
    role: Role, app: Flask, client_for: Clients
) -> None:
    scene = _scene(app)
    assert (
        _client(app, client_for, role, None).get(f"/reviews/{scene.review_id}").status_code == 403
    )


@pytest.mark.usefixtures("ctx")
def test_the_sql_rule_for_actions_agrees_with_the_page_rule() -> None:
    """policy.actions_visible_to (counts, lists) and can_view_action (one page) agree."""
    from sqlalchemy import select

    from sgreviews.models import Action
    from sgreviews.policy import actions_visible_to, can_view_action

    x, y = factories.agency(), factories.agency()
    actions = [factories.action(x), factories.action(y), factories.action(y)]
    ids = [action.id for action in actions]
    users = [factories.user(role) for role in Role] + [
        factories.user(Role.AGENCY_LEAD, x),
        factories.user(Role.AGENCY_LEAD, y),
    ]
    for user in users:
        in_sql = set(
            db.session.scalars(
                select(Action.id).where(Action.id.in_(ids)).where(actions_visible_to(user))
            )
        )
        in_python = {action.id for action in actions if can_view_action(user, action)}
        assert in_sql == in_python, user.role
