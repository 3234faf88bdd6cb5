"""Writing the yearly report's foreword and commentary (issue 18 item 5) through the pages:
who may, what the page shows beside each box, bad input and a stale edit keeping the typed
text, and a signed-off version keeping the words it was signed with."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import AuditEvent, ReportNarrative, Role
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.conftest import page_text

LAST_YEAR = BusinessYear(BusinessYear.containing(london_today()).start_year - 1)
Clients = Callable[..., FlaskClient]
FOREWORD = "This year the partnership **listened** to families."
LEARNED = "Practitioners told us the fathers briefing changed their home visits."


@pytest.fixture
def partnership_id(app: Flask) -> int:
    with app.app_context():
        partnership = factories.partnership(short_name="NARR", name="Narrowshire Partnership")
        factories.review(
            partnership, reference="NARR-1", started_on=LAST_YEAR.start + timedelta(days=20)
        )
        db.session.commit()
        return partnership.id


def _query(partnership_id: int) -> str:
    return f"year={LAST_YEAR.start_year}&partnership={partnership_id}"


def _path(partnership_id: int) -> str:
    return f"/dashboard/yearly-report/narrative?{_query(partnership_id)}"


def _versions(client: FlaskClient, partnership_id: int) -> dict[str, str]:
    """The hidden version fields of the form as the page gives them."""
    html = client.get(_path(partnership_id)).get_data(as_text=True)
    fields = re.findall(r'<input[^>]*name="(version_[a-z_]+)"[^>]*value="(\d+)"', html)
    assert fields, "the form has no version fields"
    return dict(fields)


def _post(
    client: FlaskClient, partnership_id: int, versions: dict[str, str], **texts: str
) -> object:
    data = dict(versions)
    data.update({f"text_{key}": text for key, text in texts.items()})
    return client.post(_path(partnership_id), data=data)


@pytest.mark.parametrize(
    ("role", "may_write"),
    [
        (Role.CHAIR, True),
        (Role.SECRETARIAT, True),
        (Role.AGENCY_LEAD, False),
        (Role.PRACTITIONER, False),
        (Role.ADMINISTRATOR, False),
    ],
)
def test_who_may_write_the_narrative(
    role: Role, may_write: bool, partnership_id: int, client_for: Clients
) -> None:
    client = client_for(role)
    assert client.get(_path(partnership_id)).status_code == (200 if may_write else 403)
    posted = client.post(
        _path(partnership_id), data={"text_foreword": "Words.", "version_foreword": "0"}
    )
    assert posted.status_code == (302 if may_write else 403)
    with client.application.app_context():
        stored = db.session.scalars(select(ReportNarrative.text)).all()
    assert stored == (["Words."] if may_write else [])
    if may_write:
        report = page_text(client.get(f"/dashboard/yearly-report?{_query(partnership_id)}"))
        assert "Write the foreword and commentary" in report


def test_the_page_shows_each_sections_figures_beside_its_box_and_says_it_is_published(
    partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    response = chair.get(_path(partnership_id))
    text = page_text(response)
    html = response.get_data(as_text=True)
    assert "Foreword and commentary: yearly report" in text
    assert "Published as written" in text and "Do not name anyone" in text
    assert "changes the live report and the next version" in text
    # Every section labelled by its title, its generated sentences as the hint.
    assert '<label class="govuk-label govuk-label--m" for="text_foreword">' in html
    assert "Foreword by the chair" in text
    assert '<label class="govuk-label govuk-label--m" for="text_reviews_undertaken">' in html
    undertaken = text[text.index("Reviews undertaken") :]
    assert "The figures this section shows" in undertaken
    assert "the partnership undertook one LCSPR" in undertaken
    assert 'aria-describedby="text_reviews_undertaken-hint"' in html
    # A bad query is a missing page, not an error.
    assert chair.get("/dashboard/yearly-report/narrative?partnership=999999").status_code == 404
    assert chair.get("/dashboard/yearly-report/narrative?year=1900").status_code == 404


def test_the_chair_writes_and_the_report_shows_the_words_in_every_version_and_format(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    versions = _versions(chair, partnership_id)
    saved = _post(chair, partnership_id, versions, foreword=FOREWORD, what_we_learned=LEARNED)
    assert saved.status_code == 302  # type: ignore[attr-defined]
    assert saved.headers["Location"].startswith("/dashboard/yearly-report?")  # type: ignore[attr-defined]
    for version in ("full", "public"):
        response = chair.get(f"/dashboard/yearly-report?{_query(partnership_id)}&version={version}")
        html = response.get_data(as_text=True)
        text = page_text(response)
        assert "<strong>listened</strong>" in html, version
        assert text.index("Foreword by the chair") < text.index("Reviews undertaken")
        learned = text[text.index("What we learned") :]
        assert LEARNED in learned and learned.index(LEARNED) < learned.index("Good practice")
    markdown = chair.get(f"/dashboard/yearly-report.md?{_query(partnership_id)}")
    assert "## Foreword by the chair" in markdown.get_data(as_text=True)
    docx = Document(
        io.BytesIO(chair.get(f"/dashboard/yearly-report.docx?{_query(partnership_id)}").data)
    )
    assert LEARNED in [paragraph.text for paragraph in docx.paragraphs]
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "report_narrative")
        ).all()
        assert sorted(event.after["section"] for event in events if event.after) == [
            "foreword",
            "what-we-learned",
        ]
    # The page opens with what was saved.
    again = chair.get(_path(partnership_id)).get_data(as_text=True)
    assert "This year the partnership **listened** to families." in again


def test_too_long_a_text_is_refused_beside_its_box_keeping_what_was_typed(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    versions = _versions(chair, partnership_id)
    long_text = "Too many words. " * 1300
    refused = _post(
        chair, partnership_id, versions, foreword="Kept words.", good_practice=long_text
    )
    assert refused.status_code == 200  # type: ignore[attr-defined]
    html = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "govuk-error-summary" in html
    assert "Keep “Good practice” to 20,000 characters or fewer" in html
    assert 'href="#text_good_practice"' in html
    assert "Kept words." in html  # the typed text stays in the box
    with app.app_context():
        assert db.session.scalars(select(ReportNarrative)).all() == []


def test_a_stale_edit_is_refused_showing_both_texts_then_saved_on_purpose(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    secretariat = client_for(Role.SECRETARIAT)
    opened_by_chair = _versions(chair, partnership_id)
    opened_by_secretariat = _versions(secretariat, partnership_id)
    first = _post(
        secretariat, partnership_id, opened_by_secretariat, foreword="Draft by the office."
    )
    assert first.status_code == 302  # type: ignore[attr-defined]

    stale = _post(chair, partnership_id, opened_by_chair, foreword="The chair's own words.")
    assert stale.status_code == 200  # type: ignore[attr-defined]
    html = stale.get_data(as_text=True)  # type: ignore[attr-defined]
    text = page_text(stale)  # type: ignore[arg-type]
    assert "govuk-error-summary" in html
    assert "Someone else saved “Foreword by the chair” after you opened this page" in text
    assert "What the other person saved" in text and "Draft by the office." in text
    assert "The chair's own words." in text  # kept in the box
    with app.app_context():
        assert db.session.scalars(select(ReportNarrative.text)).all() == ["Draft by the office."]

    # The refused page now carries the current version: saving again keeps the chair's.
    versions = dict(re.findall(r'<input[^>]*name="(version_[a-z_]+)"[^>]*value="(\d+)"', html))
    assert versions["version_foreword"] == "1"
    again = _post(chair, partnership_id, versions, foreword="The chair's own words.")
    assert again.status_code == 302  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.scalars(select(ReportNarrative.text)).all() == ["The chair's own words."]


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_editing_after_sign_off_leaves_the_signed_version_and_the_next_shows_the_change(
    partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    _post(
        chair, partnership_id, _versions(chair, partnership_id),
        foreword=FOREWORD, what_we_learned=LEARNED,
    )  # fmt: skip
    signed = chair.post(f"/dashboard/yearly-report/sign-off?{_query(partnership_id)}", data={})
    first = signed.headers["Location"].split("?")[0]

    edited = "After the board: the fathers briefing reached every health visiting team."
    form = page_text(chair.get(_path(partnership_id)))
    assert "Version 1 was signed off" in form and "not version 1" in form
    _post(
        chair, partnership_id, _versions(chair, partnership_id),
        foreword=FOREWORD, what_we_learned=edited,
    )  # fmt: skip

    # The signed-off version keeps the words it was signed with, in every file.
    page = page_text(chair.get(first))
    assert "Edit the foreword and commentary for the next version" in page
    assert LEARNED in page and edited not in page
    assert "Foreword by the chair" in page
    public = page_text(chair.get(f"{first}?version=public"))
    assert LEARNED in public and edited not in public
    signed_md = chair.get(f"{first}.md").get_data(as_text=True)
    assert LEARNED in signed_md and edited not in signed_md
    pdf = _pdf_text(chair.get(f"{first}.pdf").data)
    assert "Foreword by the chair" in pdf and "fathers briefing changed" in pdf
    assert "every health visiting team" not in pdf
    docx = Document(io.BytesIO(chair.get(f"{first}.docx").data))
    assert LEARNED in [paragraph.text for paragraph in docx.paragraphs]
    # The live report shows the new words.
    live = page_text(chair.get(f"/dashboard/yearly-report?{_query(partnership_id)}&live=1"))
    assert edited in live and LEARNED not in live

    resigned = chair.post(
        f"/dashboard/yearly-report/sign-off?{_query(partnership_id)}",
        data={"note": "The commentary was updated after the board."},
    )
    second = resigned.headers["Location"].split("?")[0]
    assert edited in page_text(chair.get(second))
    changes = chair.get(f"{second}/changes").get_data(as_text=True)
    assert re.search(r"<del>[^<]*fathers briefing changed their home visits", changes)
    assert re.search(r"<ins>[^<]*every health visiting team", changes)
