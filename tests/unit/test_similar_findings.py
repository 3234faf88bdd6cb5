"""Similar earlier findings (issue 23) over a fictional corpus written here: a reworded
finding finds its earlier twin, an unrelated one finds nothing, and the ranking is the
same on SQLite and on PostgreSQL (this file runs on both; the expected order is written
out, and the scores equal those of the index built from the texts alone, no database)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from sgreviews.extensions import db
from sgreviews.models import (
    ActionStatus,
    AuditEvent,
    FindingLink,
    ImpactStatus,
    LinkDecision,
    Partnership,
    Review,
    Role,
    User,
)
from sgreviews.services.editing import FieldError
from sgreviews.services.learning import similar
from sgreviews.services.learning.index import Document, LexicalIndex, Scope
from sgreviews.services.learning.text import cosine, stem, terms
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

# Earlier findings of the same partnership, over three business years (all fictional).
CORPUS = [
    (
        "SCR-2019-01",
        date(2019, 6, 1),
        "Practitioners accepted the teenager's account at face value and did not test it "
        "against her history of going missing.",
    ),
    (
        "SCR-2019-01",
        date(2019, 6, 1),
        "The baby's father was never seen or assessed although he lived in the home.",
    ),
    (
        "LCSPR-2021-02",
        date(2021, 9, 1),
        "Health assessments for a looked-after young person left out CAMHS involvement, so "
        "information was not shared between the trusts.",
    ),
    (
        "LCSPR-2021-02",
        date(2021, 9, 1),
        "Escalation of disagreements between agencies was rare and slow.",
    ),
    (
        "SAR-2022-01",
        date(2022, 5, 1),
        "Self-neglect was not recognised; the adult's hoarding was treated as a lifestyle "
        "choice without assessing mental capacity.",
    ),
]

REWORDED = (
    "Professionals took the young person's account at face value; nobody tested what she "
    "said against her history of missing episodes."
)
UNRELATED = "Budget papers for the board were circulated late to members."


def _corpus() -> tuple[Partnership, dict[str, int], Review]:
    partnership = factories.partnership()
    reviews: dict[str, Review] = {}
    ids: dict[str, int] = {}
    for index, (reference, started_on, text) in enumerate(CORPUS):
        if reference not in reviews:
            reviews[reference] = factories.review(
                partnership, reference=reference, started_on=started_on
            )
        finding = factories.finding(reviews[reference], text=text, position=index + 1)
        ids[text[:30]] = finding.id
    current = factories.review(partnership, reference="LCSPR-2025-09", started_on=date(2025, 5, 1))
    return partnership, ids, current


@pytest.fixture(autouse=True)
def fresh_index(app: Flask) -> None:
    """Each test starts from an index built afresh: an index kept from an earlier test
    holds that test's (rolled-back) findings patched in with the IDF of its day, an
    approximation the engine tolerates between rebuilds but this file's exact scores do not."""
    app.extensions[similar.ENGINE_KEY].reset()


@pytest.fixture
def secretariat() -> User:
    return factories.user(Role.SECRETARIAT)


def test_the_stemmer_folds_inflections_and_drops_stop_words() -> None:
    assert stem("sharing") == stem("shared") == stem("shares")
    assert stem("assessment") == stem("assessed") == stem("assessing")
    assert terms("The voice of the child") == ["voic", "child"]


def test_a_reworded_finding_finds_its_earlier_twin_first(secretariat: User) -> None:
    _partnership, ids, current = _corpus()
    found = similar.suggestions(secretariat, REWORDED, current)
    assert found, "the reworded finding found nothing"
    assert found[0].finding_id == ids[CORPUS[0][2][:30]]
    assert found[0].review_reference == "SCR-2019-01"
    assert found[0].year == "2019/20"
    # Nothing else in the corpus shares enough to be suggested.
    assert [suggestion.finding_id for suggestion in found] == [ids[CORPUS[0][2][:30]]]


def test_an_unrelated_finding_finds_nothing(secretariat: User) -> None:
    _partnership, _ids, current = _corpus()
    assert similar.suggestions(secretariat, UNRELATED, current) == []


def test_the_ranking_is_the_databases_and_the_plain_index_alike(secretariat: User) -> None:
    """The scores through the database equal those of an index built from the texts
    alone, so SQLite and PostgreSQL (this test runs on both) rank alike."""
    _partnership, ids, current = _corpus()
    query = "Information about the young person's CAMHS involvement was not shared."
    through_database = [
        (suggestion.finding_id, round(suggestion.score or 0, 9))
        for suggestion in similar.suggestions(secretariat, query, current)
    ]
    plain = LexicalIndex(
        Document(number, 1, 1, current.created_at, text)
        for number, (_ref, _day, text) in enumerate(CORPUS)
    )
    expected = [
        (ids[CORPUS[number][2][:30]], round(score, 9))
        for number, score in plain.query(query, Scope(None), 5, 0.25)
    ]
    assert through_database == expected
    assert through_database[0][0] == ids[CORPUS[2][2][:30]]


