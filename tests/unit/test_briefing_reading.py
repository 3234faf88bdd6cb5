"""The reading page's plain copy of a briefing (services/briefings/reading.py) says what the
entity says: the same versions in the same order, the same published and open version, the
same linked reviews and themes in the entity's order; and the reader's confirmation and
unread count that come with it are the reader's own."""

from __future__ import annotations

from sgreviews.extensions import db
from sgreviews.models import Briefing, Role, Theme, VersionStatus
from sgreviews.services.briefings import links as briefing_links
from sgreviews.services.briefings import reach as briefing_reach
from sgreviews.services.briefings import workflow as briefing_workflow
from sgreviews.services.briefings.reading import (
    NOBODY,
    ReadingBriefing,
    reading_briefing,
    reading_page,
)
from tests import factories
from tests.briefing_helpers import draft_briefing, published_briefing


def _theme(key: str, name: str) -> Theme:
    theme = Theme(key=key, name=name)
    db.session.add(theme)
    return theme


def _says(briefing: Briefing | ReadingBriefing) -> dict[str, object]:
    """What a reader's page can read off either shape: the entity or the plain copy."""
    return {
        "id": briefing.id,
        "kind": briefing.kind,
        "partnership": (briefing.partnership_id, briefing.partnership.name),
        "review_by": briefing.review_by,
        "versions": [
            (v.id, v.number, v.status, v.title, dict(v.sections), v.published_at)
            for v in briefing.versions
        ],
        "sections": [v.section("key_point_1") for v in briefing.versions],
        "reviews": [(r.reference, r.subject_label) for r in briefing.reviews],
        "themes": [t.name for t in briefing.themes],
        "latest": briefing.latest.id,
        "published": getattr(briefing.published, "id", None),
        "open": getattr(briefing.open_version, "id", None),
    }


def _as_copy_says(briefing_id: int) -> dict[str, object]:
    copy = reading_briefing(briefing_id)
    assert copy is not None
    return _says(copy)


def test_copy_of_a_published_briefing_with_a_new_draft_and_links(ctx: None) -> None:
    actor = factories.user(Role.SECRETARIAT)
    briefing = published_briefing(actor)
    partnership = briefing.partnership
    # Linked out of their display order: the copy must sort as the entity does.
    later = factories.review(partnership, reference="SAR-2026-09", subject_label="Adult R")
    earlier = factories.review(partnership, reference="LCSPR-2025-03", subject_label="Child Q")
    themes = [_theme("neglect_t", "Neglect"), _theme("curiosity_t", "Curiosity")]
    db.session.flush()
    briefing_links.set_links(
        briefing, actor=actor, reviews=[later, earlier], findings=[], themes=themes
    )
    briefing_workflow.new_version(briefing, actor=actor)
    briefing.open_version.sections = {"key_point_1": "Revised point"}  # type: ignore[union-attr]
    db.session.commit()
    db.session.expire_all()

    briefing = db.session.get(Briefing, briefing.id)  # type: ignore[assignment]
    said = _says(briefing)
    assert said["reviews"] == [("LCSPR-2025-03", "Child Q"), ("SAR-2026-09", "Adult R")]
    assert said["themes"] == ["Curiosity", "Neglect"]
    assert [v[2] for v in said["versions"]] == [  # type: ignore[attr-defined]
        VersionStatus.PUBLISHED,
        VersionStatus.DRAFT,
    ]
    assert said["sections"] == [
        briefing.versions[0].section("key_point_1"),
        "Revised point",
    ]
    assert said["published"] is not None and said["open"] is not None
    assert _as_copy_says(briefing.id) == said


def test_copy_of_a_draft_with_nothing_linked(ctx: None) -> None:
    briefing = draft_briefing()
    db.session.commit()
    said = _as_copy_says(briefing.id)
    assert said == _says(briefing)
    assert said["published"] is None and said["reviews"] == [] and said["themes"] == []


def test_no_such_briefing(ctx: None) -> None:
    assert reading_briefing(987654) is None


def test_page_carries_the_reader_s_own_confirmation_and_unread_count(ctx: None) -> None:
    actor = factories.user(Role.SECRETARIAT)
    briefing = published_briefing(actor)
    other_briefing = published_briefing(actor, title="Another briefing")
    reader = factories.user(Role.PRACTITIONER)
    other = factories.user(Role.PRACTITIONER)
    db.session.flush()
    briefing_reach.record_read(briefing, reader=reader, reflection="I will ask about every adult.")
    briefing_reach.record_read(other_briefing, reader=other, reflection="Not this one.")
    for number in range(3):
        factories.notification(reader, number)
    factories.notification(reader, 9, read=True)
    factories.notification(other, 10)
    db.session.commit()

    page = reading_page(briefing.id, reader.id)
    assert page is not None
    assert page.read is not None
    assert page.read.reflection == "I will ask about every adult."
    assert page.read.read_at.tzinfo is not None
    assert page.unread_notifications == 3
    assert _says(page.briefing) == _as_copy_says(briefing.id)

    # Another reader's confirmation (of another briefing) and count are not this one's.
    other_page = reading_page(briefing.id, other.id)
    assert other_page is not None
    assert other_page.read is None and other_page.unread_notifications == 1
    nobody = reading_page(briefing.id, NOBODY)
    assert nobody is not None and nobody.read is None and nobody.unread_notifications == 0
