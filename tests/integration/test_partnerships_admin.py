"""Partnerships kept in the app by the administrator, and the "Create a review" form's
partnership following the review type's owning body (issue 20)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Partnership, PartnershipKind, Role
from tests import factories
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]


def test_administrator_creates_and_edits_a_partnership(app: Flask, client_for: Clients) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    created = admin.post(
        "/admin/partnerships/new",
        data={
            "name": "Lakeshire Safeguarding Adults Board",
            "short_name": "LSAB",
            "kind": "adults",
            "jurisdiction": "ENG",
            "go_live_on": ["1", "4", "2026"],
        },
    )
    assert created.status_code == 302, page_text(created)
    listing = page_text(admin.get("/admin/partnerships"))
    assert "Lakeshire Safeguarding Adults Board" in listing and "1 Apr 2026" in listing
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.short_name == "LSAB"))
        assert partnership is not None
        assert partnership.kind is PartnershipKind.ADULTS
        assert (partnership.jurisdiction, partnership.go_live_on) == ("ENG", date(2026, 4, 1))
        partnership_id = partnership.id
    edited = admin.post(
        f"/admin/partnerships/{partnership_id}",
        data={
            "name": "Lakeshire Safeguarding Adults Board",
            "short_name": "LSAB",
            "kind": "adults",
            "jurisdiction": "WLS",
            "go_live_on": ["", "", ""],
        },
    )
    assert edited.status_code == 302, page_text(edited)
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.entity_type == "partnership", AuditEvent.entity_id == partnership_id
                )
                .order_by(AuditEvent.id)
            )
        )
        assert [event.event for event in events] == ["create", "update"]
        assert events[1].before and events[1].before["jurisdiction"] == "ENG"
        assert events[1].after and events[1].after["jurisdiction"] == "WLS"


def test_duplicate_short_name_is_refused_beside_the_field(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        factories.partnership(short_name="TAKEN")
        db.session.commit()
    response = client_for(Role.ADMINISTRATOR).post(
        "/admin/partnerships/new",
        data={"name": "Another Partnership", "short_name": "taken", "kind": "children"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The short name taken is already used" in page_text(response), page_text(response)
    assert 'href="#short_name"' in html
    assert page_text(response).startswith("Error: ")


def test_review_form_partnership_follows_the_owning_body(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        # Named so the community safety partnership sorts first, as in the demo.
        factories.partnership(
            name="A Community Safety Partnership", kind=PartnershipKind.COMMUNITY_SAFETY
        )
        children = factories.partnership(
            name="B Safeguarding Children Partnership", kind=PartnershipKind.CHILDREN
        )
        db.session.commit()
        children_id = children.id
    secretariat = client_for(Role.SECRETARIAT)
    # With no type chosen the partnership starts unchosen, never the first by name.
    blank = secretariat.get("/reviews/new").get_data(as_text=True)
    assert re.search(r'<option value="" selected>Choose a partnership</option>', blank)
    # A type chosen (the link, or the script) chooses its owning body's partnership.
    chosen = secretariat.get("/reviews/new?type=lcspr").get_data(as_text=True)
    assert re.search(rf'<option value="{children_id}" selected>', chosen)
    assert 'data-app-owning-bodies="' in chosen and "&#34;lcspr&#34;: &#34;children&#34;" in chosen
    assert "data-app-partnership-kinds" in chosen
    missing = secretariat.post(
        "/reviews/new",
        data={
            "review_type": "lcspr",
            "partnership_id": "",
            "subject_label": "Child V",
            "subject_kind": "child",
            "started_on": ["6", "1", "2025"],
        },
    )
    assert "Choose the partnership" in page_text(missing)


def test_the_partnership_pages_mark_partnerships_in_the_navigation(client_for: Clients) -> None:
    """Only the entry the page belongs to is marked: "Partnerships" on the partnership
    form, "Users and agencies" on the users list (both live under admin.)."""
    admin = client_for(Role.ADMINISTRATOR)

    def marked(path: str) -> list[str]:
        html = admin.get(path).get_data(as_text=True)
        items = re.findall(
            r'<li class="govuk-service-navigation__item '
            r'govuk-service-navigation__item--active">\s*<a[^>]*>\s*(?:<strong[^>]*>)?([^<]+)',
            html,
        )
        return [item.strip() for item in items]

    assert marked("/admin/partnerships/new") == ["Partnerships"]
    assert marked("/admin/partnerships") == ["Partnerships"]
    assert marked("/admin/users") == ["Users and agencies"]
