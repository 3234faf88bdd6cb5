"""`sgreviews demo generate` fills an empty database with consistent generated data."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionUpdate,
    Agency,
    Finding,
    Partnership,
    Review,
    Role,
    User,
)
from sgreviews.models.action import action_finding
from sgreviews.models.user import user_partnership
from sgreviews.services.accounts import users
from sgreviews.services.demo.generate import GENERATED_PASSWORD, SCALES


def _count(model: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_generate_small_scale(app: Flask, ctx: None) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "s"])
    assert result.exit_code == 0, result.output
    assert "Generated" in result.output
    scale = SCALES["s"]
    assert _count(Review) == scale.reviews
    assert _count(Action) == scale.actions
    assert _count(ActionUpdate) == scale.updates
    assert _count(User) == scale.users
    assert _count(action_finding) == scale.actions
    assert _count(Finding) > 0 and _count(Agency) > 0
    # Each partnership has one secretariat and one chair user linked to it; a few are
    # national (linked to none).
    linked = db.session.execute(
        select(user_partnership.c.partnership_id, User.role, func.count())
        .join(User, User.id == user_partnership.c.user_id)
        .group_by(user_partnership.c.partnership_id, User.role)
    ).all()
    partnerships = _count(Partnership)
    assert sorted((row[1].value, row[2]) for row in linked) == sorted(
        [("secretariat", 1), ("chair", 1)] * partnerships
    )
    national = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.role.in_([Role.SECRETARIAT, Role.CHAIR]),
            ~User.id.in_(select(user_partnership.c.user_id)),
        )
    )
    assert national == 4
    # Every action's lead belongs to the owning agency; every agency has leads.
    mismatched = db.session.scalar(
        select(func.count())
        .select_from(Action)
        .join(User, User.id == Action.lead_user_id)
        .where(User.agency_id != Action.owning_agency_id)
    )
    assert mismatched == 0
    lead = db.session.scalar(select(User).where(User.role == Role.AGENCY_LEAD).limit(1))
    assert lead is not None
    assert users.authenticate(lead.email, GENERATED_PASSWORD).succeeded
    # The reminders can run over it.
    dry = app.test_cli_runner().invoke(args=["reminders", "run", "--dry-run"])
    assert dry.exit_code == 0 and "new reminder decisions" in dry.output
    # A second generate is refused: the database is no longer empty.
    again = app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "s"])
    assert again.exit_code != 0 and "already has users" in again.output
