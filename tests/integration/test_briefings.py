"""Briefings through the routes: writing from a review, the workflow, the personal-data
check, the library and search, reading, team use, reach, PDFs and public reading."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    AuditEvent,
    Briefing,
    BriefingKind,
    BriefingRead,
    FindingKind,
    Partnership,
    Role,
    User,
    VersionStatus,
)
from sgreviews.services.briefings import flags as briefing_flags
from sgreviews.services.briefings import library as briefing_library
from sgreviews.services.briefings import links as briefing_links
from sgreviews.services.briefings import workflow as briefing_workflow
from tests import factories
from tests.briefing_helpers import TYPICAL_SECTIONS, draft_briefing, published_briefing
from tests.conftest import page_text

Clients = Callable[..., FlaskClient]
REASON = "A fictional name agreed by the panel"


def _date_fields(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def _editor_data(briefing: Briefing, **changes: str) -> dict[str, object]:
    version = briefing.open_version
    assert version is not None
    data: dict[str, object] = {
        "title": version.title,
        "lock_version": str(version.lock_version),
        **_date_fields("review_by", briefing.review_by),
    }
    data.update({key: version.section(key) for key in version.sections})
    data.update(changes)
    return data


def test_create_from_review_prefills_from_findings_and_strengths(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        review = factories.review(reference="LCSPR-2025-77", subject_label="Child Z")
        theme = factories_theme("curiosity_test", "Professional curiosity (test)")
        finding = factories.finding(review, text="Accounts were not tested against history.")
        finding.themes.append(theme)  # type: ignore[arg-type]
        factories.finding(review, kind=FindingKind.STRENGTH, text="The child was seen alone.")
        review_id = review.id
        db.session.commit()
    client = client_for(Role.SECRETARIAT)
    form = client.get(f"/briefings/new?review_id={review_id}")
    assert "drafted from the findings and strengths of review LCSPR-2025-77" in page_text(form)
    response = client.post(
        f"/briefings/new?review_id={review_id}",
        data={"kind": "seven_minute", **_date_fields("review_by", date(2027, 3, 31))},
    )
    assert response.status_code == 302
    with app.app_context():
        briefing = db.session.scalars(select(Briefing).order_by(Briefing.id.desc())).first()
        assert briefing is not None
        version = briefing.latest
        assert version.title == "Learning from LCSPR-2025-77 (Child Z)"
        assert version.section("key_point_1") == "Accounts were not tested against history."
        assert "The child was seen alone." in version.section("things_to_note")
        assert [r.reference for r in briefing.reviews] == ["LCSPR-2025-77"]
        assert len(briefing.findings) == 2
        assert [t.key for t in briefing.themes] == ["curiosity_test"]
        assert briefing.review_by == date(2027, 3, 31)
        assert version.status is VersionStatus.DRAFT
    editor = page_text(client.get(response.headers["Location"]))
    assert "Edit briefing" in editor and "Accounts were not tested against history." in editor


def factories_theme(key: str, name: str) -> object:
    from sgreviews.models import Theme

    theme = Theme(key=key, name=name)
    db.session.add(theme)
    db.session.flush()
    return theme


def test_empty_required_section_blocks_publication_with_message_at_section(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing = draft_briefing()
        briefing_workflow.submit_for_review(briefing, actor=briefing.author)  # type: ignore[arg-type]
        briefing_id = briefing.id
        data = _editor_data(briefing, why_it_matters="  ", action="publish")
        db.session.commit()
    response = client_for(Role.SECRETARIAT).post(f"/briefings/{briefing_id}/edit", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="#why_it_matters"' in html  # the error summary links to the section
    assert "Enter the why it matters before publishing" in page_text(response)
    assert 'id="why_it_matters-error"' in html
    with app.app_context():
        version = db.session.get(Briefing, briefing_id).latest  # type: ignore[union-attr]
        assert version.status is VersionStatus.IN_REVIEW
        # What was typed elsewhere is kept.
        assert version.section("background") == TYPICAL_SECTIONS["background"]


def test_personal_data_blocks_publication_until_overridden_with_reason(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing = draft_briefing()
        briefing_workflow.submit_for_review(briefing, actor=briefing.author)  # type: ignore[arg-type]
        briefing_id = briefing.id
        data = _editor_data(
            briefing,
            background="The social worker, Jane Smith, visited 14 Acacia Avenue.",
            action="publish",
        )
        db.session.commit()
    client = client_for(Role.SECRETARIAT)
    response = client.post(f"/briefings/{briefing_id}/edit", data=data)
    assert "contains possible personal data" in page_text(response)
    check = client.get(f"/briefings/{briefing_id}/check")
    text = page_text(check)
    assert "Possible name: “Jane Smith”" in text
    assert "Possible street address: “14 Acacia Avenue”" in text
    # The optional Presidio pass says whether it ran, and why not.
    assert f"Second check by Microsoft Presidio: {briefing_flags.second_pass_status()}" in text
    assert briefing_flags.second_pass_status().startswith(("Run by", "Not run:"))
    # A reason is required.
    empty = client.post(
        f"/briefings/{briefing_id}/check", data={"flag_index": "0", "flag-0-reason": ""}
    )
    assert "Enter why this can be published" in page_text(empty)
    with app.app_context():
        statuses = briefing_flags.flag_statuses(
            db.session.get(Briefing, briefing_id),  # type: ignore[arg-type]
            db.session.get(Briefing, briefing_id).latest,  # type: ignore[union-attr]
        )
        index = next(i for i, s in enumerate(statuses) if s.flag.kind == "name")
    client.post(
        f"/briefings/{briefing_id}/check",
        data={"flag_index": str(index), f"flag-{index}-reason": REASON},
    )
    # The address is fixed by editing it out.
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None
        data = _editor_data(
            briefing, background="Jane Smith, the social worker, visited.", action="publish"
        )
    published = client.post(f"/briefings/{briefing_id}/edit", data=data)
    assert published.status_code == 302
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None and briefing.published is not None
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == briefing_id, AuditEvent.event == "personal_data_override"
            )
        ).all()
        assert len(events) == 1
        assert events[0].after["reason"] == REASON  # type: ignore[index]


def test_stale_editor_is_refused_and_nothing_is_overwritten(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing = draft_briefing()
        briefing_id = briefing.id
        stale = _editor_data(briefing, background="The stale edit.", action="save")
        first = _editor_data(briefing, background="The first edit.", action="save")
        db.session.commit()
    client = client_for(Role.SECRETARIAT)
    assert client.post(f"/briefings/{briefing_id}/edit", data=first).status_code == 302
    response = client.post(f"/briefings/{briefing_id}/edit", data=stale)
    assert "Someone else saved this briefing" in page_text(response)
    with app.app_context():
        version = db.session.get(Briefing, briefing_id).latest  # type: ignore[union-attr]
        assert version.section("background") == "The first edit."


def test_published_version_is_immutable_and_history_keeps_every_version(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing = published_briefing()
        briefing_id = briefing.id
        db.session.commit()
    client = client_for(Role.SECRETARIAT)
    # The editor will not edit a published version in place.
    assert client.get(f"/briefings/{briefing_id}/edit").status_code == 302
    client.post(f"/briefings/{briefing_id}/new-version")
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None
        assert [v.status for v in briefing.versions] == [
            VersionStatus.PUBLISHED,
            VersionStatus.DRAFT,
        ]
        data = _editor_data(briefing, title="Testing accounts, revised", action="submit")
    client.post(f"/briefings/{briefing_id}/edit", data=data)
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None
        data = _editor_data(briefing, action="publish")
    client.post(f"/briefings/{briefing_id}/edit", data=data)
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None
        assert [v.status for v in briefing.versions] == [
            VersionStatus.ARCHIVED,
            VersionStatus.PUBLISHED,
        ]
        assert briefing.versions[0].title == "Testing accounts against history"
    history = page_text(client.get(f"/briefings/{briefing_id}/history"))
    assert "Version 1" in history and "Version 2" in history and "Archived" in history
    old = page_text(client.get(f"/briefings/{briefing_id}/versions/1"))
    assert "Testing accounts against history" in old


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "[click me](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        "<svg onload=alert(1)>",
    ],
)
def test_script_in_markdown_is_neutralised(payload: str, app: Flask, client_for: Clients) -> None:
    with app.app_context():
        briefing = published_briefing(sections={**TYPICAL_SECTIONS, "background": payload})
        briefing_id = briefing.id
        db.session.commit()
    html = client_for(Role.PRACTITIONER).get(f"/briefings/{briefing_id}").get_data(as_text=True)
    body = html.split('class="app-briefing__sections"')[1].split("</article>")[0].lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg"):
        assert bad not in body
    preview = client_for(Role.SECRETARIAT).post("/briefings/preview", data={"text": payload})
    assert "<script" not in preview.get_json()["html"]
    assert "onerror" not in preview.get_json()["html"]


def test_preview_renders_markdown(client_for: Clients) -> None:
    response = client_for(Role.SECRETARIAT).post("/briefings/preview", data={"text": "**Ask**"})
    assert response.get_json() == {"html": "<p><strong>Ask</strong></p>"}


def test_no_js_preview_button_shows_previews_without_saving(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing = draft_briefing()
        briefing_id = briefing.id
        data = _editor_data(briefing, background="**Previewed** text", action="preview")
        db.session.commit()
    response = client_for(Role.SECRETARIAT).post(f"/briefings/{briefing_id}/edit", data=data)
    assert "<strong>Previewed</strong>" in response.get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Briefing, briefing_id).latest  # type: ignore[union-attr]
        assert version.section("background") == TYPICAL_SECTIONS["background"]


def test_library_search_and_filters(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        advice = "Families under stress need tailored safe sleeping advice."
        published_briefing(
            title="Safe sleep for babies", sections={**TYPICAL_SECTIONS, "background": advice}
        )
        published_briefing(
            title="Coercive control",
            kind=BriefingKind.ONE_MINUTE_GUIDE,
            sections={
                "what_it_is": "A pattern of controlling behaviour.",
                "why_it_matters": "Incidents assessed alone hide the pattern.",
                "what_to_do": "Look at the history of incidents.",
            },
        )
        draft_briefing(title="Unpublished sleeping draft")
        db.session.commit()
    client = client_for(Role.PRACTITIONER)
    everything = page_text(client.get("/learning"))
    assert "Safe sleep for babies" in everything and "Coercive control" in everything
    assert "Unpublished sleeping draft" not in everything
    # Stemming: "sleep" finds "sleeping"; every word must match.
    found = page_text(client.get("/learning?q=sleep+stress"))
    assert "Safe sleep for babies" in found and "Coercive control" not in found
    assert "Unpublished" not in found
    none = page_text(client.get("/learning?q=sleep+coercive"))
    assert "No published briefing matches" in none
    # Search syntax in the input is treated as words, not operators.
    odd = client.get('/learning?q="NEAR(sleep* OR -) AND"')
    assert odd.status_code == 200
    kind = page_text(client.get("/learning?kind=one_minute_guide"))
    assert "Coercive control" in kind and "Safe sleep for babies" not in kind
    year = london_today().year
    assert "Coercive control" in page_text(client.get(f"/learning?year={year}"))
    assert "No published briefing" in page_text(client.get(f"/learning?year={year - 5}"))


def test_drafts_are_hidden_from_everyone_but_the_secretariat(
    app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing_id = draft_briefing().id
        db.session.commit()
    expected = {
        Role.SECRETARIAT: 200,
        Role.CHAIR: 404,
        Role.AGENCY_LEAD: 404,
        Role.PRACTITIONER: 404,
        Role.ADMINISTRATOR: 404,
    }
    for role, status in expected.items():
        client = client_for(role)
        assert client.get(f"/briefings/{briefing_id}").status_code == status, role
        assert client.get(f"/briefings/{briefing_id}.pdf").status_code == status, role


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_briefing_pages_with_arguments_per_role(
    role: Role, app: Flask, client_for: Clients
) -> None:
    with app.app_context():
        briefing = published_briefing()
        review_id = factories.review().id
        briefing_id = briefing.id
        db.session.commit()
    client = client_for(role)
    secretariat_only = 200 if role is Role.SECRETARIAT else 403
    reach = 200 if role in (Role.SECRETARIAT, Role.CHAIR) else 403
    team = 200 if role in (Role.AGENCY_LEAD, Role.PRACTITIONER) else 403
    expected = {
        f"/briefings/{briefing_id}": 200,
        f"/briefings/{briefing_id}/history": secretariat_only,
        f"/briefings/{briefing_id}/versions/1": secretariat_only,
        f"/briefings/{briefing_id}/reach": reach,
        f"/briefings/{briefing_id}/team-use": team,
        f"/briefings/new?review_id={review_id}": secretariat_only,
    }
    for path, status in expected.items():
        assert client.get(path).status_code == status, f"{path} as {role}"
    anonymous = app.test_client()
    for path in expected:
        assert anonymous.get(path).status_code == 302
    for path in (
        f"/briefings/{briefing_id}/new-version",
        f"/briefings/{briefing_id}/archive",
        "/briefings/preview",
    ):
        assert client.post(path).status_code in ((302, 200) if role is Role.SECRETARIAT else (403,))


def test_public_reading_follows_the_partnership_setting(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        briefing = published_briefing()
        partnership_id = briefing.partnership_id
        briefing_id = briefing.id
        draft = draft_briefing()
        draft.partnership_id = partnership_id
        draft_id = draft.id
        db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/public/briefings/{briefing_id}").status_code == 404
    assert anonymous.get(f"/public/briefings/{briefing_id}.pdf").status_code == 404
    secretariat = client_for(Role.SECRETARIAT)
    settings = secretariat.get("/briefings/settings")
    assert "Public reading settings" in page_text(settings)
    secretariat.post("/briefings/settings", data={"public": [str(partnership_id)]})
    page = anonymous.get(f"/public/briefings/{briefing_id}")
    assert page.status_code == 200
    assert "Testing accounts against history" in page_text(page)
    assert "I have read this" not in page_text(page)
    assert anonymous.get(f"/public/briefings/{briefing_id}.pdf").status_code == 200
    with app.app_context():
        short_name = db.session.get(Partnership, partnership_id).short_name  # type: ignore[union-attr]
    listing = page_text(anonymous.get(f"/public/partnerships/{short_name}/briefings"))
    assert "Testing accounts against history" in listing
    assert "A draft briefing" not in listing
    # Drafts are never public.
    assert anonymous.get(f"/public/briefings/{draft_id}").status_code == 404
    secretariat.post("/briefings/settings", data={})
    assert anonymous.get(f"/public/briefings/{briefing_id}").status_code == 404
    assert anonymous.get(f"/public/partnerships/{short_name}/briefings").status_code == 404
    assert anonymous.get("/public/partnerships/NOPE/briefings").status_code == 404
    with app.app_context():
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "briefings_public")
        ).all()


def test_reading_team_use_and_reach(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        agency = factories.agency(name="Testshire Health Visiting")
        agency_id = agency.id
        briefing_id = published_briefing().id
        db.session.commit()
    practitioner = client_for(Role.PRACTITIONER, agency)
    too_long = "I will ask. " * 200
    refused = practitioner.post(f"/briefings/{briefing_id}", data={"reflection": too_long})
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    # Beside the field, linked from the summary, and the text kept.
    assert 'id="reflection-error"' in html and 'href="#reflection"' in html
    assert "Reflection must be 2000 characters or fewer" in page_text(refused)
    assert 'aria-describedby="reflection-hint reflection-error"' in html
    assert too_long.strip() in html
    response = practitioner.post(
        f"/briefings/{briefing_id}", data={"reflection": "I will ask about every adult."}
    )
    assert response.status_code == 302
    text = page_text(practitioner.get(f"/briefings/{briefing_id}"))
    assert "You confirmed reading this on" in text
    assert "You have read this" in page_text(practitioner.get("/learning"))
    lead = client_for(Role.AGENCY_LEAD, agency)
    bad = lead.post(
        f"/briefings/{briefing_id}/team-use",
        data={**_date_fields("used_on", london_today()), "team": "", "staff_count": "lots"},
    )
    assert "Enter the team" in page_text(bad)
    assert "Enter the number of staff as a whole number" in page_text(bad)
    good = lead.post(
        f"/briefings/{briefing_id}/team-use",
        data={
            **_date_fields("used_on", london_today()),
            "team": "North locality team",
            "agency": str(agency_id),
            "staff_count": "12",
            "notes": "Discussed in the team meeting.",
        },
    )
    assert good.status_code == 302
    chair = client_for(Role.CHAIR)
    reach = page_text(chair.get(f"/briefings/{briefing_id}/reach"))
    assert "1 people confirmed reading it; 1 team uses reached 12 staff" in reach
    assert "Testshire Health Visiting 1 1 12" in reach
    assert "I will ask about every adult." in reach
    overview = page_text(chair.get("/briefings/reach"))
    assert "Testshire Health Visiting 1 1 12" in overview
    with app.app_context():
        assert db.session.scalars(select(BriefingRead)).one().agency_id == agency_id


def test_pdf_has_every_section_on_one_page(app: Flask, client_for: Clients) -> None:
    with app.app_context():
        briefing_id = published_briefing().id
        db.session.commit()
    response = client_for(Role.PRACTITIONER).get(f"/briefings/{briefing_id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for heading in (
        "Background",
        "Why it matters",
        "Key information: first point",
        "Key information: second point",
        "Key information: third point",
        "Things to note",
        "What to do",
        "Questions to reflect on",
    ):
        assert heading in text
    assert "Testing accounts against history" in text
    assert "See every adult in the home." in text


def test_briefings_due_for_review(ctx: None) -> None:
    author = factories.user(Role.SECRETARIAT)
    due = published_briefing(author)
    due.review_by = date(2026, 1, 10)
    later = published_briefing(author)
    later.review_by = date(2026, 6, 1)
    unpublished = draft_briefing(author)
    unpublished.review_by = date(2026, 1, 1)
    db.session.flush()
    rows = briefing_library.briefings_due_for_review(date(2026, 2, 1))
    assert [(b.id, a.id if a else None, d) for b, a, d in rows] == [
        (due.id, author.id, date(2026, 1, 10))
    ]


def test_links_to_reviews_findings_and_themes(app: Flask, client_for: Clients) -> None:
    from sgreviews.models import Theme

    with app.app_context():
        briefing = published_briefing(title="Linked learning")
        review = factories.review(reference="SAR-2025-91", subject_label="Adult W")
        finding = factories.finding(review, text="Self-neglect was not tested.")
        group = Theme(key="links_group", name="Links group")
        theme = Theme(key="links_theme", name="Linked theme", parent=group)
        db.session.add_all([group, theme])
        db.session.flush()
        ids = (briefing.id, review.id, finding.id, theme.id)
        db.session.commit()
    briefing_id, review_id, finding_id, theme_id = ids
    client = client_for(Role.SECRETARIAT)
    assert "SAR-2025-91 (Adult W)" in page_text(client.get(f"/briefings/{briefing_id}/links"))
    response = client.post(
        f"/briefings/{briefing_id}/links",
        data={"reviews": [str(review_id)], "themes": [str(theme_id)]},
    )
    assert response.status_code == 302
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None
        assert [r.id for r in briefing.reviews] == [review_id]
        assert [f.id for f in briefing.findings] == [finding_id]
        assert [t.id for t in briefing.themes] == [theme_id]
    practitioner = client_for(Role.PRACTITIONER)
    # The theme's group filters too, and the linked review is searchable.
    assert "Linked learning" in page_text(practitioner.get(f"/learning?theme={theme_id}"))
    with app.app_context():
        group_id = db.session.scalar(select(Theme.id).where(Theme.key == "links_group"))
    assert "Linked learning" in page_text(practitioner.get(f"/learning?theme={group_id}"))
    assert "Linked learning" in page_text(practitioner.get("/learning?q=SAR-2025-91"))
    assert "Linked learning" in page_text(practitioner.get("/learning?review_type=lcspr"))
    assert client_for(Role.CHAIR).get(f"/briefings/{briefing_id}/links").status_code == 403


def _queries_for(client: FlaskClient, connection: Connection, path: str) -> int:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)
    # The test's own transaction wraps each request in a savepoint: not the page's.
    return sum(1 for statement in statements if "SAVEPOINT" not in statement)


def test_library_and_reach_queries_do_not_grow_with_the_data(
    app: Flask, client_for: Clients, transaction: Connection
) -> None:
    practitioner = client_for(Role.PRACTITIONER)
    chair = client_for(Role.CHAIR)

    def add(count: int) -> None:
        with app.app_context():
            theme = factories_theme(f"count_theme_{count}", f"Count theme {count}")
            for number in range(count):
                briefing = published_briefing(title=f"Briefing {number}")
                briefing.themes.append(theme)  # type: ignore[arg-type]
            db.session.commit()

    add(2)
    paths = ["/learning", "/learning?q=history", "/briefings/reach"]

    def counts() -> dict[str, int]:
        return {
            path: _queries_for(chair if "reach" in path else practitioner, transaction, path)
            for path in paths
        }

    before = counts()
    assert all(before.values())
    add(6)
    assert counts() == before


def test_reading_page_is_one_statement_after_the_sign_in(
    app: Flask, client_for: Clients, transaction: Connection
) -> None:
    """The service's most-read page reads the briefing, its reviews and themes, the reader's
    confirmation and the header's unread count in one statement (the user's load is the
    other), and still shows each of them."""
    with app.app_context():
        actor = factories.user(Role.SECRETARIAT)
        briefing = published_briefing(actor)
        review = factories.review(
            briefing.partnership, reference="LCSPR-2026-07", subject_label="Child Q"
        )
        theme = factories_theme("reading_theme", "Professional curiosity")
        db.session.flush()
        briefing_links.set_links(
            briefing, actor=actor, reviews=[review], findings=[], themes=[theme]
        )
        briefing_id = briefing.id
        db.session.commit()
    practitioner = client_for(Role.PRACTITIONER)
    practitioner.post(f"/briefings/{briefing_id}", data={"reflection": "Ask who else lives there."})
    with app.app_context():
        reader = db.session.scalars(select(User).where(User.role == Role.PRACTITIONER)).one()
        for number in range(2):
            factories.notification(reader, number)
        db.session.commit()
    path = f"/briefings/{briefing_id}"
    assert _queries_for(practitioner, transaction, path) == 2
    text = page_text(practitioner.get(path))
    assert "Notifications 2 unread" in text
    assert "You confirmed reading this on" in text
    assert "Your reflection: Ask who else lives there." in text
    assert "LCSPR-2026-07" in text and "Child Q" in text
    assert "Professional curiosity" in text
