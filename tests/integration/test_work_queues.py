"""The "Your work" home page (issue 20): the secretariat's queues with their counts, each
item linking to where it is decided; the chair's sign-off queue; deciding an item takes it
off; and the page's queries do not grow with the data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    ActionStatus,
    ActionUpdate,
    ExtensionRequest,
    ImpactStatus,
    Role,
    UpdateKind,
)
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.clocks import add_working_days, calendar_for
from tests import factories
from tests.briefing_helpers import published_briefing
from tests.conftest import page_text

OK = 200


@pytest.fixture
def waiting_import(app: Flask) -> Iterator[str]:
    """A tracker staged in the imports store, as the import page leaves it."""
    token = "0123456789abcdef0123456789abcdef.csv"
    store = app.extensions["sgreviews.storage"].imports
    # The store is the session's: previews other tests left unconfirmed wait there too.
    for stored in list(store.files()):
        store.delete(stored.name)
    store.put(token, b"Ref,Action\nX-1,Do a thing\n")
    yield token
    store.delete(token)


def _add_work(number: int) -> dict[str, int]:
    """One item of each queue (``number`` keeps references apart)."""
    today = london_today()
    agency = factories.agency(name=f"Testshire Police {number}")
    lead = factories.user(Role.AGENCY_LEAD, agency)
    review = factories.review(reference=f"LCSPR-2026-{number:02d}")
    finding = factories.finding(review)
    extended = factories.action(agency, finding, reference=f"EXT-{number}")
    request = ExtensionRequest(
        action=extended,
        requested_by_id=lead.id,
        due_date_at_request=extended.due_date,
        requested_due_date=extended.due_date + timedelta(days=60),
        reason="Waiting for the audit team (test).",
    )
    db.session.add(request)
    completed = factories.action(
        agency, finding, reference=f"DONE-{number}", status=ActionStatus.COMPLETED
    )
    sent_back = factories.action(
        agency, finding, reference=f"BACK-{number}", status=ActionStatus.IN_PROGRESS
    )
    db.session.add(
        ActionUpdate(
            action=sent_back,
            status=ActionStatus.IN_PROGRESS,
            previous_status=ActionStatus.COMPLETED,
            note="The audit does not cover the prompt.",
            kind=UpdateKind.SENT_BACK,
        )
    )
    assured = factories.action(
        agency,
        finding,
        reference=f"OLD-{number}",
        status=ActionStatus.ASSURED,
        assured_at=utcnow() - timedelta(days=200),
        impact_status=ImpactStatus.NOT_ASSESSED,
    )
    due_soon = add_working_days(today, 2, calendar_for("ENG"))
    db.session.add(
        ReviewDeadline(
            review=review,
            clock_key="completion",
            name="Complete and publish the review",
            start_on=today - timedelta(days=180),
            due_on=due_soon,
            rule="test",
            calendar="test",
        )
    )
    later = factories.review(reference=f"LCSPR-2027-{number:02d}")
    db.session.add(
        ReviewDeadline(
            review=later,
            clock_key="completion",
            name="Complete and publish the review",
            start_on=today,
            due_on=add_working_days(today, 12, calendar_for("ENG")),
            rule="test",
            calendar="test",
        )
    )
    briefing = published_briefing(title=f"Fathers and male carers {number}")
    briefing.review_by = today + timedelta(days=3)
    db.session.flush()
    return {
        "extended": extended.id,
        "request": request.id,
        "completed": completed.id,
        "sent_back": sent_back.id,
        "assured": assured.id,
        "review": review.id,
        "later": later.id,
        "briefing": briefing.id,
        "lead": lead.id,
    }


@pytest.fixture
def work(app: Flask) -> dict[str, int]:
    with app.app_context():
        ids = _add_work(1)
        db.session.commit()
    return ids


def _count(html: str, key: str) -> str:
    start = html.index(f'data-queue-count="{key}"')
    return page_text_of(html[start : html.index("</td>", start)])


def page_text_of(fragment: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", fragment.split(">", 1)[1]).strip()


def test_the_secretariat_lands_on_its_queues_with_counts_and_links(
    client_for: Callable[..., FlaskClient], work: dict[str, int], waiting_import: str
) -> None:
    client = client_for(Role.SECRETARIAT)
    landing = client.get("/")
    assert landing.headers["Location"] == "/work"
    response = client.get("/work")
    assert response.status_code == OK
    html = response.get_data(as_text=True)
    for key in ("extensions", "assurance", "clocks", "briefings", "imports", "sent_back", "impact"):
        assert _count(html, key) == "1", key
    assert f'href="/actions/{work["extended"]}/extensions/{work["request"]}"' in html
    assert f'href="/actions/{work["completed"]}/assurance"' in html
    assert f'href="/actions/{work["sent_back"]}"' in html
    assert f'href="/actions/{work["assured"]}/impact"' in html
    assert f'href="/reviews/{work["review"]}"' in html
    assert f'href="/reviews/{work["later"]}"' not in html  # 12 working days away
    assert f'href="/briefings/{work["briefing"]}"' in html
    assert f'href="/actions/import/{waiting_import}"' in html
    text = page_text(response)
    assert "Decide the extension of EXT-1" in text
    assert "Due in 2 working days" in text
    # "Your work" is first in the navigation.
    nav = html[html.index("govuk-service-navigation__list") :]
    assert nav.index("Your work") < nav.index("Overview")


def test_the_chair_sees_what_awaits_sign_off_only(
    client_for: Callable[..., FlaskClient], work: dict[str, int]
) -> None:
    client = client_for(Role.CHAIR)
    assert client.get("/").headers["Location"] == "/work"
    response = client.get("/work")
    html = response.get_data(as_text=True)
    assert _count(html, "assurance") == "1"
    assert _count(html, "impact") == "1"
    assert 'data-queue-count="extensions"' not in html
    assert f'href="/actions/{work["completed"]}/assurance"' in html
    assert "What waits for your sign-off" in page_text(response)


def test_deciding_takes_items_off_their_queues(
    app: Flask, client_for: Callable[..., FlaskClient], work: dict[str, int]
) -> None:
    client = client_for(Role.SECRETARIAT)
    decided = client.post(
        f"/actions/{work['extended']}/extensions/{work['request']}",
        data={"decision": "approve", "note": ""},
    )
    assert decided.status_code == 302
    assured = client.post(
        f"/actions/{work['completed']}/assurance",
        data={"decision": "assure", "note": "The audit shows the prompt in use."},
    )
    assert assured.status_code == 302
    html = client.get("/work").get_data(as_text=True)
    assert _count(html, "extensions") == "0"
    assert _count(html, "assurance") == "0"
    assert "No extension request is waiting for a decision." in html
    # Resubmitting the sent-back action moves it from one queue to the other.
    with app.app_context():
        from sgreviews.models import Action

        action = db.session.get(Action, work["sent_back"])
        assert action is not None
        action.status = ActionStatus.COMPLETED
        db.session.add(
            ActionUpdate(
                action=action,
                status=ActionStatus.COMPLETED,
                previous_status=ActionStatus.IN_PROGRESS,
                note="Re-audited.",
                kind=UpdateKind.PROGRESS,
                created_at=utcnow() + timedelta(seconds=1),
            )
        )
        db.session.commit()
    html = client.get("/work").get_data(as_text=True)
    assert _count(html, "sent_back") == "0"
    assert _count(html, "assurance") == "1"


def _queries_for(app: Flask, client: FlaskClient, path: str) -> int:
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


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.CHAIR], ids=lambda role: role.value)
def test_the_queries_do_not_grow_with_the_data(
    app: Flask, client_for: Callable[..., FlaskClient], role: Role
) -> None:
    client = client_for(role)
    with app.app_context():
        _add_work(1)
        db.session.commit()
    before = _queries_for(app, client, "/work")
    with app.app_context():
        for number in range(2, 15):  # past the ten listed per queue
            _add_work(number)
        db.session.commit()
    html = client.get("/work").get_data(as_text=True)
    if role is Role.SECRETARIAT:
        assert _count(html, "extensions") == "14"
        assert "See all 14 completed actions awaiting assurance" in html
    assert _queries_for(app, client, "/work") == before
