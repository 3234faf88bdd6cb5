"""The API's lists use the policy's SQL forms; each must choose what the Python rule
chooses: ``actions_visible_to`` what ``can_view_action`` allows, ``findings_visible_to``
the findings of the reviews ``can_view_review`` allows. Checked for users of every role
(active or not, with their own agency, another agency or none) over actions of several
agencies, on the database the suite runs against."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Action, ApiScope, Finding, Review, Role, User
from sgreviews.policy import (
    actions_visible_to,
    api_scope_allows,
    can_view_action,
    can_view_review,
    findings_visible_to,
)
from tests import factories


def _users(agencies: list[object]) -> list[User]:
    made = []
    for role, agency, active in itertools.product(Role, [None, *agencies], [True, False]):
        if role.needs_agency and agency is None:
            continue
        user = factories.user(role, agency if role.needs_agency else None)  # type: ignore[arg-type]
        user.is_active = active
        made.append(user)
    # An agency lead whose agency was taken away: sees nothing.
    orphan = factories.user(Role.AGENCY_LEAD, agencies[0])  # type: ignore[arg-type]
    orphan.agency_id = None
    made.append(orphan)
    db.session.flush()
    return made


@pytest.mark.usefixtures("ctx")
def test_the_sql_forms_choose_what_the_python_rules_allow() -> None:
    agencies = [factories.agency() for _ in range(3)]
    reviews = [factories.review() for _ in range(3)]
    findings = [factories.finding(review) for review in reviews for _ in range(2)]
    # Agency 0 owns actions in reviews 0 and 1; agency 1 in review 2 and one shared with 0's
    # finding; agency 2 owns nothing but is involved in review 2.
    factories.action(agencies[0], findings[0])
    factories.action(agencies[0], findings[2])
    factories.action(agencies[1], findings[4])
    factories.action(agencies[1], findings[0])
    reviews[2].agencies_involved.append(agencies[2])
    db.session.flush()
    every_action = db.session.scalars(select(Action)).all()
    every_finding = db.session.scalars(select(Finding)).all()
    checked = 0
    for user in _users(agencies):
        by_sql = set(db.session.scalars(select(Action.id).where(actions_visible_to(user))))
        by_rule = {action.id for action in every_action if can_view_action(user, action)}
        assert by_sql == by_rule, f"actions for {user.role} agency {user.agency_id}"
        sql_findings = set(db.session.scalars(select(Finding.id).where(findings_visible_to(user))))
        rule_findings = {
            finding.id
            for finding in every_finding
            if can_view_review(user, db.session.get(Review, finding.review_id))  # type: ignore[arg-type]
        }
        assert sql_findings == rule_findings, f"findings for {user.role} agency {user.agency_id}"
        checked += bool(by_rule) + bool(rule_findings)
    assert checked > 0, "no user saw anything: the comparison proved nothing"


def test_a_read_token_never_writes() -> None:
    assert api_scope_allows(ApiScope.READ, write=False)
    assert not api_scope_allows(ApiScope.READ, write=True)
    assert api_scope_allows(ApiScope.READ_WRITE, write=True)
