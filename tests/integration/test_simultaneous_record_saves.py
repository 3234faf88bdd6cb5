"""True races on the other versioned forms and appends, through a real server (see
``test_simultaneous_saves.py`` for the method): two people save the same review's details,
the same briefing in the editor or the same entry of the log of challenge at the same
instant; two family-log entries are added to one review at once; a reader double-submits
"I have read this"; two people save the yearly report's foreword at once (the first
save of it, then edits); two people save one entry of the register of national reviews
tabled. Every round: no 500; an edit race gives one save and one refusal that
keeps the loser's typed text in the form; both appends are kept; one confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    BriefingRead,
    BriefingVersion,
    Challenge,
    ChallengeStatus,
    NationalReviewTabled,
    Partnership,
    ReportNarrative,
    Review,
    Role,
)
from sgreviews.models.review import FamilyInvolvement
from sgreviews.services.dashboard import challenges
from sgreviews.services.national_reviews import register
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.briefing_helpers import TYPICAL_SECTIONS, draft_briefing, published_briefing
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.races import (
    Browser,
    Form,
    Reply,
    hidden,
    no_server_errors,
    post,
    served,
    signed_in,
    together,
)

pytestmark = pytest.mark.own_database

ROUNDS = 10


@dataclass
class World:
    base: str
    app: Flask
    review_id: int
    review_reference: str
    draft_briefing_id: int
    published_briefing_id: int
    challenge_id: int
    partnership_id: int
    secretariat: list[str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = fresh_database(tmp_path_factory.mktemp("record-races-db"), suffix="_record_races")
    app = make_test_app(url, Path(tmp_path_factory.mktemp("record-races-instance")))
    with app.app_context():
        upgrade()
        partnership = factories.partnership()
        people = [factories.user(Role.SECRETARIAT) for _ in range(2)]
        review = factories.review(partnership, started_on=london_today() - timedelta(days=30))
        draft = draft_briefing(people[0])
        published = published_briefing(people[0], partnership)
        challenge = challenges.record_challenge(
            challenges.ChallengeValues(
                partnership_id=partnership.id,
                raised_on=london_today(),
                agency_id=None,
                raised_with="Head of public protection",
                issue="Strategy discussions are late",
                response="",
                outcome="",
                follow_up_on=None,
                status=ChallengeStatus.OPEN,
            ),
            people[0],
        )
        db.session.commit()
        ids = (
            review.id,
            review.reference,
            draft.id,
            published.id,
            challenge.id,
            partnership.id,
            [person.email for person in people],
        )
    with served(app) as base:
        yield World(base, app, *ids)
    with app.app_context():
        db.engine.dispose()


def race(*saves: tuple[Browser, str, Form]) -> list[Reply]:
    """The saves (who, where, what), released together; none may answer with a 500."""
    replies = together(*(post(browser, path, data) for browser, path, data in saves))
    no_server_errors(replies)
    return replies


def one_save_one_refusal(replies: list[Reply]) -> tuple[int, str]:
    """The loser's index and their page, after checking one saved (302) and one was
    shown the form again (200)."""
    assert sorted(reply.status for reply in replies) == [200, 302], [
        (reply.status, reply.body[:300]) for reply in replies
    ]
    loser = next(index for index, reply in enumerate(replies) if reply.status == 200)
    return loser, unescape(replies[loser].body)


def date_fields(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def people_of(world: World) -> list[Browser]:
    return [signed_in(world.base, email) for email in world.secretariat]


def test_simultaneous_review_details_give_one_save_and_one_refusal(world: World) -> None:
    people = people_of(world)
    path = f"/reviews/{world.review_id}/details"
    for number in range(ROUNDS):
        versions = [hidden(person.request(path).body, "version") for person in people]
        labels = [f"Child R{number}{index} as typed" for index in range(2)]

        replies = race(
            *(
                (
                    people[index],
                    path,
                    {
                        "reference": world.review_reference,
                        "subject_label": labels[index],
                        "national_reference": "",
                        "jurisdiction": "",
                        "version": versions[index],
                    },
                )
                for index in range(2)
            )
        )

        loser, page = one_save_one_refusal(replies)
        assert "Someone else changed this review while you were editing it" in page
        assert f'value="{labels[loser]}"' in page  # their typed text, still in the form
        with world.app.app_context():
            stored = db.session.get(Review, world.review_id)
            assert stored is not None and stored.subject_label == labels[1 - loser]


def test_simultaneous_briefing_saves_give_one_save_and_one_refusal(world: World) -> None:
    people = people_of(world)
    path = f"/briefings/{world.draft_briefing_id}/edit"
    for number in range(ROUNDS):
        locks = [hidden(person.request(path).body, "lock_version") for person in people]
        texts = [f"Round {number}: background written by editor {index}" for index in range(2)]

        replies = race(
            *(
                (
                    people[index],
                    path,
                    {
                        **TYPICAL_SECTIONS,
                        "title": f"A draft briefing, round {number}",
                        "background": texts[index],
                        "review_by": date_fields(date(2030, 1, 1)),
                        "lock_version": locks[index],
                        "action": "save",
                    },
                )
                for index in range(2)
            )
        )

        loser, page = one_save_one_refusal(replies)
        assert "Someone else saved this briefing" in page
        assert texts[loser] in page
        with world.app.app_context():
            stored = db.session.scalars(
                select(BriefingVersion).where(
                    BriefingVersion.briefing_id == world.draft_briefing_id
                )
            ).one()
            assert stored.section("background") == texts[1 - loser]


def test_simultaneous_challenge_edits_give_one_save_and_one_refusal(world: World) -> None:
    people = people_of(world)
    path = f"/challenges/{world.challenge_id}/edit"
    for number in range(ROUNDS):
        versions = [hidden(person.request(path).body, "version") for person in people]
        responses = [f"Round {number}: response noted by {index}" for index in range(2)]

        replies = race(
            *(
                (
                    people[index],
                    path,
                    {
                        "partnership": str(world.partnership_id),
                        "raised_on": date_fields(london_today()),
                        "agency": "",
                        "raised_with": "Head of public protection",
                        "issue": "Strategy discussions are late",
                        "response": responses[index],
                        "outcome": "",
                        "status": "open",
                        "version": versions[index],
                    },
                )
                for index in range(2)
            )
        )

        loser, page = one_save_one_refusal(replies)
        assert "saved this challenge after you opened it" in page
        assert responses[loser] in page  # typed, kept in the form
        assert responses[1 - loser] in page  # the saved version, shown beside it
        with world.app.app_context():
            stored = db.session.get(Challenge, world.challenge_id)
            assert stored is not None and stored.response == responses[1 - loser]


def test_simultaneous_family_log_entries_are_both_kept(world: World) -> None:
    people = people_of(world)
    path = f"/reviews/{world.review_id}/family"
    for number in range(ROUNDS):
        replies = race(
            *(
                (
                    people[index],
                    path,
                    {"person": f"Round {number}: relative {index}", "consent": "awaited"},
                )
                for index in range(2)
            )
        )

        assert [reply.status for reply in replies] == [302, 302], [
            (reply.status, reply.body[:300]) for reply in replies
        ]
    with world.app.app_context():
        kept = set(
            db.session.scalars(
                select(FamilyInvolvement.person).where(
                    FamilyInvolvement.review_id == world.review_id
                )
            )
        )
    assert kept == {f"Round {n}: relative {i}" for n in range(ROUNDS) for i in range(2)}


def test_double_submitted_read_confirmation_is_one_confirmation(world: World) -> None:
    path = f"/briefings/{world.published_briefing_id}"
    for number in range(ROUNDS):
        # A fresh reader each round: the first confirmation is the one that races.
        with world.app.app_context():
            reader = factories.user(Role.PRACTITIONER)
            db.session.commit()
            reader_id, email = reader.id, reader.email
        browser = signed_in(world.base, email)
        reflection = {"reflection": f"Round {number}: I will test accounts"}

        replies = race((browser, path, reflection), (browser, path, reflection))

        assert [reply.status for reply in replies] == [302, 302], [
            (reply.status, reply.body[:300]) for reply in replies
        ]
        with world.app.app_context():
            confirmations = db.session.scalar(
                select(func.count(BriefingRead.id)).where(
                    BriefingRead.briefing_id == world.published_briefing_id,
                    BriefingRead.user_id == reader_id,
                )
            )
        assert confirmations == 1


def test_simultaneous_narrative_saves_give_one_save_and_one_refusal(world: World) -> None:
    """Round 0 is two first saves of the foreword (two inserts meeting at the unique key);
    later rounds are edits of the stored one (two updates of one version)."""
    people = people_of(world)
    year = BusinessYear.containing(london_today()).start_year - 1
    path = f"/dashboard/yearly-report/narrative?year={year}&partnership={world.partnership_id}"
    for number in range(ROUNDS):
        versions = [hidden(person.request(path).body, "version_foreword") for person in people]
        texts = [f"Round {number}: the foreword by writer {index}" for index in range(2)]
        replies = race(
            *(
                (
                    people[index],
                    path,
                    {"text_foreword": texts[index], "version_foreword": versions[index]},
                )
                for index in range(2)
            )
        )
        loser, page = one_save_one_refusal(replies)
        assert "Someone else saved “Foreword by the chair” after you opened this page" in page
        assert texts[loser] in page  # typed, kept in the form
        assert texts[1 - loser] in page  # the saved text, shown beside it
        with world.app.app_context():
            stored = db.session.scalars(
                select(ReportNarrative.text).where(ReportNarrative.section_key == "foreword")
            ).all()
            assert stored == [texts[1 - loser]]


def test_simultaneous_national_review_edits_give_one_save_and_one_refusal(
    world: World,
) -> None:
    with world.app.app_context():
        partnership = db.session.get(Partnership, world.partnership_id)
        assert partnership is not None
        entry_id = register.add_entry(
            None,
            partnership,
            register.Entry(
                title="National review: safeguarding babies (fictional)",
                published_by="A national panel",
                published_on=None,
                tabled_on=london_today() - timedelta(days=7),
                tabled_at="Case review subgroup",
                what_was_done="Shared with the subgroup.",
            ),
        ).id
        db.session.commit()
    people = people_of(world)
    path = f"/national-reviews/{world.partnership_id}/{entry_id}/edit"
    tabled_on = date_fields(london_today() - timedelta(days=7))
    for number in range(ROUNDS):
        versions = [hidden(person.request(path).body, "version") for person in people]
        done = [f"Round {number}: what writer {index} recorded" for index in range(2)]
        replies = race(
            *(
                (
                    people[index],
                    path,
                    {
                        "title": "National review: safeguarding babies (fictional)",
                        "published_by": "A national panel",
                        "published_on": ["", "", ""],
                        "tabled_on": tabled_on,
                        "tabled_at": "Case review subgroup",
                        "what_was_done": done[index],
                        "version": versions[index],
                    },
                )
                for index in range(2)
            )
        )
        loser, page = one_save_one_refusal(replies)
        assert done[loser] in page  # typed, kept in the form
        with world.app.app_context():
            stored = db.session.scalars(
                select(NationalReviewTabled.what_was_done).where(
                    NationalReviewTabled.id == entry_id
                )
            ).all()
            assert stored == [done[1 - loser]]
