"""The yearly report's narrative (issue 18 item 5): the chair's foreword and a commentary
under each section, saved with a version per section, audited, read by the report in one
query, carried by signed-off snapshots and every output format."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from docx import Document
from sqlalchemy import event, select

from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Partnership, Role, User
from sgreviews.review_types import load_review_types
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports import formats, narrative
from sgreviews.services.reports.signoff import report_from_data, report_to_data
from sgreviews.services.reports.yearly import Section, build_yearly_report, section_key
from sgreviews.settings import PROJECT_ROOT
from tests import factories

TYPES = load_review_types(PROJECT_ROOT / "config" / "review_types.toml")
YEAR = BusinessYear(2024)
TODAY = date(2025, 6, 1)
FOREWORD = "This year we **listened** to families.\n\n- We rewrote the escalation procedure."
LEARNED = "Practitioners told us the *fathers* briefing changed how they plan home visits."


@pytest.fixture
def home(ctx: None) -> Partnership:
    partnership = factories.partnership(short_name="NARR", name="Narrowshire Partnership")
    factories.review(partnership, reference="NARR-1", started_on=date(2024, 6, 3))
    return partnership


@pytest.fixture
def chair(ctx: None) -> User:
    return factories.user(Role.CHAIR)


def _entries(**texts: str) -> list[narrative.Entry]:
    return [narrative.Entry(key.replace("_", "-"), text, 0) for key, text in texts.items()]


def _write(partnership: Partnership, actor: User) -> None:
    narrative.save(
        narrative.scope_of(partnership),
        YEAR.start_year,
        _entries(foreword=FOREWORD, what_we_learned=LEARNED),
        actor,
    )


def test_a_section_gets_its_key_from_its_title_unless_given_one() -> None:
    assert section_key("What we learned") == "what-we-learned"
    assert section_key("Action plans and evidence of impact") == (
        "action-plans-and-evidence-of-impact"
    )
    assert Section("Reviews undertaken").key == "reviews-undertaken"
    assert Section("Reviews undertaken", key="undertaken").key == "undertaken"
    # Filling the commentary keeps the key.
    filled = dataclasses.replace(Section("Good practice"), commentary="Well done.")
    assert (filled.key, filled.commentary) == ("good-practice", "Well done.")


def test_saving_creates_then_updates_each_changed_section_and_audits_it(
    home: Partnership, chair: User
) -> None:
    scope = narrative.scope_of(home)
    saved = narrative.save(
        scope, YEAR.start_year, _entries(foreword="First words.\r\n", good_practice=""), chair
    )
    assert saved == ["foreword"]  # an empty box that was empty is not a change
    rows = narrative.stored(scope, YEAR.start_year)
    assert set(rows) == {"foreword"}
    assert (rows["foreword"].text, rows["foreword"].version) == ("First words.", 1)
    assert rows["foreword"].updated_by_id == chair.id

    again = narrative.save(
        scope,
        YEAR.start_year,
        [narrative.Entry("foreword", "Better words.", 1), narrative.Entry("good-practice", "", 0)],
        chair,
    )
    assert again == ["foreword"]
    assert narrative.stored(scope, YEAR.start_year)["foreword"].version == 2
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "report_narrative")
        .order_by(AuditEvent.id)
    ).all()
    assert [event.event for event in events] == ["create", "update"]
    assert events[0].before is None
    assert events[0].after == {
        "scope": scope,
        "year": YEAR.start_year,
        "section": "foreword",
        "text": "First words.",
    }
    assert events[1].before is not None and events[1].before["text"] == "First words."
    assert events[1].after is not None and events[1].after["text"] == "Better words."
    assert {event.actor_id for event in events} == {chair.id}


def test_a_stale_version_is_refused_and_nothing_is_written(home: Partnership, chair: User) -> None:
    scope = narrative.scope_of(home)
    other = factories.user(Role.SECRETARIAT)
    narrative.save(scope, YEAR.start_year, _entries(foreword="The chair's words."), chair)
    # The secretariat opened the page before the chair saved (version 0 then).
    with pytest.raises(narrative.StaleNarrative) as refused:
        narrative.save(
            scope,
            YEAR.start_year,
            _entries(foreword="The secretariat's words.", good_practice="New praise."),
            other,
        )
    assert set(refused.value.current) == {"foreword"}
    assert refused.value.current["foreword"].text == "The chair's words."
    rows = narrative.stored(scope, YEAR.start_year)
    assert set(rows) == {"foreword"}  # not even the section that was not stale
    assert rows["foreword"].text == "The chair's words."
    assert (
        len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "report_narrative")
            ).all()
        )
        == 1
    )
    # Submitting the stored text unchanged with an old version is no conflict: no change.
    assert (
        narrative.save(scope, YEAR.start_year, _entries(foreword="The chair's words."), other) == []
    )
    # Having seen the current version, the secretariat may save over it.
    assert narrative.save(
        scope, YEAR.start_year, [narrative.Entry("foreword", "Agreed words.", 1)], other
    ) == ["foreword"]


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_report_carries_the_narrative_of_its_scope_and_year_in_one_query(
    home: Partnership, chair: User
) -> None:
    _write(home, chair)
    scope = narrative.scope_of(home)
    narrative.save(scope, YEAR.start_year, _entries(good_practice="Strong practice."), chair)
    # Other scopes and years are not mixed in.
    narrative.save("all", YEAR.start_year, _entries(foreword="Every partnership."), chair)
    narrative.save(scope, YEAR.start_year + 1, _entries(foreword="Next year."), chair)
    db.session.flush()
    db.session.expire_all()
    with _statements() as seen:
        report = build_yearly_report(YEAR, TYPES, partnership=home, today=TODAY)
    assert len([sql for sql in seen if "report_narrative" in sql]) == 1
    assert report.foreword == FOREWORD
    by_key = {section.key: section for section in report.sections}
    assert by_key["what-we-learned"].commentary == LEARNED
    assert by_key["good-practice"].commentary == "Strong practice."
    assert by_key["reviews-undertaken"].commentary == ""
    # Written for publication: the public version carries it too.
    public = build_yearly_report(YEAR, TYPES, partnership=home, public=True, today=TODAY)
    assert public.foreword == FOREWORD
    assert {s.key: s.commentary for s in public.sections}["what-we-learned"] == LEARNED
    everyone = build_yearly_report(YEAR, TYPES, today=TODAY)
    assert everyone.foreword == "Every partnership."
    assert all(not section.commentary for section in everyone.sections)


def test_a_snapshot_keeps_the_narrative_and_an_older_one_still_loads(
    home: Partnership, chair: User
) -> None:
    _write(home, chair)
    report = build_yearly_report(YEAR, TYPES, partnership=home, today=TODAY)
    back = report_from_data(report_to_data(report))
    assert back == report
    assert back.foreword == FOREWORD
    # A version signed off before the narrative existed: no foreword, commentary or keys.
    older = report_to_data(report)
    del older["foreword"]
    for section in older["sections"]:
        del section["commentary"], section["key"]
    loaded = report_from_data(older)
    assert loaded.foreword == ""
    assert [s.key for s in loaded.sections] == [s.key for s in report.sections]
    assert all(section.commentary == "" for section in loaded.sections)


def test_every_format_puts_the_foreword_first_and_commentary_after_the_figures(
    app: object, home: Partnership, chair: User
) -> None:
    narrative.save(
        narrative.scope_of(home),
        YEAR.start_year,
        _entries(
            foreword=FOREWORD,
            what_we_learned=LEARNED + '\n\n<script>alert("x")</script>',
        ),
        chair,
    )
    report = build_yearly_report(YEAR, TYPES, partnership=home, today=TODAY)
    learned = next(s for s in report.sections if s.key == "what-we-learned")

    markdown = formats.to_markdown(report)
    assert markdown.index("## Foreword by the chair") < markdown.index("## Reviews undertaken")
    assert "This year we **listened** to families." in markdown
    after_learned = markdown[markdown.index("## What we learned") :]
    assert after_learned.index(learned.paragraphs[0]) < after_learned.index(LEARNED)
    assert after_learned.index(LEARNED) < after_learned.index("## Good practice")

    html = formats.to_print_html(report)
    assert html.index("Foreword by the chair") < html.index("Reviews undertaken")
    assert "<strong>listened</strong>" in html
    assert "<li>We rewrote the escalation procedure.</li>" in html
    assert "<em>fathers</em>" in html
    assert "<script>" not in html  # through the one sanitising filter

    document = Document(io.BytesIO(formats.to_docx(report, today=TODAY)))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    texts = [text for _style, text in paragraphs]
    assert texts.index("Foreword by the chair") < texts.index("Reviews undertaken")
    assert ("Normal", "This year we listened to families.") in paragraphs
    assert ("List Bullet", "We rewrote the escalation procedure.") in paragraphs
    plain_learned = LEARNED.replace("*", "")
    assert (
        texts.index("What we learned") < texts.index(plain_learned) < texts.index("Good practice")
    )
    assert not any("alert" in text for text in texts)

    pdf = formats.to_pdf(report)
    from pypdf import PdfReader

    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Foreword by the chair" in pdf_text
    assert "listened" in pdf_text and "fathers" in pdf_text
