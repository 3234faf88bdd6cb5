"""Who may read a review is one rule in two forms (sgreviews/policy.py): ``can_view_review``
checks a loaded review in Python, ``reviews_visible_to`` filters lists in SQL. Over
generated partnerships, agencies, reviews (with and without agencies involved, with findings
answered by actions of any agency, an action answering findings of several reviews) and
users of every role (active or not, with or without an agency, serving a partnership or
not), both forms choose the same reviews, on the database the suite runs against (SQLite,
or PostgreSQL when SGREVIEWS_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Agency, Finding, Partnership, Review, Role, User
from sgreviews.policy import can_view_review, reviews_visible_to
from tests import factories

AGENCIES = 3  # the third often owns nothing and is involved in nothing
PARTNERSHIPS = 2


@dataclass(frozen=True)
class ReviewShape:
    partnership: int
    involved: frozenset[int]  # indexes of the agencies recorded as involved
    findings: int


@dataclass(frozen=True)
class ActionShape:
    owner: int  # index of the owning agency
    answers: frozenset[int]  # indexes into every finding of the world, in review order


@dataclass(frozen=True)
class World:
    reviews: list[ReviewShape]
    actions: list[ActionShape]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    reviews = draw(
        st.lists(
            st.builds(
                ReviewShape,
                partnership=st.integers(0, PARTNERSHIPS - 1),
                involved=st.frozensets(st.integers(0, AGENCIES - 1)),
                findings=st.integers(0, 3),
            ),
            min_size=1,
            max_size=6,
        )
    )
    finding_count = sum(review.findings for review in reviews)
    actions: list[ActionShape] = []
    if finding_count:
        actions = draw(
            st.lists(
                st.builds(
                    ActionShape,
                    owner=st.integers(0, AGENCIES - 1),
                    answers=st.frozensets(
                        st.integers(0, finding_count - 1), min_size=1, max_size=3
                    ),
                ),
                max_size=6,
            )
        )
    return World(reviews, actions)


def build(world: World) -> tuple[list[Agency], list[Partnership], list[Review]]:
    agencies = [factories.agency() for _ in range(AGENCIES)]
    partnerships = [factories.partnership() for _ in range(PARTNERSHIPS)]
    reviews: list[Review] = []
    findings: list[Finding] = []
    for shape in world.reviews:
        review = factories.review(partnerships[shape.partnership])
        review.agencies_involved = [agencies[index] for index in sorted(shape.involved)]
        findings += [factories.finding(review) for _ in range(shape.findings)]
        reviews.append(review)
    for shape in world.actions:
        answered = [findings[index] for index in sorted(shape.answers)]
        action = factories.action(agencies[shape.owner], answered[0])
        action.findings = answered
    db.session.flush()
    # Read back what was stored, not the collections built above.
    db.session.expire_all()
    return agencies, partnerships, reviews


def users(agencies: list[Agency], partnerships: list[Partnership]) -> list[User]:
    """Every role, with no agency or each agency, active or not; the roles that serve
    partnerships also serving none or the first. Stored without a password hash worth the
    name: the rule never reads it, and hashing hundreds of users would be slow."""
    number = itertools.count()
    made = []
    agency_choices: list[Agency | None] = [None, *agencies]
    for role, agency, active in itertools.product(Role, agency_choices, (True, False)):
        served_options = [[], partnerships[:1]] if role.serves_partnerships else [[]]
        for served in served_options:
            user = User(
                email=f"visibility{next(number)}@test.example",
                display_name="Visibility test user",
                role=role,
                agency_id=agency.id if agency else None,
                is_active=active,
                password_hash="unused",
                partnerships=list(served),
            )
            db.session.add(user)
            made.append(user)
    db.session.flush()
    return made


@settings(
    max_examples=30,
    deadline=None,
    # One application context for every example; each example's rows are rolled back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_the_sql_and_python_review_rules_agree(ctx: None, world: World) -> None:
    savepoint = db.session.begin_nested()
    try:
        agencies, partnerships, reviews = build(world)
        review_ids = [review.id for review in reviews]
        for user in users(agencies, partnerships):
            in_sql = set(
                db.session.scalars(
                    select(Review.id).where(reviews_visible_to(user), Review.id.in_(review_ids))
                )
            )
            in_python = {review.id for review in reviews if can_view_review(user, review)}
            assert in_sql == in_python, (user.role, user.agency_id, user.is_active)
    finally:
        savepoint.rollback()


def test_the_rule_reaches_what_it_should(ctx: None) -> None:
    """The generated cases are not all trivial: an agency lead sees the review their agency
    is involved in and the one where it owns an action, and not a third."""
    world = World(
        reviews=[
            ReviewShape(partnership=0, involved=frozenset({0}), findings=0),
            ReviewShape(partnership=1, involved=frozenset(), findings=1),
            ReviewShape(partnership=0, involved=frozenset({1}), findings=1),
        ],
        actions=[ActionShape(owner=0, answers=frozenset({0})), ActionShape(1, frozenset({1}))],
    )
    agencies, _partnerships, reviews = build(world)
    lead = factories.user(Role.AGENCY_LEAD, agencies[0])
    chair = factories.user(Role.CHAIR)
    practitioner = factories.user(Role.PRACTITIONER, agencies[0])
    first, second, third = reviews
    for user, expected in ((lead, {first.id, second.id}), (chair, {r.id for r in reviews})):
        assert {r.id for r in reviews if can_view_review(user, r)} == expected
        ids = [r.id for r in reviews]
        visible = select(Review.id).where(reviews_visible_to(user), Review.id.in_(ids))
        assert set(db.session.scalars(visible)) == expected
    assert not any(can_view_review(practitioner, review) for review in reviews)
    assert third.id not in {r.id for r in reviews if can_view_review(lead, r)}
