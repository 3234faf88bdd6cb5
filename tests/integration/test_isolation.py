"""Each test's writes are rolled back, even after a commit (the two tests run in order)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Role, User
from tests import factories

MARKER = "isolation-check@test.example"


def test_1_commit_inside_a_test(app: Flask) -> None:
    with app.app_context():
        factories.user(Role.CHAIR, email=MARKER)
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == MARKER)) is not None


def test_2_previous_commit_was_rolled_back(app: Flask) -> None:
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == MARKER)) is None
