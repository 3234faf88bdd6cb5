"""Submissions of a review to external bodies (issue 22, item 6): recording one, its reply,
and a resubmission; reading a review's submissions; and the rule "awaiting a reply" in
Python and in SQL (``tests/integration/test_submissions.py`` proves the two agree).

Each submission has its own clock for the reply: a number of working or calendar days from
the date sent (the body's default from ``config/submission_bodies.toml``, or another
length the secretariat sets), computed when it is recorded and kept with the calendar that
produced it. The reminder run reads the kept date (``services/reminders/sources.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import aliased

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import Review, Submission, User
from sgreviews.services import audit
from sgreviews.services.clocks import add_working_days, calendar_for
from sgreviews.services.reviews.lifecycle import (
    ReviewError,
    StaleReviewError,
    long_date,
    not_before,
    not_future,
    type_of,
)
from sgreviews.submission_bodies import REPLY_UNITS, SubmissionBody, describe_clock

# The longest reply clock the form accepts (a year of calendar days).
MAX_REPLY_WITHIN = 366


def bodies() -> Mapping[str, SubmissionBody]:
    """The configured bodies, by key, as the app loaded them."""
    loaded: Mapping[str, SubmissionBody] = current_app.extensions["sgreviews.submission_bodies"]
    return loaded


def bodies_for(review: Review) -> list[SubmissionBody]:
    """The bodies offered for a review: those its type submits to, or every configured body
    when the type names none."""
    configured = bodies()
    keys = type_of(review).submissions or tuple(configured)
    return [configured[key] for key in keys]


def reply_due_on(sent_on: date, length: int, unit: str, jurisdiction: str) -> date:
    """The date a reply is due: ``length`` working days after the day sent (day 1 is the
    next working day of the body's calendar), or ``length`` calendar days after it."""
    if unit == "working_days":
        return add_working_days(sent_on, length, calendar_for(jurisdiction), first_day="next")
    return sent_on + timedelta(days=length)


# --- the rule "awaiting a reply", in Python and in SQL ------------------------------


def awaits_reply(submission: Submission, resubmitted_ids: set[int]) -> bool:
    """A submission awaits its reply while none is recorded and it has not been resubmitted
    (a resubmission carries the clock on; the earlier record stays as it was)."""
    return submission.reply_on is None and submission.id not in resubmitted_ids


def awaiting_reply_clause() -> ColumnElement[bool]:
    """The SQL copy of :func:`awaits_reply`."""
    later = aliased(Submission)
    return and_(
        Submission.reply_on.is_(None),
        ~exists().where(later.resubmission_of_id == Submission.id),
    )


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionView:
    submission: Submission
    body_name: str
    clock: str
    # replied | resubmitted | overdue | awaiting
    state: str
    # The reference of this submission on the page ("Submission 2").
    number: int
    resubmits: int | None

    @property
    def state_label(self) -> str:
        return {
            "replied": "Replied",
            "resubmitted": "Resubmitted",
            "overdue": "Reply overdue",
            "awaiting": "Awaiting reply",
        }[self.state]


def submissions_of(review: Review, today: date | None = None) -> list[SubmissionView]:
    """The review's submissions, oldest first (one query)."""
    today = today or london_today()
    rows = list(
        db.session.scalars(
            select(Submission)
            .where(Submission.review_id == review.id)
            .order_by(Submission.sent_on, Submission.id)
        )
    )
    resubmitted = {row.resubmission_of_id for row in rows if row.resubmission_of_id is not None}
    numbers = {row.id: index for index, row in enumerate(rows, start=1)}
    configured = bodies()
    views = []
    for row in rows:
        body = configured.get(row.body_key)
        if row.reply_on is not None:
            state = "replied"
        elif row.id in resubmitted:
            state = "resubmitted"
        elif row.reply_due_on < today:
            state = "overdue"
        else:
            state = "awaiting"
        views.append(
            SubmissionView(
                submission=row,
                body_name=body.name if body is not None else row.body_key,
                clock=describe_clock(row.reply_within, row.reply_unit),
                state=state,
                number=numbers[row.id],
                resubmits=numbers.get(row.resubmission_of_id or -1),
            )
        )
    return views


def get_submission(review: Review, submission_id: int) -> Submission | None:
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.review_id != review.id:
        return None
    return submission


# --- writing ---------------------------------------------------------------------------


def _snapshot(submission: Submission) -> dict[str, Any]:
    return {
        "review_id": submission.review_id,
        "body": submission.body_key,
        "sent_on": submission.sent_on,
        "what_was_sent": submission.what_was_sent,
        "reply_within": submission.reply_within,
        "reply_unit": submission.reply_unit,
        "jurisdiction": submission.jurisdiction,
        "reply_due_on": submission.reply_due_on,
        "reply_on": submission.reply_on,
        "reply_text": submission.reply_text,
        "resubmission_of_id": submission.resubmission_of_id,
    }


def record_submission(
    actor: User | None,
    review: Review,
    *,
    body_key: str,
    sent_on: date,
    what_was_sent: str,
    reply_within: int | None = None,
    reply_unit: str | None = None,
    resubmission_of: Submission | None = None,
    today: date | None = None,
) -> Submission:
    """Record that the review (or part of it) was sent to a body on ``sent_on``. Without a
    length or unit the body's default reply clock applies."""
    today = today or london_today()
    body = bodies().get(body_key)
    if body is None:
        raise ReviewError("Choose the body the review was sent to", "body_key")
    not_future(sent_on, "sent_on", "The date sent", today)
    if resubmission_of is not None:
        if resubmission_of.review_id != review.id:
            raise ReviewError("The earlier submission belongs to another review", "body_key")
        not_before(
            sent_on,
            resubmission_of.sent_on,
            "sent_on",
            "A resubmission cannot be sent before the earlier submission "
            f"({long_date(resubmission_of.sent_on)})",
        )
    text = what_was_sent.strip()
    if not text:
        raise ReviewError("Enter what was sent", "what_was_sent")
    length = reply_within if reply_within is not None else body.reply_within
    if not 1 <= length <= MAX_REPLY_WITHIN:
        raise ReviewError(
            f"The time for a reply must be between 1 and {MAX_REPLY_WITHIN} days",
            "reply_within",
        )
    unit = reply_unit or body.reply_unit
    if unit not in REPLY_UNITS:
        raise ReviewError("Choose working days or calendar days", "reply_unit")
    submission = Submission(
        review_id=review.id,
        body_key=body.key,
        sent_on=sent_on,
        what_was_sent=text,
        reply_within=length,
        reply_unit=unit,
        jurisdiction=body.jurisdiction,
        reply_due_on=reply_due_on(sent_on, length, unit, body.jurisdiction),
        resubmission_of_id=resubmission_of.id if resubmission_of is not None else None,
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(submission)
    db.session.flush()
    event = "resubmission_recorded" if resubmission_of is not None else "submission_recorded"
    audit.record(actor, "submission", submission.id, event, None, _snapshot(submission))
    return submission


def record_reply(
    actor: User | None,
    submission: Submission,
    *,
    reply_on: date,
    reply_text: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Submission:
    """Record (or correct) the body's reply and its date; its reminders stop."""
    today = today or london_today()
    if expected_version is not None and expected_version != submission.version:
        raise StaleReviewError()
    not_future(reply_on, "reply_on", "The date of the reply", today)
    not_before(
        reply_on,
        submission.sent_on,
        "reply_on",
        f"The reply cannot be before the submission was sent on {long_date(submission.sent_on)}",
    )
    text = reply_text.strip()
    if not text:
        raise ReviewError("Enter what the reply said", "reply_text")
    before = _snapshot(submission)
    submission.reply_on = reply_on
    submission.reply_text = text
    db.session.flush()
    audit.record(
        actor, "submission", submission.id, "reply_recorded", before, _snapshot(submission)
    )
    return submission
