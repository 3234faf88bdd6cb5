"""The chair's log of challenge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from sgreviews.extensions import db
from sgreviews.models import Challenge, ChallengeStatus, User
from sgreviews.services import audit

AUDITED_FIELDS = (
    "partnership_id",
    "raised_on",
    "agency_id",
    "raised_with",
    "issue",
    "response",
    "outcome",
    "follow_up_on",
    "status",
)


class StaleChallenge(Exception):
    """Someone else saved the challenge after this form was opened."""

    def __init__(self, current: Challenge) -> None:
        super().__init__("the challenge was changed by someone else")
        self.current = current


@dataclass(frozen=True)
class ChallengeValues:
    partnership_id: int
    raised_on: date
    agency_id: int | None
    raised_with: str
    issue: str
    response: str
    outcome: str
    follow_up_on: date | None
    status: ChallengeStatus


def _snapshot(challenge: Challenge) -> dict[str, object]:
    return {name: getattr(challenge, name) for name in AUDITED_FIELDS}


def list_challenges(
    partnership_id: int | None = None,
    agency_id: int | None = None,
    status: ChallengeStatus | None = None,
) -> list[Challenge]:
    query = select(Challenge).options(
        joinedload(Challenge.partnership), joinedload(Challenge.agency)
    )
    if partnership_id is not None:
        query = query.where(Challenge.partnership_id == partnership_id)
    if agency_id is not None:
        query = query.where(Challenge.agency_id == agency_id)
    if status is not None:
        query = query.where(Challenge.status == status)
    return list(db.session.scalars(query.order_by(Challenge.raised_on.desc(), Challenge.id.desc())))


def get_challenge(challenge_id: int) -> Challenge | None:
    return db.session.get(Challenge, challenge_id)


def record_challenge(values: ChallengeValues, actor: User) -> Challenge:
    challenge = Challenge(recorded_by=actor, **values.__dict__)
    db.session.add(challenge)
    db.session.flush()
    audit.record(actor, "challenge", challenge.id, "create", after=_snapshot(challenge))
    return challenge


def update_challenge(
    challenge: Challenge, values: ChallengeValues, expected_version: int, actor: User
) -> Challenge:
    """Save changes, refusing them when the challenge changed since the form was opened."""
    if challenge.version != expected_version:
        raise StaleChallenge(challenge)
    before = _snapshot(challenge)
    for name, value in values.__dict__.items():
        setattr(challenge, name, value)
    try:
        db.session.flush()
    except StaleDataError as error:
        db.session.rollback()
        current = db.session.get(Challenge, challenge.id)
        assert current is not None
        raise StaleChallenge(current) from error
    audit.record(
        actor, "challenge", challenge.id, "update", before=before, after=_snapshot(challenge)
    )
    return challenge
