"""Submissions of a review to external bodies (issue 22, item 6): recorded, replied to and
resubmitted through the pages, refused input kept beside its field, per-role access, the
audit trail, optimistic locking, the reply clock, and the rule "awaiting a reply" in
Python and SQL agreeing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sgreviews import create_app
from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Review, Role, Submission
from sgreviews.services import submissions
from sgreviews.settings import PROJECT_ROOT
from sgreviews.submission_bodies import SubmissionBodyConfigError
from tests import factories
from tests.conftest import page_text

OK, FOUND, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def _review(app: Flask) -> int:
    with app.app_context():
        review = factories.review(subject_label="Child Q")
        db.session.commit()
        return review.id


def _submit(client: FlaskClient, review_id: int, suffix: str = "new", **extra: object) -> object:
    data: dict[str, object] = {
        "body_key": "panel",
        "sent_on": ["3", "3", "2025"],
        "what_was_sent": "The rapid review and its chronology.",
        "reply_within": "",
        "reply_unit": "",
    }
    data.update(extra)
    return client.post(f"/reviews/{review_id}/submissions/{suffix}", data=data)


def _submissions(app: Flask, review_id: int) -> list[Submission]:
    with app.app_context():
        rows = db.session.scalars(
            select(Submission).where(Submission.review_id == review_id).order_by(Submission.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _events(app: Flask, ids: list[int]) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.event)
                .where(AuditEvent.entity_type == "submission", AuditEvent.entity_id.in_(ids))
                .order_by(AuditEvent.id)
            )
        )


def test_record_reply_and_resubmit_keep_every_submission(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id = _review(app)
    client = client_for(Role.SECRETARIAT)
    form = client.get(f"/reviews/{review_id}/submissions/new")
    assert form.status_code == OK
    assert "Child Safeguarding Practice Review Panel" in page_text(form)
    assert "Domestic Abuse Commissioner" not in page_text(form)  # not an LCSPR's body

    response = _submit(client, review_id)
    assert response.status_code == FOUND  # type: ignore[attr-defined]
    [first] = _submissions(app, review_id)
    # 15 working days of England's calendar from Monday 3 March 2025.
    assert (first.reply_within, first.reply_unit, first.reply_due_on) == (
        15,
        "working_days",
        date(2025, 3, 24),
    )
    page = page_text(client.get(f"/reviews/{review_id}"))
    assert "Submission 1: Child Safeguarding Practice Review Panel" in page
    assert "Reply overdue" in page and "The rapid review and its chronology." in page

    reply_page = client.get(f"/reviews/{review_id}/submissions/{first.id}/reply")
    assert reply_page.status_code == OK
    response = client.post(
        f"/reviews/{review_id}/submissions/{first.id}/reply",
        data={
            "version": str(first.version),
            "reply_on": ["20", "3", "2025"],
            "reply_text": "The Panel asks for more on the father's involvement.",
        },
    )
    assert response.status_code == FOUND
    response = _submit(
        client,
        review_id,
        f"{first.id}/resubmit",
        sent_on=["1", "4", "2025"],
        what_was_sent="The revised rapid review.",
        reply_within="10",
        reply_unit="calendar_days",
    )
    assert response.status_code == FOUND  # type: ignore[attr-defined]
    earlier, later = _submissions(app, review_id)
    assert earlier.reply_on == date(2025, 3, 20) and earlier.what_was_sent.startswith("The rapid")
    assert later.resubmission_of_id == earlier.id
    assert (later.reply_unit, later.reply_due_on) == ("calendar_days", date(2025, 4, 11))
    page = page_text(client.get(f"/reviews/{review_id}"))
    assert "Replied" in page and "The Panel asks for more on the father's involvement." in page
    assert "Submission 2: Child Safeguarding Practice Review Panel" in page
    assert "Resubmits Submission 1" in page
    assert _events(app, [earlier.id, later.id]) == [
        "submission_recorded",
        "reply_recorded",
        "resubmission_recorded",
    ]


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        ({"sent_on": ["1", "1", "2099"]}, "The date sent must be today or in the past", "2099"),
        ({"what_was_sent": ""}, "Enter what was sent", "2025"),
        ({"body_key": ""}, "Choose the body the review was sent to", "chronology"),
        ({"body_key": "wales_repository"}, "Not a valid choice", "chronology"),
        ({"reply_within": "ten"}, "must be a whole number of days", "ten"),
        ({"reply_within": "0"}, "must be between 1 and 366 days", "chronology"),
        ({"sent_on": ["31", "2", "2025"]}, "Date sent must be a real date", "chronology"),
    ],
)
def test_a_refused_submission_shows_the_error_and_keeps_the_input(
    app: Flask,
    client_for: Callable[..., FlaskClient],
    fields: dict[str, object],
    message: str,
    kept: str,
) -> None:
    review_id = _review(app)
    client = client_for(Role.SECRETARIAT)
    response = _submit(client, review_id, **fields)
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == OK  # type: ignore[attr-defined]
    assert "There is a problem" in html and message in html
    assert kept in html
    assert _submissions(app, review_id) == []


def test_a_reply_cannot_predate_the_submission_nor_be_in_the_future(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id = _review(app)
    client = client_for(Role.SECRETARIAT)
    _submit(client, review_id)
    [sent] = _submissions(app, review_id)
    for day, message in [
        (["28", "2", "2025"], "The reply cannot be before the submission was sent on 3 March 2025"),
        (["1", "1", "2099"], "The date of the reply must be today or in the past"),
        (["", "", ""], "Enter the date of the reply"),
    ]:
        response = client.post(
            f"/reviews/{review_id}/submissions/{sent.id}/reply",
            data={"version": "1", "reply_on": day, "reply_text": "Accepted by the Panel."},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == OK and "There is a problem" in html, day
        assert message in html and "Accepted by the Panel." in html
    [still] = _submissions(app, review_id)
    assert still.reply_on is None and still.version == 1


def test_a_reply_saved_over_someone_elses_is_refused(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id = _review(app)
    client = client_for(Role.SECRETARIAT)
    _submit(client, review_id)
    [sent] = _submissions(app, review_id)
    url = f"/reviews/{review_id}/submissions/{sent.id}/reply"
    first = {"version": "1", "reply_on": ["10", "3", "2025"], "reply_text": "First reply."}
    assert client.post(url, data=first).status_code == FOUND
    stale = {"version": "1", "reply_on": ["11", "3", "2025"], "reply_text": "Second reply."}
    response = client.post(url, data=stale)
    assert response.status_code == OK
    assert "Someone else changed this review" in response.get_data(as_text=True)
    [kept] = _submissions(app, review_id)
    assert kept.reply_text == "First reply." and kept.version == 2


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_submissions_per_role(
    role: Role, app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id = _review(app)
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None
        submissions.record_submission(
            None,
            review,
            body_key="panel",
            sent_on=date(2025, 3, 3),
            what_was_sent="The rapid review.",
            today=date(2025, 3, 3),
        )
        db.session.commit()
    [sent] = _submissions(app, review_id)
    client = client_for(role)
    can_read = role in (Role.SECRETARIAT, Role.CHAIR)
    page = client.get(f"/reviews/{review_id}")
    assert page.status_code == (OK if can_read else FORBIDDEN)
    if can_read:
        text = page_text(page)
        assert "Submissions" in text and "The rapid review." in text
        assert ("Record a submission" in text) is (role is Role.SECRETARIAT)
    may_write = role is Role.SECRETARIAT
    for suffix in ("new", f"{sent.id}/reply", f"{sent.id}/resubmit"):
        url = f"/reviews/{review_id}/submissions/{suffix}"
        assert client.get(url).status_code == (OK if may_write else FORBIDDEN), suffix
        if not may_write:
            assert client.post(url, data={}).status_code == FORBIDDEN, suffix
    assert len(_submissions(app, review_id)) == 1


def test_a_submission_of_another_review_is_not_found(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    review_id, other_id = _review(app), _review(app)
    client = client_for(Role.SECRETARIAT)
    _submit(client, other_id)
    [theirs] = _submissions(app, other_id)
    for suffix in ("reply", "resubmit"):
        url = f"/reviews/{review_id}/submissions/{theirs.id}/{suffix}"
        assert client.get(url).status_code == NOT_FOUND


def test_awaiting_reply_agrees_in_python_and_sql(app: Flask, ctx: None) -> None:
    """Every combination: replied or not, resubmitted or not, a resubmission replied or
    not; the SQL clause selects exactly the rows the Python rule says await a reply."""
    review = factories.review()
    made: list[Submission] = []

    def send(day: int, earlier: Submission | None = None) -> Submission:
        submission = submissions.record_submission(
            None,
            review,
            body_key="panel",
            sent_on=date(2025, 3, day),
            what_was_sent=f"Sent on the {day}th",
            resubmission_of=earlier,
            today=date(2025, 3, 31),
        )
        made.append(submission)
        return submission

    def reply(submission: Submission, day: int) -> None:
        submissions.record_reply(
            None,
            submission,
            reply_on=date(2025, 3, day),
            reply_text="Reply",
            today=date(2025, 3, 31),
        )

    send(3)  # awaiting
    reply(send(4), 5)  # replied
    first = send(6)
    second = send(7, first)  # first resubmitted: no longer awaiting; second awaiting
    reply(send(10, second), 12)  # second resubmitted, its resubmission replied
    replied = send(11)
    reply(replied, 12)
    send(13, replied)  # a replied one resubmitted: the new one awaits
    db.session.flush()
    resubmitted = {row.resubmission_of_id for row in made if row.resubmission_of_id}
    python = {row.id for row in made if submissions.awaits_reply(row, resubmitted)}
    sql = set(
        db.session.scalars(
            select(Submission.id).where(
                Submission.review_id == review.id, submissions.awaiting_reply_clause()
            )
        )
    )
    assert python == sql
    assert len(python) == 2 and len(made) == 7


def test_reply_clocks_count_each_bodys_calendar(ctx: None) -> None:
    # England: Good Friday 18 and Easter Monday 21 April 2025 are not working days.
    assert submissions.reply_due_on(date(2025, 4, 14), 5, "working_days", "ENG") == date(
        2025, 4, 23
    )
    # Scotland: 2 January is a bank holiday there, not in England.
    assert submissions.reply_due_on(date(2024, 12, 31), 1, "working_days", "SCT") == date(
        2025, 1, 3
    )
    assert submissions.reply_due_on(date(2024, 12, 31), 1, "working_days", "ENG") == date(
        2025, 1, 2
    )
    assert submissions.reply_due_on(date(2025, 1, 31), 28, "calendar_days", "ENG") == date(
        2025, 2, 28
    )


def _config(tmp_path: Path, file: str, old: str, new: str) -> Path:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    path = config / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "review_types.toml",
            'submissions = ["panel"]',
            'submissions = ["the_panel"]',
            "types.rapid_review.submissions names 'the_panel'",
        ),
        (
            "submission_bodies.toml",
            'reply_unit = "calendar_days"',
            'reply_unit = "weeks"',
            "bodies.home_office_qa.reply_unit must be one of",
        ),
        ("submission_bodies.toml", "reply_within = 15", "reply_within = 0", "above 0"),
        ("submission_bodies.toml", "reply_within = 15", "reply_in = 15", "unknown key"),
    ],
)
def test_a_bad_submission_configuration_stops_start_up(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    config = _config(tmp_path, file, old, new)
    with pytest.raises(SubmissionBodyConfigError, match=message):
        create_app(
            {
                "SGREVIEWS_ENV": "testing",
                "SECRET_KEY": "test-secret-key-not-for-production",
                "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
                "SGREVIEWS_CONFIG_DIR": str(config),
            }
        )


def test_every_shipped_type_names_configured_bodies(app: Flask) -> None:
    types = app.extensions["sgreviews.review_types"]
    bodies = app.extensions["sgreviews.submission_bodies"]
    assert types["lcspr"].submissions == ("panel", "secretary_of_state")
    # A DARDR (Victims and Prisoners Act 2024 s.19) reports to the Secretary of State and
    # the Domestic Abuse Commissioner.
    assert types["dhr"].submissions == (
        "home_office_qa",
        "home_secretary",
        "domestic_abuse_commissioner",
    )
    # Each nation's types submit to their own bodies, never to England's Panel.
    assert types["susr"].submissions == ("welsh_government", "wales_repository", "home_office_qa")
    assert types["scotland_cplr"].submissions == ("care_inspectorate",)
    assert types["ni_cmr"].submissions == ("department_of_health_ni",)
    assert {key for t in types.values() for key in t.submissions} <= set(bodies)


def test_an_involved_agency_lead_sees_the_submissions_but_cannot_record(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    from sgreviews.models import Agency
    from sgreviews.services.reviews import details as review_details

    review_id = _review(app)
    with app.app_context():
        agency = factories.agency()
        review = db.session.get(Review, review_id)
        assert review is not None
        review_details.set_agencies_involved(None, review, [agency])
        submissions.record_submission(
            None,
            review,
            body_key="secretary_of_state",
            sent_on=date(2025, 3, 3),
            what_was_sent="The final report.",
            today=date(2025, 3, 3),
        )
        agency_id = agency.id
        db.session.commit()
    with app.app_context():
        involved = db.session.get(Agency, agency_id)
    client = client_for(Role.AGENCY_LEAD, involved)
    text = page_text(client.get(f"/reviews/{review_id}"))
    assert "Submission 1: Secretary of State for Education" in text
    assert "The final report." in text and "Record a submission" not in text
    assert client.get(f"/reviews/{review_id}/submissions/new").status_code == FORBIDDEN
