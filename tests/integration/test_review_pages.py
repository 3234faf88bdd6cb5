"""The review screens: access per role on every page of a review, field-level errors that
keep what was typed, and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sgreviews.extensions import db
from sgreviews.models import Agency, Review, Role, SubjectKind
from sgreviews.models.review import HoldReason, LinkKind, MonitoringKind
from sgreviews.services.reviews import creation as review_creation
from sgreviews.services.reviews import details as review_details
from sgreviews.services.reviews import holds as review_holds
from sgreviews.services.reviews import links as review_links
from sgreviews.services.reviews import monitoring as review_monitoring
from sgreviews.services.reviews import stages as review_stages
from tests import factories
from tests.conftest import page_text

OK, FORBIDDEN = 200, 403

READ_PAGES = ["", "/family"]
WRITE_PAGES = [
    "/decision",
    "/commissioning",
    "/stage",
    "/hold",
    "/monitoring",
    "/publication",
    "/home-office",
    "/links",
    "/agencies",
    "/details",
]


def _lcspr(app: Flask) -> tuple[int, int]:
    """An LCSPR with a rapid review before it; returns (lcspr id, rapid review id)."""
    with app.app_context():
        partnership = factories.partnership()
        rapid = review_creation.create_review(
            None,
            review_type="rapid_review",
            partnership=partnership,
            subject_label="Child Q",
            subject_kind=SubjectKind.CHILD,
            started_on=date(2025, 1, 6),
            notified_on=date(2025, 1, 6),
        )
        lcspr = review_creation.create_review(
            None,
            review_type="lcspr",
            partnership=partnership,
            subject_label="Child Q",
            subject_kind=SubjectKind.CHILD,
            started_on=date(2025, 2, 3),
            decision_on=date(2025, 2, 3),
        )
        review_links.link(None, rapid, lcspr, LinkKind.LED_TO)
        db.session.commit()
        return lcspr.id, rapid.id


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_review_pages_per_role(
    role: Role, app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, rapid_id = _lcspr(app)
    client = client_for(role)
    can_read = role in (Role.SECRETARIAT, Role.CHAIR)
    for suffix in READ_PAGES:
        expected = OK if can_read else FORBIDDEN
        assert client.get(f"/reviews/{review_id}{suffix}").status_code == expected, suffix
    for suffix in WRITE_PAGES:
        expected = OK if role is Role.SECRETARIAT else FORBIDDEN
        target = rapid_id if suffix == "/decision" else review_id
        assert client.get(f"/reviews/{target}{suffix}").status_code == expected, suffix


def test_agency_lead_reads_an_involved_review_but_not_its_family_log(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, _ = _lcspr(app)
    with app.app_context():
        agency = factories.agency()
        agency_id = agency.id
        db.session.commit()
    client = client_for(Role.AGENCY_LEAD, agency)
    assert client.get(f"/reviews/{review_id}").status_code == FORBIDDEN
    with app.app_context():
        review = db.session.get(Review, review_id)
        involved = db.session.get(Agency, agency_id)
        assert review is not None and involved is not None
        review_details.set_agencies_involved(None, review, [involved])
        db.session.commit()
    assert client.get(f"/reviews/{review_id}").status_code == OK
    assert client.get(f"/reviews/{review_id}/family").status_code == FORBIDDEN
    listing = page_text(client.get("/reviews"))
    assert "LCSPR-2025-" in listing


def test_chair_reads_the_family_log_but_cannot_add_to_it(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, _ = _lcspr(app)
    chair = client_for(Role.CHAIR)
    response = chair.get(f"/reviews/{review_id}/family")
    assert response.status_code == OK and "Add someone" not in page_text(response)
    assert chair.post(f"/reviews/{review_id}/family", data={"person": "X"}).status_code == FORBIDDEN
    secretariat = client_for(Role.SECRETARIAT)
    response = secretariat.post(
        f"/reviews/{review_id}/family",
        data={"person": "Mother of Child Q", "consent": "given", "invited_on": ["3", "3", "2025"]},
    )
    assert response.status_code == 302
    assert "Mother of Child Q" in page_text(secretariat.get(f"/reviews/{review_id}/family"))


def _count_reviews(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Review)) or 0


def test_notification_form_refuses_a_future_aware_date_and_keeps_the_input(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        partnership_id = factories.partnership().id
        db.session.commit()
    client = client_for(Role.SECRETARIAT)
    before = _count_reviews(app)
    response = client.post(
        "/reviews/new-notification",
        data={
            "partnership_id": str(partnership_id),
            "subject_label": "Child Q",
            "subject_kind": "child",
            "aware_on": ["1", "1", "2099"],
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "The date the local authority became aware must be today or in the past" in html
    assert 'value="Child Q"' in html and 'value="2099"' in html
    assert _count_reviews(app) == before

    response = client.post(
        "/reviews/new-notification",
        data={
            "partnership_id": str(partnership_id),
            "subject_label": "Child Q",
            "subject_kind": "child",
            "aware_on": ["17", "4", "2025"],
            "notified_on": ["22", "4", "2025"],
        },
    )
    assert response.status_code == 302
    page = page_text(client.get(response.headers["Location"]))
    assert "SIN-2025-01" in page and "28 Apr 2025" in page and "Met" in page


def test_notification_form_needs_a_real_aware_date(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        "/reviews/new-notification", data={"subject_label": "", "aware_on": ["31", "2", "2025"]}
    )
    text = page_text(response)
    assert "must be a real date" in text
    assert "Enter the pseudonymised subject" in text


def test_decision_before_notification_is_refused_at_the_field(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    _, rapid_id = _lcspr(app)
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        f"/reviews/{rapid_id}/decision",
        data={
            "outcome": "lcspr",
            "decided_on": ["3", "1", "2025"],
            "rationale": "Criteria met for a local review",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The decision date must be on or after the notification on 6 January 2025" in html
    assert 'href="#decided_on-day"' in html  # the summary link moves focus to the Day box
    assert "Criteria met for a local review" in html  # the rationale typed is kept


def test_publication_without_a_date_is_refused_at_the_field(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, _ = _lcspr(app)
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        f"/reviews/{review_id}/publication",
        data={"publication_url": "https://example.org/report", "anonymised_confirmed": "y"},
    )
    html = response.get_data(as_text=True)
    assert "Enter the date the report was published" in html
    assert 'href="#published_on-day"' in html
    assert 'value="https://example.org/report"' in html


def test_an_invalid_stage_move_is_refused_with_the_allowed_moves(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, _ = _lcspr(app)
    client = client_for(Role.SECRETARIAT)
    page = page_text(client.get(f"/reviews/{review_id}/stage"))
    assert "In progress" in page and "Published" not in page  # only allowed moves offered
    response = client.post(
        f"/reviews/{review_id}/stage",
        data={"to_stage": "published", "moved_on": ["1", "3", "2025"]},
    )
    assert "From Commissioned the review can move only to: In progress" in page_text(response)


def test_a_stale_form_does_not_overwrite(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, _ = _lcspr(app)
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        f"/reviews/{review_id}/stage",
        data={"to_stage": "in_progress", "moved_on": ["1", "3", "2025"], "version": "0"},
    )
    assert "Someone else changed this review" in page_text(response)


def test_hold_shows_paused_not_overdue(app: Flask, client_for: Callable[..., FlaskClient]) -> None:
    review_id, _ = _lcspr(app)
    client = client_for(Role.SECRETARIAT)
    assert "Overdue" in page_text(client.get(f"/reviews/{review_id}"))
    response = client.post(
        f"/reviews/{review_id}/hold",
        data={"reason": "criminal", "details": "Trial", "started_on": ["1", "4", "2025"]},
    )
    assert response.status_code == 302
    page = page_text(client.get(f"/reviews/{review_id}"))
    assert "On hold" in page and "Paused" in page and "Overdue" not in page
    listing = page_text(client.get("/reviews?on_hold=1"))
    assert "Paused" in listing


def test_list_sorts_filters_and_paginates(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        partnership = factories.partnership()
        for number in range(30):
            factories.review(
                partnership,
                reference=f"MAA-2025-{number:02d}",
                review_type="multi_agency_audit",
                stage="planned",
            )
        db.session.commit()
        pid = partnership.id
    client = client_for(Role.CHAIR)
    first = page_text(client.get(f"/reviews?partnership={pid}&sort=reference"))
    assert (
        "30 reviews, page 1 of 2" in first and "MAA-2025-00" in first and "MAA-2025-29" not in first
    )
    second = page_text(client.get(f"/reviews?partnership={pid}&sort=reference&page=2"))
    assert "MAA-2025-29" in second
    descending = page_text(client.get(f"/reviews?partnership={pid}&sort=reference&order=desc"))
    assert "MAA-2025-29" in descending and "MAA-2025-00" not in descending


def test_closure_days_screen(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(Role.ADMINISTRATOR)
    response = client.post("/calendar/closure-days", data={"day": ["", "", ""], "reason": ""})
    text = page_text(response)
    assert "Enter the date" in text and "Enter the reason" in text
    response = client.post(
        "/calendar/closure-days",
        data={"day": ["24", "12", "2025"], "jurisdiction": "", "reason": "Office closed"},
    )
    assert response.status_code == 302
    assert "24 Dec 2025" in page_text(client.get("/calendar/closure-days"))


def test_deadline_cli(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["deadline", "serious_incident_notification", "2025-04-17"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2025-04-28  Notify the national Panel")
    assert "Rule: 5 working days after" in result.output
    result = runner.invoke(args=["deadline", "rapid_review", "2024-12-23", "--jurisdiction", "SCT"])
    assert "GB subdivision SCT" in result.output
    result = runner.invoke(args=["deadline", "nonsense", "2025-04-17"])
    assert result.exit_code != 0 and "Known types" in result.output
    result = runner.invoke(args=["deadline", "lcspr", "17/04/2025"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def _queries_for(app: Flask, client: FlaskClient, path: str) -> int:
    from sqlalchemy import event

    count = 0

    def counter(*_args: object) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == OK
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def _add_data(app: Flask, review_id: int, numbers: range) -> None:
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None
        for number in numbers:
            other = factories.review(
                reference=f"LCSPR-2024-{number:02d}",
                decision_on=date(2024, 5, 1),
                started_on=date(2024, 3, 1),
                stage="commissioned",
            )
            review_holds.place_hold(
                None,
                other,
                reason=HoldReason.CORONER,
                details="",
                started_on=date(2024, 6, 1),
            )
            review_stages.move_stage(None, other, to_stage="in_progress", moved_on=date(2025, 3, 1))
            factories.action(finding_=factories.finding(review))
            # Each move by a different person: the timeline names them all.
            target = "draft_report" if review.stage == "in_progress" else "in_progress"
            mover = factories.user(Role.SECRETARIAT)
            review_stages.move_stage(mover, review, to_stage=target, moved_on=date(2025, 3, 1))
            review_monitoring.add_monitoring_entry(
                None,
                review,
                checked_on=date(2025, 3, 2),
                kind=MonitoringKind.TIME,
                note="Checked",
            )
        db.session.commit()


def test_query_counts_do_not_grow_with_the_data(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, _ = _lcspr(app)
    _add_data(app, review_id, range(1))
    client = client_for(Role.SECRETARIAT)
    list_before = _queries_for(app, client, "/reviews")
    page_before = _queries_for(app, client, f"/reviews/{review_id}")
    _add_data(app, review_id, range(1, 9))
    assert _queries_for(app, client, "/reviews") == list_before
    assert _queries_for(app, client, f"/reviews/{review_id}") == page_before


def test_every_shipped_type_can_be_created_on_screen(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        partnership_id = factories.partnership().id
        db.session.commit()
    client = client_for(Role.SECRETARIAT)
    for key, rtype in app.extensions["sgreviews.review_types"].items():
        response = client.post(
            "/reviews/new",
            data={
                "review_type": key,
                "partnership_id": str(partnership_id),
                "subject_label": "Child V",
                "subject_kind": "child",
                "started_on": ["6", "1", "2025"],
                "decision_on": ["6", "1", "2025"],
                "variant": "mandatory" if key == "sar" else "",
            },
        )
        assert response.status_code == 302, (key, page_text(response))
        page = page_text(client.get(response.headers["Location"]))
        assert f"{rtype.prefix}-2025-01" in page and rtype.display_name in page
        assert rtype.stage_label(rtype.stages[0]) in page


def test_review_page_offers_a_briefing_to_the_secretariat_only(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        review = factories.review()
        factories.finding(review)
        review_id = review.id
        db.session.commit()
    link = f"/briefings/new?review_id={review_id}"
    assert link in client_for(Role.SECRETARIAT).get(f"/reviews/{review_id}").get_data(as_text=True)
    assert link not in client_for(Role.CHAIR).get(f"/reviews/{review_id}").get_data(as_text=True)


def test_review_page_and_findings_page_link_to_each_other(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        review = factories.review()
        review_id = review.id
        db.session.commit()
    client = client_for(Role.CHAIR)
    assert f"/reviews/{review_id}/findings" in client.get(f"/reviews/{review_id}").get_data(
        as_text=True
    )
    assert f'href="/reviews/{review_id}"' in client.get(f"/reviews/{review_id}/findings").get_data(
        as_text=True
    )


def test_a_rapid_review_decision_records_the_partner_who_signed_it_off(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    """Working Together 2023: the rapid review's decision asks who signed it off (the
    lead or a delegated safeguarding partner, by name), refuses it without, and shows it
    on the review's timeline."""
    _, rapid_id = _lcspr(app)
    client = client_for(Role.SECRETARIAT)
    form = client.get(f"/reviews/{rapid_id}/decision").get_data(as_text=True)
    assert "Who signed off the decision" in form
    base = {
        "outcome": "lcspr",
        "decided_on": ["20", "1", "2025"],
        "rationale": "Criteria met for a local review",
    }
    unsigned = client.post(f"/reviews/{rapid_id}/decision", data=base)
    assert unsigned.status_code == 200
    assert "Choose who signed off the decision" in page_text(unsigned)
    signed = client.post(
        f"/reviews/{rapid_id}/decision",
        data={**base, "signed_off_by_role": "lead", "signed_off_by_name": "Director Q"},
    )
    assert signed.status_code == 302
    shown = page_text(client.get(f"/reviews/{rapid_id}"))
    assert "Signed off by Director Q, the lead safeguarding partner." in shown