def test_other_partnerships_stay_out_for_the_secretariat_but_not_a_serving_chair(
    secretariat: User,
) -> None:
    partnership, _ids, _current = _corpus()
    elsewhere = factories.partnership()
    other_review = factories.review(elsewhere, reference="LCSPR-2025-10")
    assert similar.suggestions(secretariat, REWORDED, other_review) == []
    chair = factories.user(Role.CHAIR)
    chair.partnerships = [partnership, elsewhere]
    db.session.flush()
    assert similar.suggestions(chair, REWORDED, other_review)
    lead = factories.user(Role.AGENCY_LEAD)
    assert similar.suggestions(lead, REWORDED, other_review) == []


def test_suggestions_carry_the_fate_of_earlier_actions(secretariat: User) -> None:
    _partnership, ids, current = _corpus()
    twin = db.session.get(similar.Finding, ids[CORPUS[0][2][:30]])
    factories.action(
        finding_=twin, status=ActionStatus.ASSURED, impact_status=ImpactStatus.EVIDENCED
    )
    factories.action(finding_=twin, status=ActionStatus.CLOSED_NOT_IMPLEMENTED)
    (found,) = similar.suggestions(secretariat, REWORDED, current)
    assert found.fates == similar.ActionFates(
        total=2, assured=1, evidenced=1, closed_not_implemented=1
    )


def test_a_confirmed_link_is_kept_audited_and_not_suggested_again(secretariat: User) -> None:
    _partnership, ids, current = _corpus()
    later = factories.finding(current, text=REWORDED)
    twin_id = ids[CORPUS[0][2][:30]]
    assert [s.finding_id for s in similar.suggestions(secretariat, later.text, current, later)] == [
        twin_id
    ]
    similar.decide(
        actor=secretariat,
        finding=later,
        earlier_id=twin_id,
        decision=LinkDecision.CONFIRMED,
        score=0.5,
    )
    assert similar.suggestions(secretariat, later.text, current, later) == []
    (link,) = similar.decided_links(later)
    assert (link.finding_id, link.decision) == (twin_id, LinkDecision.CONFIRMED)
    stored = db.session.scalars(db.select(FindingLink)).one()
    assert stored.decided_by_id == secretariat.id
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.event == "link_confirmed")
    ).one()
    assert event.entity_id == later.id


def test_a_dismissed_link_is_not_suggested_again(secretariat: User) -> None:
    _partnership, ids, current = _corpus()
    later = factories.finding(current, text=REWORDED)
    similar.decide(
        actor=secretariat,
        finding=later,
        earlier_id=ids[CORPUS[0][2][:30]],
        decision=LinkDecision.DISMISSED,
        score=None,
    )
    assert similar.suggestions(secretariat, later.text, current, later) == []


def test_a_finding_of_the_same_review_cannot_be_linked(secretariat: User) -> None:
    _partnership, _ids, current = _corpus()
    first = factories.finding(current, text=REWORDED)
    second = factories.finding(current, text=REWORDED)
    with pytest.raises(FieldError):
        similar.decide(
            actor=secretariat,
            finding=second,
            earlier_id=first.id,
            decision=LinkDecision.CONFIRMED,
            score=None,
        )


def test_the_index_follows_edits_and_new_findings(secretariat: User) -> None:
    _partnership, ids, current = _corpus()
    assert similar.suggestions(secretariat, REWORDED, current)
    twin = db.session.get(similar.Finding, ids[CORPUS[0][2][:30]])
    twin.text = "Minutes of the panel were approved."
    db.session.flush()
    assert similar.suggestions(secretariat, REWORDED, current) == []
    older = factories.review(
        current.partnership, reference="SCR-2018-04", started_on=date(2018, 5, 1)
    )
    factories.finding(older, text=CORPUS[0][2])
    (found,) = similar.suggestions(secretariat, REWORDED, current)
    assert found.review_reference == "SCR-2018-04"


def test_restating_is_measured_by_cosine() -> None:
    assert (
        cosine(
            "Strategy discussions record the prompt", "Record the prompt in strategy discussions"
        )
        > 0.9
    )
    assert cosine("Fathers are seen", "Audit twenty records") == 0
