"""The register of national reviews tabled through the browser's requests: each role's
access, adding, a refused input kept beside its field, a stale edit, removing with
confirmation, the year filter and the navigation link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import AuditEvent, NationalReviewTabled, Role
from sgreviews.services.national_reviews import register
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.conftest import page_text, sign_in

OK, FORBIDDEN = 200, 403


def _partnership(app: Flask) -> int:
    with app.app_context():
        partnership = factories.partnership()
        db.session.commit()
        return partnership.id


def _entry(app: Flask, partnership_id: int, title: str, tabled_on: date) -> int:
    with app.app_context():
        partnership = register.get_partnership(partnership_id)
        assert partnership is not None
        added = register.add_entry(
            None,
            partnership,
            register.Entry(
                title=title,
                published_by="Child Safeguarding Practice Review Panel",
                published_on=None,
                tabled_on=tabled_on,
                tabled_at="Partnership board",
                what_was_done="A **briefing** was issued.",
            ),
        )
        db.session.commit()
        return added.id


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "National review: babies at risk (fictional)",
        "published_by": "Child Safeguarding Practice Review Panel",
        "published_on": ["27", "3", "2025"],
        "tabled_on": ["12", "6", "2025"],
        "tabled_at": "Case review subgroup",
        "what_was_done": "Checked pre-birth practice against the findings.",
    }
    data.update(overrides)
    return data


def _rows(app: Flask, partnership_id: int) -> list[NationalReviewTabled]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(NationalReviewTabled)
                .where(NationalReviewTabled.partnership_id == partnership_id)
                .order_by(NationalReviewTabled.id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.mark.parametrize(
    ("role", "reads", "keeps"),
    [
        (Role.SECRETARIAT, OK, OK),
        (Role.ADMINISTRATOR, OK, OK),
        (Role.CHAIR, OK, FORBIDDEN),
        (Role.AGENCY_LEAD, FORBIDDEN, FORBIDDEN),
        (Role.PRACTITIONER, FORBIDDEN, FORBIDDEN),
    ],
    ids=lambda value: value.value if isinstance(value, Role) else str(value),
)
def test_each_role_reaches_what_it_should(
    app: Flask, client_for: Callable[..., FlaskClient], role: Role, reads: int, keeps: int
) -> None:
    partnership_id = _partnership(app)
    entry_id = _entry(app, partnership_id, "Seen by readers (fictional)", date(2025, 6, 12))
    client = client_for(role, factories_agency(app) if role is Role.AGENCY_LEAD else None)
    base = f"/national-reviews/{partnership_id}"
    assert client.get("/national-reviews").status_code == reads
    listed = client.get(f"{base}?year=2025")
    assert listed.status_code == reads
    if reads == OK:
        text = page_text(listed)
        assert "Seen by readers (fictional)" in text
        assert ("Add a national review" in text) is (keeps == OK)
        assert ("Change Seen by readers" in text) is (keeps == OK)
    for path in (f"{base}/new", f"{base}/{entry_id}/edit", f"{base}/{entry_id}/delete"):
        assert client.get(path).status_code == keeps, path
        if keeps == FORBIDDEN:
            assert client.post(path, data=_form()).status_code == FORBIDDEN, path
    assert len(_rows(app, partnership_id)) == 1


def factories_agency(app: Flask) -> object:
    with app.app_context():
        agency = factories.agency()
        db.session.commit()
        db.session.refresh(agency)
        db.session.expunge(agency)
        return agency


def test_a_secretariat_linked_to_another_partnership_is_refused(app: Flask) -> None:
    partnership_id, theirs = _partnership(app), _partnership(app)
    entry_id = _entry(app, partnership_id, "Not theirs (fictional)", date(2025, 6, 12))
    with app.app_context():
        user = factories.user(Role.SECRETARIAT)
        other = register.get_partnership(theirs)
        assert other is not None
        user.partnerships = [other]
        email = user.email
        db.session.commit()
    client = app.test_client()
    sign_in(client, email)
    base = f"/national-reviews/{partnership_id}"
    for path in (base, f"{base}/new", f"{base}/{entry_id}/edit", f"{base}/{entry_id}/delete"):
        assert client.get(path).status_code == FORBIDDEN, path
    index = page_text(client.get("/national-reviews"))
    with app.app_context():
        names = {p: register.get_partnership(p).name for p in (partnership_id, theirs)}  # type: ignore[union-attr]
    assert names[theirs] in index and names[partnership_id] not in index
    assert client.get(f"/national-reviews/{theirs}").status_code == OK


def test_the_secretariat_adds_an_entry_and_finds_it_in_its_year(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    partnership_id = _partnership(app)
    client = client_for(Role.SECRETARIAT)
    response = client.post(f"/national-reviews/{partnership_id}/new", data=_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/national-reviews/{partnership_id}?year=2025")
    [row] = _rows(app, partnership_id)
    assert row.tabled_on == date(2025, 6, 12) and row.published_on == date(2025, 3, 27)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent.event).where(
                AuditEvent.entity_type == "national_review_tabled", AuditEvent.entity_id == row.id
            )
        ).all()
    assert list(events) == ["created"]
    page = page_text(client.get(response.headers["Location"]))
    assert "National review: babies at risk (fictional)" in page
    assert "12 June 2025, Case review subgroup" in page
    # Another year does not list it; "All years" does.
    assert "babies at risk" not in page_text(
        client.get(f"/national-reviews/{partnership_id}?year=2024")
    )
    assert "babies at risk" in page_text(client.get(f"/national-reviews/{partnership_id}?year=all"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {
                "tabled_on": [
                    str((d := london_today() + timedelta(days=1)).day),
                    str(d.month),
                    str(d.year),
                ]
            },
            "The date tabled must be today or in the past",
        ),
        ({"tabled_on": ["", "", ""]}, "Enter the date it was tabled"),
        ({"tabled_on": ["31", "2", "2025"]}, "Date tabled must be a real date"),
        ({"title": ""}, "Enter the title of the national review"),
        ({"published_on": ["1", "7", "2025"]}, "The date tabled must be the same as or after"),
    ],
)
def test_a_refused_entry_shows_the_error_summary_and_keeps_the_input(
    app: Flask, client_for: Callable[..., FlaskClient], fields: dict[str, object], message: str
) -> None:
    partnership_id = _partnership(app)
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        f"/national-reviews/{partnership_id}/new",
        data=_form(what_was_done="Typed text that must survive", **fields),
    )
    assert response.status_code == OK
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "Typed text that must survive" in html
    assert page_text(response).startswith("Error:") or "<title>Error:" in html
    assert _rows(app, partnership_id) == []


def test_an_edit_over_someone_elses_change_keeps_the_typed_text(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    partnership_id = _partnership(app)
    entry_id = _entry(app, partnership_id, "Original title (fictional)", date(2025, 6, 12))
    first, second = client_for(Role.SECRETARIAT), client_for(Role.SECRETARIAT)
    path = f"/national-reviews/{partnership_id}/{entry_id}/edit"
    assert 'name="version" type="hidden" value="1"' in first.get(path).get_data(as_text=True)
    saved = second.post(path, data=_form(title="Their title (fictional)", version="1"))
    assert saved.status_code == 302
    refused = first.post(path, data=_form(title="My title (fictional)", version="1"))
    assert refused.status_code == OK
    text = page_text(refused)
    assert "Someone else changed this while you were editing" in text
    assert "Their title (fictional)" in text  # theirs, in the comparison
    assert 'value="My title (fictional)"' in refused.get_data(as_text=True)  # mine, kept
    [row] = _rows(app, partnership_id)
    assert row.title == "Their title (fictional)" and row.version == 2
    # Saved again, now against what is there, it goes through.
    assert (
        first.post(path, data=_form(title="My title (fictional)", version="2")).status_code == 302
    )


def test_removing_asks_first_then_removes_and_audits(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    partnership_id = _partnership(app)
    entry_id = _entry(app, partnership_id, "Entered in error (fictional)", date(2025, 6, 12))
    client = client_for(Role.SECRETARIAT)
    path = f"/national-reviews/{partnership_id}/{entry_id}/delete"
    question = page_text(client.get(path))
    assert "Are you sure you want to remove this national review" in question
    assert "Entered in error (fictional)" in question
    assert len(_rows(app, partnership_id)) == 1
    response = client.post(path, data={"version": "1"})
    assert response.status_code == 302
    assert _rows(app, partnership_id) == []
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "national_review_tabled", AuditEvent.entity_id == entry_id
            )
            .order_by(AuditEvent.id.desc())
        )
        assert event is not None and event.event == "deleted"
        assert event.before is not None and event.before["title"] == "Entered in error (fictional)"


def test_the_navigation_links_the_register_for_those_who_read_it(
    client_for: Callable[..., FlaskClient],
) -> None:
    for role in (Role.SECRETARIAT, Role.CHAIR):
        assert 'href="/national-reviews"' in client_for(role).get("/learning").get_data(
            as_text=True
        ), role
    assert 'href="/national-reviews"' not in client_for(Role.PRACTITIONER).get(
        "/learning"
    ).get_data(as_text=True)


def test_the_list_defaults_to_the_current_business_year(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    partnership_id = _partnership(app)
    current = BusinessYear.containing(london_today())
    _entry(app, partnership_id, "This year (fictional)", current.start)
    _entry(app, partnership_id, "Last year (fictional)", current.start - timedelta(days=1))
    page = page_text(client_for(Role.CHAIR).get(f"/national-reviews/{partnership_id}"))
    assert "This year (fictional)" in page and "Last year (fictional)" not in page
