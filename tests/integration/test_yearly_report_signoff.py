"""Signing off the yearly report (issue 18, item 6): the signed-off version stays as it was
signed whatever the data does next; a new version supersedes it and the differences are
shown; nobody can change a signed-off version; who may sign off and read; the publication
clock reminded until the report is signed off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import AuditEvent, Partnership, Role, SignedReport, SignedReportChange
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reminders.report_sources import YearlyReportSource
from sgreviews.services.reminders.rules import YearlyReportRules
from sgreviews.services.reminders.sources import default_sources
from sgreviews.services.reminders.wiring import current_rules
from sgreviews.services.reports.signoff import publication_due
from tests import factories
from tests.conftest import page_text

LAST_YEAR = BusinessYear(BusinessYear.containing(london_today()).start_year - 1)
Clients = Callable[..., FlaskClient]


@pytest.fixture
def partnership_id(app: Flask) -> int:
    with app.app_context():
        partnership = factories.partnership(short_name="SIGN", name="Signshire Partnership")
        factories.review(
            partnership, reference="SIGN-1", started_on=LAST_YEAR.start + timedelta(days=20)
        )
        db.session.commit()
        return partnership.id


def _query(partnership_id: int) -> str:
    return f"year={LAST_YEAR.start_year}&partnership={partnership_id}"


def _sign_off(client: FlaskClient, partnership_id: int, note: str = "") -> str:
    response = client.post(
        f"/dashboard/yearly-report/sign-off?{_query(partnership_id)}", data={"note": note}
    )
    assert response.status_code == 302, page_text(response)
    return response.headers["Location"]


def test_a_signed_off_report_stays_as_signed_and_is_superseded_by_a_new_version(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    live = page_text(chair.get(f"/dashboard/yearly-report?{_query(partnership_id)}"))
    assert "the partnership undertook one LCSPR" in live
    assert "ot signed off" in live  # "Not signed off", or "Overdue: not signed off"
    assert "Publication due by 30 September" in live
    form = page_text(chair.get(f"/dashboard/yearly-report/sign-off?{_query(partnership_id)}"))
    assert "Sign off the yearly report" in form

    first = _sign_off(chair, partnership_id)
    signed = page_text(chair.get(first))
    assert "Signed off on" in signed
    assert "by Test Chair" in signed
    assert "Version 1 of 1" in signed
    assert "the partnership undertook one LCSPR" in signed

    # Later data: another LCSPR started in the same year.
    with app.app_context():
        partnership = db.session.get(Partnership, partnership_id)
        factories.review(
            partnership, reference="SIGN-2", started_on=LAST_YEAR.start + timedelta(days=40)
        )
        db.session.commit()

    # The period opens on its signed-off version, unchanged.
    opened = chair.get(f"/dashboard/yearly-report?{_query(partnership_id)}")
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith(first)
    unchanged = page_text(chair.get(first))
    assert "the partnership undertook one LCSPR" in unchanged
    assert "two LCSPRs" not in unchanged
    signed_md = chair.get(first.split("?")[0] + ".md").get_data(as_text=True)
    assert "one LCSPR" in signed_md and "two LCSPRs" not in signed_md
    # The live recomputation is a link away and says the period was signed off.
    recomputed = page_text(chair.get(f"/dashboard/yearly-report?{_query(partnership_id)}&live=1"))
    assert "the partnership undertook two LCSPRs" in recomputed
    assert "This report was signed off on" in recomputed

    # A new version needs a reason; a refused attempt stores nothing.
    refused = chair.post(f"/dashboard/yearly-report/sign-off?{_query(partnership_id)}", data={})
    assert refused.status_code == 200
    assert "Say why a new version is needed" in page_text(refused)
    with app.app_context():
        assert len(db.session.scalars(select(SignedReport)).all()) == 1

    second = _sign_off(chair, partnership_id, note="A second LCSPR was logged late.")
    newer = page_text(chair.get(second))
    assert "Version 2 of 2" in newer
    assert "the partnership undertook two LCSPRs" in newer
    assert "A second LCSPR was logged late." in newer
    superseded = page_text(chair.get(first))
    assert "Superseded: version 2 replaced this version" in superseded
    assert "the partnership undertook one LCSPR" in superseded

    changes = chair.get(second.split("?")[0] + "/changes")
    assert changes.status_code == 200
    html = changes.get_data(as_text=True)
    assert "<del>" in html and "one LCSPR" in html
    assert "<ins>" in html and "two LCSPRs" in html
    assert chair.get(first.split("?")[0] + "/changes").status_code == 404  # no version 0

    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "yearly_report", AuditEvent.event == "sign_off"
            )
        ).all()
        assert [event.after["version"] for event in events if event.after] == [1, 2]


def test_a_signed_off_version_cannot_be_changed_or_removed(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    location = _sign_off(chair, partnership_id).split("?")[0]
    # No route edits a version: the page takes no POST.
    assert chair.post(location).status_code == 405
    with app.app_context():
        signed = db.session.scalars(select(SignedReport)).one()
        signed.markdown = "Rewritten."
        with pytest.raises(SignedReportChange):
            db.session.flush()
        db.session.rollback()
        signed = db.session.scalars(select(SignedReport)).one()
        db.session.delete(signed)
        with pytest.raises(SignedReportChange):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalars(select(SignedReport)).one().markdown != "Rewritten."


def test_the_database_itself_refuses_to_change_a_signed_off_version(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    """Migration 0039: whatever the client (a console, a script), not only the ORM."""
    _sign_off(client_for(Role.CHAIR), partnership_id)
    refused = "a signed-off report cannot be changed or deleted, only superseded"
    with app.app_context():
        for statement in (
            "UPDATE signed_report SET markdown = 'Rewritten.'",
            "DELETE FROM signed_report",
        ):
            with pytest.raises(DBAPIError, match=refused), db.session.begin_nested():
                db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.scalars(select(SignedReport)).one().markdown != "Rewritten."


@pytest.mark.parametrize(
    ("role", "may_view", "may_sign"),
    [
        (Role.CHAIR, True, True),
        (Role.SECRETARIAT, True, False),
        (Role.AGENCY_LEAD, False, False),
        (Role.PRACTITIONER, False, False),
        (Role.ADMINISTRATOR, False, False),
    ],
)
def test_who_may_sign_off_and_read_signed_reports(
    role: Role, may_view: bool, may_sign: bool, partnership_id: int, client_for: Clients
) -> None:
    location = _sign_off(client_for(Role.CHAIR), partnership_id).split("?")[0]
    client = client_for(role)
    for path in (location, f"{location}.pdf", f"{location}.docx", f"{location}.md"):
        assert client.get(path).status_code == (200 if may_view else 403), path
    sign_off_path = f"/dashboard/yearly-report/sign-off?{_query(partnership_id)}"
    assert client.get(sign_off_path).status_code == (200 if may_sign else 403)
    posted = client.post(sign_off_path, data={"note": "again"})
    assert posted.status_code == (302 if may_sign else 403)
    if role is Role.SECRETARIAT:
        text = page_text(client.get(location))
        assert "Signed off on" in text
        assert "Sign off a new version" not in text


def test_the_public_signed_version_keeps_small_numbers_hidden(
    partnership_id: int, client_for: Clients
) -> None:
    chair = client_for(Role.CHAIR)
    location = _sign_off(chair, partnership_id).split("?")[0]
    public = page_text(chair.get(f"{location}?version=public"))
    assert "fewer than 5 LCSPRs" in public
    assert "SIGN-1" not in public
    markdown = chair.get(f"{location}.md?version=public").get_data(as_text=True)
    assert "fewer than 5" in markdown and "SIGN-1" not in markdown


def test_the_publication_clock_is_reminded_until_the_report_is_signed_off(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    due = publication_due(LAST_YEAR, 6)
    assert due == date(LAST_YEAR.end.year, 9, 30)
    with app.app_context():
        rules = current_rules()
        assert rules.yearly_report.publication_months == 6
        sources = default_sources(rules)
        source = next(s for s in sources if isinstance(s, YearlyReportSource))
        week_before = [
            subject
            for page in source.pages(due - timedelta(days=7), 0, 100)
            for subject in page
            if subject.subject_id == partnership_id
        ]
        assert [subject.due_date for subject in week_before] == [due]
        assert week_before[0].partnership_ids == (partnership_id,)
        # Not yet within the reminder window (28 days before by default).
        assert not [
            s
            for page in source.pages(due - timedelta(days=60), 0, 100)
            for s in page
            if s.subject_id == partnership_id
        ]
    _sign_off(client_for(Role.CHAIR), partnership_id)
    with app.app_context():
        source = YearlyReportSource(YearlyReportRules())
        after_sign_off = [
            s
            for page in source.pages(due - timedelta(days=7), 0, 100)
            for s in page
            if s.subject_id == partnership_id
        ]
        assert after_sign_off == []


def test_the_reminder_run_tells_the_secretariat_until_sign_off(
    app: Flask, partnership_id: int, client_for: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sgreviews.services.reminders.wiring import MAIL_KEY
    from tests.smtp import smtp_server

    due = publication_due(LAST_YEAR, 6)
    with app.app_context():
        factories.user(Role.SECRETARIAT, email="secretariat@sign.example")
        factories.user(Role.CHAIR, email="chair@sign.example")
        db.session.commit()

    def run(day: date) -> dict[str, str]:
        result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output + repr(result.exception)
        return {message.to: message.part("plain") for message in inbox.take()}

    with smtp_server() as inbox:
        monkeypatch.setitem(app.extensions, MAIL_KEY, inbox.settings())
        mail = run(due - timedelta(days=28))
        line = f"Yearly report {LAST_YEAR.label} of SIGN: publication due"
        assert set(mail) == {"secretariat@sign.example"}  # like the review clocks
        assert line in mail["secretariat@sign.example"]
        assert "/dashboard/yearly-report?partnership=" in mail["secretariat@sign.example"]
        assert run(due - timedelta(days=27)) == {}  # once per threshold
        _sign_off(client_for(Role.CHAIR), partnership_id)
        assert not any(line in text for text in run(due).values())


def test_a_report_signed_off_after_its_publication_date_is_met_late(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    """The publication clock is met by the first sign-off: on time only when that came by
    the due date. Last year's report, due months ago, signed off today, is met late."""
    chair = client_for(Role.CHAIR)
    due = publication_due(LAST_YEAR, 6)
    today = london_today()
    page = page_text(chair.get(_sign_off(chair, partnership_id)))
    if today > due:
        assert "Met late first signed off on" in page
        assert f"{(today - due).days} days after it was due" in page
    else:
        assert "met, first signed off on" in page


