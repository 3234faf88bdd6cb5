"""Correcting a review (issue 20): stage dates never go backwards, the last stage move is
undone, a misfiled review moves to the partnership it belongs to (secretariat of both
only), a review created in error is withdrawn and leaves every list and figure."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Review, Role
from sgreviews.services.dashboard import overview
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.dashboard.review_activity import reviews_by_type_and_stage
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.conftest import page_text, sign_in

Clients = Callable[..., FlaskClient]


def _version(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert found, html
    return found.group(1)


def _date(prefix: str, day: date) -> dict[str, list[str]]:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def _review(app: Flask, **overrides: object) -> int:
    with app.app_context():
        review = factories.review(**overrides)
        db.session.commit()
        return review.id


def test_stage_dates_never_go_backwards_and_the_last_move_is_undone(
    app: Flask, client_for: Clients
) -> None:
    review_id = _review(app, stage="commissioned", started_on=date(2025, 5, 1))
    secretariat = client_for(Role.SECRETARIAT)
    url = f"/reviews/{review_id}/stage"
    moved = secretariat.post(
        url,
        data={
            "version": _version(secretariat, url),
            "to_stage": "in_progress",
            **_date("moved_on", date(2025, 7, 1)),
        },
    )
    assert moved.status_code == 302, page_text(moved)
    backwards = secretariat.post(
        url,
        data={
            "version": _version(secretariat, url),
            "to_stage": "draft_report",
            **_date("moved_on", date(2025, 6, 1)),
        },
    )
    text = page_text(backwards)
    assert backwards.status_code == 200
    assert "must be on or after the last move, to In progress on 1 July 2025" in text
    # The GOV.UK error summary links to the field.
    assert 'href="#moved_on-day"' in backwards.get_data(as_text=True)

    undo = f"/reviews/{review_id}/stage/undo"
    assert "Undo the last stage move" in page_text(secretariat.get(f"/reviews/{review_id}"))
    no_reason = secretariat.post(undo, data={"version": _version(secretariat, undo), "reason": ""})
    assert "Enter why the move is being undone" in page_text(no_reason)
    done = secretariat.post(
        undo, data={"version": _version(secretariat, undo), "reason": "Moved the wrong review"}
    )
    assert done.status_code == 302, page_text(done)
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None and review.stage == "commissioned"
        assert [t for t in review.transitions if t.from_stage is not None] == []
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "transition_undone")
        )
        assert event.after and event.after["reason"] == "Moved the wrong review"
        assert event.before and event.before["undone_move"]["to_stage"] == "in_progress"
    # Nothing left to undo.
    assert secretariat.get(undo).status_code == 404
    # Agency leads and the chair cannot undo.
    assert client_for(Role.CHAIR).get(undo).status_code == 403


def _secretariat_serving(app: Flask, *partnership_ids: int) -> FlaskClient:
    from sgreviews.models import Partnership

    with app.app_context():
        user = factories.user(Role.SECRETARIAT)
        user.partnerships = [db.session.get(Partnership, pid) for pid in partnership_ids]  # type: ignore[misc]
        email = user.email
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def test_misfiled_review_moves_only_for_the_secretariat_of_both(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        wrong = factories.partnership(name="Testshire Community Safety Partnership")
        right = factories.partnership(name="Testshire Safeguarding Adults Board")
        review = factories.review(wrong, reference="SAR-2025-01")
        db.session.commit()
        ids = (wrong.id, right.id, review.id)
    wrong_id, right_id, review_id = ids
    url = f"/reviews/{review_id}/move"
    # Serving only the partnership it is filed under: the right one is not offered, and
    # posting it anyway is refused.
    one_side = _secretariat_serving(app, wrong_id)
    assert "Testshire Safeguarding Adults Board" not in page_text(one_side.get(url))
    refused = one_side.post(
        url,
        data={"version": _version(one_side, url), "partnership_id": right_id, "reason": "Misfiled"},
    )
    assert refused.status_code == 200
    # Serving only the destination: the page is refused.
    assert _secretariat_serving(app, right_id).get(url).status_code == 403
    assert client_for(Role.CHAIR).get(url).status_code == 403

    both = _secretariat_serving(app, wrong_id, right_id)
    no_reason = both.post(
        url, data={"version": _version(both, url), "partnership_id": right_id, "reason": ""}
    )
    assert "Enter why the review is being moved" in page_text(no_reason)
    moved = both.post(
        url,
        data={
            "version": _version(both, url),
            "partnership_id": right_id,
            "reason": "A SAR belongs to the adults board",
        },
    )
    assert moved.status_code == 302, page_text(moved)
    with app.app_context():
        stored = db.session.get(Review, review_id)
        assert stored is not None and stored.partnership_id == right_id
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "moved_partnership")
        )
        assert event.before and event.before["partnership_id"] == wrong_id
        assert event.after and event.after["partnership_id"] == right_id


def test_withdrawn_review_leaves_every_list_and_figure(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        agency = factories.agency()
        review = factories.review(reference="LCSPR-2025-77", stage="in_progress")
        review.agencies_involved.append(agency)
        kept = factories.review(reference="LCSPR-2025-78", stage="in_progress")
        db.session.commit()
        review_id, kept_id = review.id, kept.id
    secretariat = client_for(Role.SECRETARIAT)
    lead = client_for(Role.AGENCY_LEAD, agency)
    assert lead.get(f"/reviews/{review_id}").status_code == 200
    url = f"/reviews/{review_id}/withdraw"
    no_reason = secretariat.post(url, data={"version": _version(secretariat, url), "reason": ""})
    assert "Enter why the review is being withdrawn" in page_text(no_reason)
    done = secretariat.post(
        url, data={"version": _version(secretariat, url), "reason": "Created twice by mistake"}
    )
    assert done.status_code == 302, page_text(done)
    listing = page_text(secretariat.get("/reviews"))
    assert "LCSPR-2025-78" in listing and "LCSPR-2025-77" not in listing
    assert "Created twice by mistake" in page_text(secretariat.get(f"/reviews/{review_id}"))
    assert lead.get(f"/reviews/{review_id}").status_code == 403
    with app.app_context():
        assert review_id not in {r.id for r in overview.list_reviews()}
        assert kept_id in {r.id for r in overview.list_reviews()}
        filters = Filters(year=BusinessYear(2025))
        by_stage = reviews_by_type_and_stage(filters)
        assert sum(count for _, _, count in by_stage) == 1
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "withdrawn"))
        assert event.entity_id == review_id


def test_review_with_findings_cannot_be_withdrawn(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        review = factories.review()
        factories.finding(review)
        db.session.commit()
        review_id = review.id
    secretariat = client_for(Role.SECRETARIAT)
    url = f"/reviews/{review_id}/withdraw"
    refused = secretariat.post(url, data={"version": _version(secretariat, url), "reason": "x"})
    assert "it cannot be withdrawn" in page_text(refused)
