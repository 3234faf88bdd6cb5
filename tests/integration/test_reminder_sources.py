"""Review clocks and briefing review-by dates go through the reminders engine: a
`sgreviews reminders run --today` walk sends each reminder once through a real SMTP server,
a review on hold gets none, and running the same day again sends nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import Role, User
from sgreviews.models.review import HoldReason, ReviewHold, StageTransition
from sgreviews.services.reminders.rules import ReviewClockRules
from sgreviews.services.reminders.sources import ReviewClockSource
from sgreviews.services.reminders.wiring import MAIL_KEY, RULES_KEY
from sgreviews.services.reviews.deadlines import refresh_deadlines
from tests import factories
from tests.briefing_helpers import published_briefing
from tests.smtp import Inbox, smtp_server

NOTIFIED = date(2026, 3, 2)  # a Monday; no bank holiday in March 2026
RAPID_DUE = date(2026, 3, 23)  # the 15th working day after notification
REVIEW_BY = date(2026, 4, 20)


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, MAIL_KEY, server.settings())
        yield server


@pytest.fixture
def people(ctx: None) -> dict[str, int]:
    agency = factories.agency(name="Testshire Council")
    secretariat = factories.user(Role.SECRETARIAT, email="secretariat@test.example")
    author = factories.user(Role.AGENCY_LEAD, agency, email="author@test.example")
    # A briefing author who has left: no active account.
    gone = factories.user(Role.AGENCY_LEAD, agency, email="gone@test.example", is_active=False)
    db.session.commit()
    return {"secretariat": secretariat.id, "author": author.id, "gone": gone.id}


@pytest.fixture
def reviews(people: dict[str, int]) -> dict[str, int]:
    rapid = factories.review(
        reference="RR-2026-01", review_type="rapid_review", stage="in_progress"
    )
    rapid.notified_on = NOTIFIED
    refresh_deadlines(rapid, NOTIFIED)
    held = factories.review(reference="RR-2026-02", review_type="rapid_review", stage="in_progress")
    held.notified_on = NOTIFIED
    db.session.add(
        ReviewHold(review=held, reason=HoldReason.CRIMINAL, started_on=date(2026, 3, 10))
    )
    db.session.flush()
    refresh_deadlines(held, NOTIFIED)
    db.session.commit()
    assert [d.due_on for d in rapid.deadlines] == [RAPID_DUE]
    return {"rapid": rapid.id, "held": held.id}


@pytest.fixture
def briefing_ids(people: dict[str, int]) -> dict[str, int]:
    secretariat = db.session.get(User, people["secretariat"])
    assert secretariat is not None
    briefing = published_briefing(secretariat)
    briefing.author_id = people["author"]
    briefing.review_by = REVIEW_BY
    orphan = published_briefing(secretariat)
    orphan.author_id = people["gone"]
    orphan.review_by = REVIEW_BY + timedelta(days=60)
    db.session.commit()
    return {"briefing": briefing.id, "orphan": orphan.id}


def run(app: Flask, day: date) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def received(inbox: Inbox) -> dict[str, list[str]]:
    mail: dict[str, list[str]] = {}
    for message in inbox.take():
        mail.setdefault(message.to, []).append(message.part("plain"))
    return mail


def walk(app: Flask, inbox: Inbox, expected: list[tuple[date, dict[str, str]]]) -> None:
    for day, mail in expected:
        output = run(app, day)
        got = received(inbox)
        assert set(got) == set(mail), f"{day}: {got} {output}"
        for address, line in mail.items():
            assert len(got[address]) == 1, f"{day}: {address} got {len(got[address])}"
            assert line in got[address][0], f"{day}: {got[address][0]}"


def test_a_rapid_review_deadline_reminds_the_secretariat_once_in_working_days(
    app: Flask, reviews: dict[str, int], inbox: Inbox
) -> None:
    to = "secretariat@test.example"
    walk(
        app,
        inbox,
        [
            (date(2026, 3, 17), {}),  # four working days before
            (date(2026, 3, 18), {to: "RR-2026-01 is due in 3 working days"}),
            (date(2026, 3, 18), {}),  # the same day again: nothing
            (date(2026, 3, 20), {}),  # Friday, one working day to go: already told
            (date(2026, 3, 21), {}),
            (date(2026, 3, 23), {to: "RR-2026-01 is due today"}),
            (date(2026, 3, 24), {to: "RR-2026-01 is 1 working day overdue"}),
            (date(2026, 3, 25), {}),
        ],
    )


def test_the_digest_line_links_to_the_review_and_a_held_review_gets_nothing(
    app: Flask, reviews: dict[str, int], inbox: Inbox
) -> None:
    run(app, date(2026, 3, 18))
    [message] = inbox.to("secretariat@test.example")
    text, html = message.part("plain"), message.part("html")
    assert "Statutory deadline: Send the rapid review to the Panel." in text
    assert f"/reviews/{reviews['rapid']}" in text and f"/reviews/{reviews['rapid']}" in html
    # The held review's clock is paused: no line about it on any day.
    for offset in range(0, 40):
        run(app, date(2026, 3, 18) + timedelta(days=offset))
    everything = " ".join(m.part("plain") for m in inbox.take())
    assert "RR-2026-01" in everything
    assert "RR-2026-02" not in everything


def test_a_held_review_is_left_out_and_its_release_rearms_it(
    app: Flask, reviews: dict[str, int]
) -> None:
    with app.app_context():
        rules = app.extensions[RULES_KEY].review_clocks
        assert isinstance(rules, ReviewClockRules) and rules.enabled
        source = ReviewClockSource(rules)
        today = date(2026, 3, 20)
        seen = {s.reference for page in source.pages(today, 0, 100) for s in page}
        assert seen == {"RR-2026-01"}
        hold = db.session.query(ReviewHold).filter_by(review_id=reviews["held"]).one()
        hold.ended_on = today
        db.session.flush()
        seen = {s.reference for page in source.pages(today, 0, 100) for s in page}
        assert seen == {"RR-2026-01", "RR-2026-02"}
        db.session.rollback()


def test_a_briefing_review_by_date_reminds_its_author_once(
    app: Flask, briefing_ids: dict[str, int], inbox: Inbox
) -> None:
    author = "author@test.example"
    walk(
        app,
        inbox,
        [
            (REVIEW_BY - timedelta(days=15), {}),
            (REVIEW_BY - timedelta(days=14), {author: "its review is due in 14 days"}),
            (REVIEW_BY - timedelta(days=14), {}),
            (REVIEW_BY - timedelta(days=3), {}),
            (REVIEW_BY, {author: "its review is due today"}),
            (REVIEW_BY, {}),
            (REVIEW_BY + timedelta(days=5), {}),
        ],
    )


def test_a_briefing_line_links_to_the_briefing_and_without_an_author_goes_to_the_secretariat(
    app: Flask, briefing_ids: dict[str, int], inbox: Inbox
) -> None:
    run(app, REVIEW_BY)
    [message] = inbox.to("author@test.example")
    assert re.search(rf"http://[^ ]+/briefings/{briefing_ids['briefing']}\b", message.part("plain"))
    inbox.take()
    # The second briefing's author is no longer active: the secretariat is told.
    run(app, REVIEW_BY + timedelta(days=60))
    [message] = inbox.to("secretariat@test.example")
    assert f"/briefings/{briefing_ids['orphan']}" in message.part("plain")
    assert inbox.to("gone@test.example") == []


def test_the_final_report_stage_brings_one_pre_publication_notice(
    app: Flask, people: dict[str, int], inbox: Inbox
) -> None:
    with app.app_context():
        review = factories.review(reference="LCSPR-2026-09", stage="final_report")
        db.session.add(
            StageTransition(
                review=review,
                from_stage="draft_report",
                to_stage="final_report",
                moved_on=date(2026, 5, 4),
            )
        )
        db.session.commit()
        review_id = review.id
    run(app, date(2026, 5, 1))
    assert inbox.take() == []
    run(app, date(2026, 5, 4))
    [message] = inbox.take()
    text = message.part("plain")
    assert "LCSPR-2026-09: pre-publication notice to the Panel" in text
    assert "at least 7 working days before publication" in text
    assert f"/reviews/{review_id}" in text
    run(app, date(2026, 5, 5))
    assert inbox.take() == []


def test_a_withdrawn_review_at_final_report_brings_no_notice(
    app: Flask, people: dict[str, int], inbox: Inbox
) -> None:
    """A review withdrawn as created in error is out of every reminder (Review.counted),
    the pre-publication notice included."""
    from sgreviews.clock import utcnow

    with app.app_context():
        review = factories.review(reference="LCSPR-2026-19", stage="final_report")
        review.withdrawn_at = utcnow()
        review.withdrawal_reason = "Created in error (test)"
        db.session.add(
            StageTransition(
                review=review,
                from_stage="draft_report",
                to_stage="final_report",
                moved_on=date(2026, 5, 4),
            )
        )
        db.session.commit()
    run(app, date(2026, 5, 4))
    assert [m for m in inbox.take() if "LCSPR-2026-19" in m.part("plain")] == []
