"""The agency workspace's review filter: reviews with at least one of the agency's actions,
each once, in reference order (the query is driven from the agency's actions, see
docs/performance.md)."""

from __future__ import annotations

from sgreviews.services.actions.reads import reviews_for_agency
from tests import factories


def test_reviews_for_agency_lists_each_review_with_its_actions_once(ctx: None) -> None:
    own = factories.agency(name="Own Testshire Agency")
    other = factories.agency(name="Other Testshire Agency")
    second = factories.review(reference="LCSPR-2025-92")
    first = factories.review(reference="LCSPR-2025-91")
    elsewhere = factories.review(reference="LCSPR-2025-93")
    factories.review(reference="LCSPR-2025-94")  # no actions at all
    # Two of the agency's actions on one finding, one on another finding of the same review.
    finding = factories.finding(second)
    factories.action(own, finding)
    factories.action(own, finding)
    factories.action(own, factories.finding(second))
    factories.action(own, factories.finding(first))
    factories.action(other, factories.finding(elsewhere))

    assert [review.reference for review in reviews_for_agency(own.id)] == [
        "LCSPR-2025-91",
        "LCSPR-2025-92",
    ]
    assert [review.reference for review in reviews_for_agency(other.id)] == ["LCSPR-2025-93"]