def test_a_report_due_before_go_live_is_a_historical_record_not_late(
    app: Flask, partnership_id: int, client_for: Clients
) -> None:
    """A past year entered as history: its report was due before the partnership started
    using the service, so the clock neither reminds nor calls it late. A report due on or
    after go-live (though its year ended before) is reminded as usual."""
    old_year = BusinessYear(LAST_YEAR.start_year - 3)
    old_due = publication_due(old_year, 6)
    with app.app_context():
        partnership = db.session.get(Partnership, partnership_id)
        assert partnership is not None
        partnership.go_live_on = old_due + timedelta(days=1)
        db.session.commit()
    chair = client_for(Role.CHAIR)
    query = f"year={old_year.start_year}&partnership={partnership_id}"
    unsigned = page_text(chair.get(f"/dashboard/yearly-report?{query}"))
    assert "Historical record It was due before this partnership started using" in unsigned
    assert "Overdue: not signed off" not in unsigned
    response = chair.post(f"/dashboard/yearly-report/sign-off?{query}", data={"note": ""})
    assert response.status_code == 302
    signed = page_text(chair.get(response.headers["Location"]))
    assert "Historical record first signed off on" in signed
    assert "Met late" not in signed and "days after it was due" not in signed

    with app.app_context():
        rules = YearlyReportRules()
        source = YearlyReportSource(rules)
        next_due = publication_due(BusinessYear(old_year.start_year + 1), 6)
        partnership = db.session.get(Partnership, partnership_id)
        assert partnership is not None
        day = next_due - timedelta(days=7)

        def reminded() -> list[date]:
            return [
                s.due_date
                for page in source.pages(day, 0, 100)
                for s in page
                if s.subject_id == partnership_id
            ]

        # Go-live after the next year ended but before its report was due: reminded.
        partnership.go_live_on = next_due - timedelta(days=30)
        db.session.commit()
        assert reminded() == [next_due]
        partnership.go_live_on = next_due + timedelta(days=1)
        db.session.commit()
        assert reminded() == []
