"""The administrators' users list in pages, with a search by name or email address, and a
fixed number of queries however many users and agencies there are (issue 8)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select

from sgreviews.extensions import db
from sgreviews.models import Agency, AgencyFormerName, Role, Sector, User
from sgreviews.services.accounts.users import USERS_PER_PAGE
from tests.conftest import page_text


def _bulk(app: Flask, label: str, users: int, agencies: int) -> None:
    with app.app_context():
        if agencies:
            db.session.execute(
                insert(Agency),
                [{"name": f"{label} agency {n}", "sector": Sector.POLICE} for n in range(agencies)],
            )
            ids = db.session.scalars(
                select(Agency.id).where(Agency.name.like(f"{label} agency %"))
            ).all()
            db.session.execute(
                insert(AgencyFormerName),
                [
                    {
                        "agency_id": agency_id,
                        "name": f"Old {agency_id}",
                        "used_until": date(2022, 6, 30),
                    }
                    for agency_id in ids
                ],
            )
        if users:
            db.session.execute(
                insert(User),
                [
                    {
                        "email": f"{label.lower()}.{n}@test.example",
                        "display_name": f"{label} Person {n:04d}",
                        "role": Role.CHAIR,
                        "password_hash": "not-a-real-hash",
                    }
                    for n in range(users)
                ],
            )
        db.session.commit()


def _count(app: Flask, client: FlaskClient, url: str) -> int:
    statements: list[Any] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_users_are_listed_a_page_at_a_time_and_searchable(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    _bulk(app, "Zebedee", USERS_PER_PAGE + 10, 0)
    admin = client_for(Role.ADMINISTRATOR)
    found = admin.get("/admin/users?q=zebedee")
    text = page_text(found)
    assert f"{USERS_PER_PAGE + 10} users matching “zebedee”: showing 1 to {USERS_PER_PAGE}" in text
    assert "Zebedee Person 0000" in text and "Zebedee Person 0059" not in text
    assert "q=zebedee&amp;page=2" in found.get_data(as_text=True)
    second = page_text(admin.get("/admin/users?q=zebedee&page=2"))
    assert "Zebedee Person 0059" in second and "Zebedee Person 0000" not in second
    by_email = page_text(admin.get("/admin/users?q=ZEBEDEE.7%40test"))
    assert "1 user matching" in by_email and "zebedee.7@test.example" in by_email
    # Wildcards are taken literally.
    assert "No users match" in page_text(admin.get("/admin/users?q=%25_%25"))


def test_users_page_runs_the_same_queries_with_many_more_users_and_agencies(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    urls = ["/admin/users", "/admin/users?page=2", "/admin/users?q=person&agency_page=2"]
    _bulk(app, "First", USERS_PER_PAGE + 5, 3)
    before = [_count(app, admin, url) for url in urls]
    # Past SQLAlchemy's selectin batch of 500 agencies, and many more users.
    _bulk(app, "Second", 1500, 1100)
    after = [_count(app, admin, url) for url in urls]
    assert before == after
    # The agencies are paged too: one page of them, with the users' search kept.
    page = admin.get("/admin/users?q=person&agency_page=3")
    html = page.get_data(as_text=True)
    assert len(re.findall(r"/admin/agencies/\d+", html)) == 50
    assert "q=person&amp;agency_page=4" in html
    assert "Second agency" in page_text(page) or "Old " in page_text(page)
