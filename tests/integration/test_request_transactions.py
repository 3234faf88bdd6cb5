"""A request that wrote nothing ends with COMMIT (so psycopg keeps its prepared statements);
one that wrote without committing, or failed, is rolled back as before
(web/request_transactions.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from sgreviews.extensions import db
from sgreviews.models import Agency, Role
from sgreviews.web.request_transactions import end_request_transaction
from tests import factories


@pytest.fixture
def commits() -> Iterator[list[str]]:
    """The sessions' commits and rollbacks, in order."""
    seen: list[str] = []

    def committed(_session: Session) -> None:
        seen.append("commit")

    def rolled_back(_session: Session) -> None:
        seen.append("rollback")

    event.listen(Session, "after_commit", committed)
    event.listen(Session, "after_soft_rollback", rolled_back)
    try:
        yield seen
    finally:
        event.remove(Session, "after_commit", committed)
        event.remove(Session, "after_soft_rollback", rolled_back)


def _agencies() -> int:
    return db.session.scalar(select(func.count()).select_from(Agency)) or 0


def test_a_page_that_only_reads_ends_with_commit(
    app: Flask, client_for: object, commits: list[str]
) -> None:
    client = client_for(Role.CHAIR)  # type: ignore[operator]
    commits.clear()
    response = client.get("/reviews")
    assert response.status_code == 200
    assert commits == ["commit"]


def test_read_only_transaction_is_committed(app: Flask, commits: list[str]) -> None:
    with app.test_request_context():
        _agencies()
        assert db.session().in_transaction()
        end_request_transaction(None)
        assert commits == ["commit"]
        assert not db.session().in_transaction()


@pytest.mark.parametrize("how", ["flushed", "pending", "core update", "failed"])
def test_what_a_request_did_not_commit_is_not_kept(
    app: Flask, commits: list[str], how: str
) -> None:
    with app.app_context():
        agency = factories.agency(name="Testshire Youth Justice Service")
        db.session.commit()
        agency_id = agency.id
        before = _agencies()
    commits.clear()
    with app.test_request_context():
        _agencies()
        error: BaseException | None = None
        if how == "flushed":
            factories.agency(name="Testshire Early Help")
            db.session.flush()
        elif how == "pending":
            with db.session.no_autoflush:
                db.session.add(Agency(name="Testshire School Nursing"))
        elif how == "core update":
            db.session.execute(
                update(Agency).where(Agency.id == agency_id).values(name="Renamed by a view")
            )
        else:
            factories.agency(name="Testshire Early Help")
            db.session.flush()
            error = RuntimeError("the view failed")
        end_request_transaction(error)
        assert "commit" not in commits
    # The app context's end rolled back what the request did not commit.
    with app.app_context():
        assert _agencies() == before
        assert db.session.get(Agency, agency_id).name == "Testshire Youth Justice Service"  # type: ignore[union-attr]
