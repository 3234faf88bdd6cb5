"""The dashboard, scorecard, exports and log of challenge through HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import ActionStatus, AuditEvent, Challenge, Partnership, Role
from sgreviews.services.dashboard.tables import TABLES
from sgreviews.services.periods import BusinessYear
from tests import factories
from tests.conftest import page_text, sign_in

THIS_YEAR = BusinessYear.containing(london_today())


@pytest.fixture
def data(app: Flask) -> dict[str, int]:
    with app.app_context():
        partnership = factories.partnership(short_name="DASH")
        police = factories.agency(name="Dashshire Police")
        review = factories.review(partnership, started_on=THIS_YEAR.start)
        finding = factories.finding(review)
        factories.action(
            police, finding, reference="DASH-1", action_text="=HYPERLINK(\"http://x\")",
            due_date=london_today() - timedelta(days=10),
        )  # fmt: skip
        factories.action(police, finding, reference="DASH-2", status=ActionStatus.COMPLETED)
        db.session.commit()
        return {"partnership": partnership.id, "agency": police.id}


def test_dashboard_shows_filtered_figures_and_charts(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    client = client_for(Role.CHAIR)
    response = client.get(
        f"/dashboard?partnership={data['partnership']}&year={THIS_YEAR.start_year}"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('role="img"') == 5  # reviews, actions, trend, themes, recurring themes
    text = page_text(response)
    assert "Dashshire Police" in text
    assert "Completed but not yet assured" in text
    assert "DASH-2" in text


def test_dashboard_ignores_nonsense_filters(client_for: Callable[..., FlaskClient]) -> None:
    response = client_for(Role.SECRETARIAT).get("/dashboard?year=1066&quarter=9&agency=x")
    assert response.status_code == 200
    assert "Progress dashboard" in page_text(response)


def test_every_table_exports_as_csv_and_xlsx(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    client = client_for(Role.CHAIR)
    for key in TABLES:
        csv_response = client.get(f"/dashboard/export/{key}.csv?partnership={data['partnership']}")
        assert csv_response.status_code == 200, key
        assert "attachment" in csv_response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[0], key
        xlsx_response = client.get(f"/dashboard/export/{key}.xlsx")
        workbook = load_workbook(io.BytesIO(xlsx_response.data))
        assert workbook.active is not None and workbook.active.max_row >= 1


def test_exports_neutralise_spreadsheet_formulas(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    response = client_for(Role.CHAIR).get("/dashboard/export/completed-not-assured.csv")
    assert response.status_code == 200
    overdue = client_for(Role.CHAIR).get(
        f"/dashboard/export/actions-by-agency.csv?agency={data['agency']}"
    )
    assert "Dashshire Police" in overdue.get_data(as_text=True)


def test_unknown_export_is_404(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(Role.CHAIR)
    assert client.get("/dashboard/export/nothing.csv").status_code == 404
    assert client.get("/dashboard/export/monthly-trend.pdf").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.PRACTITIONER, Role.ADMINISTRATOR])
def test_others_cannot_export(role: Role, client_for: Callable[..., FlaskClient]) -> None:
    assert client_for(role).get("/dashboard/export/monthly-trend.csv").status_code == 403


def test_scorecard(data: dict[str, int], client_for: Callable[..., FlaskClient]) -> None:
    text = page_text(client_for(Role.CHAIR).get(f"/dashboard/scorecard?agency={data['agency']}"))
    assert "Dashshire Police 1 1 1 0 10" in text


def test_record_filter_and_edit_a_challenge(
    app: Flask, data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    client = client_for(Role.CHAIR)
    today = london_today()
    form = {
        "partnership": str(data["partnership"]),
        "raised_on": [str(today.day), str(today.month), str(today.year)],
        "agency": str(data["agency"]),
        "raised_with": "Head of public protection",
        "issue": "Strategy discussions are not held within the timescale",
        "status": "open",
    }
    response = client.post("/challenges/new", data=form)
    assert response.status_code == 302
    listing = page_text(client.get(f"/challenges?agency={data['agency']}&status=open"))
    assert "Strategy discussions are not held within the timescale" in listing
    assert "No challenges match" in page_text(client.get("/challenges?status=resolved"))
    with app.app_context():
        challenge = db.session.scalars(select(Challenge)).one()
        challenge_id, version = challenge.id, challenge.version
    edited = client.post(
        f"/challenges/{challenge_id}/edit",
        data={**form, "version": str(version), "response": "Timescales now monitored weekly",
              "status": "resolved"},
    )  # fmt: skip
    assert edited.status_code == 302
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent.event).where(
                AuditEvent.entity_type == "challenge", AuditEvent.entity_id == challenge_id
            )
        ).all()
        assert events == ["create", "update"]


def test_challenge_errors_are_shown_beside_fields(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    future = london_today() + timedelta(days=3)
    response = client_for(Role.CHAIR).post(
        "/challenges/new",
        data={
            "partnership": str(data["partnership"]),
            "raised_on": [str(future.day), str(future.month), str(future.year)],
            "raised_with": "",
            "issue": "Kept text",
            "status": "open",
        },
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Date raised must be today or in the past" in text
    assert "Enter who the challenge was raised with" in text
    assert "Kept text" in text


def test_partial_date_gets_a_message_not_an_error(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    response = client_for(Role.CHAIR).post(
        "/challenges/new",
        data={"partnership": str(data["partnership"]), "raised_on": ["3"], "raised_with": "X",
              "issue": "Y", "status": "open"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Date raised must be a real date" in page_text(response)


def test_stale_challenge_edit_is_refused_and_keeps_text(
    app: Flask, data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        chair = factories.user(Role.CHAIR)
        challenge = Challenge(
            partnership_id=data["partnership"], raised_on=london_today(), raised_with="Chief nurse",
            issue="Training figures", recorded_by=chair,
        )  # fmt: skip
        db.session.add(challenge)
        db.session.commit()
        challenge_id, old_version = challenge.id, challenge.version
        challenge.response = "Saved first by someone else"
        db.session.commit()
    today = london_today()
    response = client_for(Role.CHAIR).post(
        f"/challenges/{challenge_id}/edit",
        data={
            "version": str(old_version), "partnership": str(data["partnership"]),
            "raised_on": [str(today.day), str(today.month), str(today.year)],
            "raised_with": "Chief nurse",
            "issue": "Training figures", "response": "My late answer", "status": "open",
        },
    )  # fmt: skip
    assert response.status_code == 200
    text = page_text(response)
    assert "saved this challenge after you opened it" in text
    assert "Saved first by someone else" in text
    assert "My late answer" in text
    with app.app_context():
        stored = db.session.get(Challenge, challenge_id)
        assert stored is not None and stored.response == "Saved first by someone else"


def test_dashboard_runs_a_fixed_number_of_queries(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    """Adding data must not add queries."""
    from sqlalchemy import event

    client = client_for(Role.CHAIR)

    def add_data(reviews: int) -> None:
        with app.app_context():
            partnership = factories.partnership()
            for index in range(reviews):
                review = factories.review(partnership, started_on=THIS_YEAR.start)
                finding = factories.finding(review)
                for status in ActionStatus:
                    factories.action(
                        factories.agency(), finding, status=status,
                        due_date=london_today() - timedelta(days=index),
                    )  # fmt: skip
            db.session.commit()

    def count_queries() -> int:
        statements: list[str] = []

        def listener(*args: object) -> None:
            statements.append(str(args[2]))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/dashboard").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    add_data(1)
    before = count_queries()
    add_data(4)
    assert count_queries() == before


def test_yearly_report_preview_and_downloads(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    client = client_for(Role.CHAIR)
    query = f"year={THIS_YEAR.start_year}&partnership={data['partnership']}"
    preview = page_text(client.get(f"/dashboard/yearly-report?{query}"))
    assert f"Yearly report {THIS_YEAR.label}" in preview
    assert "the partnership undertook one LCSPR" in preview
    public = page_text(client.get(f"/dashboard/yearly-report?{query}&version=public"))
    assert "fewer than 5 LCSPRs" in public
    assert "LCSPR-2025" not in public
    for file_type, signature in (("pdf", b"%PDF"), ("docx", b"PK"), ("md", b"# Yearly")):
        response = client.get(f"/dashboard/yearly-report.{file_type}?{query}")
        assert response.status_code == 200
        assert response.data.startswith(signature), file_type
    assert client.get("/dashboard/yearly-report.exe").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.PRACTITIONER])
def test_others_cannot_download_the_yearly_report(
    role: Role, client_for: Callable[..., FlaskClient]
) -> None:
    assert client_for(role).get("/dashboard/yearly-report.pdf").status_code == 403


def test_secretariat_sets_budgets_and_bad_amounts_are_refused(
    app: Flask, data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    from decimal import Decimal

    from sgreviews.services.dashboard import budgets

    client = client_for(Role.SECRETARIAT)
    path = f"/dashboard/budgets?partnership={data['partnership']}&year=2025"
    assert "Budget for 1 April 2025 to 31 March 2026" in page_text(client.get(path))
    saved = client.post(path, data={"budget_lcspr": "45000", "budget_sar": "30000.50"})
    assert saved.status_code == 302
    refused = client.post(path, data={"budget_lcspr": "-5", "budget_sar": "lots"})
    assert refused.status_code == 200
    text = page_text(refused)
    assert "must be £0 or more" in text
    with app.app_context():
        assert budgets.budgets_for(data["partnership"], 2025) == {
            "lcspr": Decimal("45000.00"),
            "sar": Decimal("30000.50"),
        }
    cleared = client.post(path, data={"budget_lcspr": "45000", "budget_sar": ""})
    assert cleared.status_code == 302
    with app.app_context():
        assert budgets.budgets_for(data["partnership"], 2025) == {"lcspr": Decimal("45000.00")}


def test_long_agency_table_is_paged_and_downloads_keep_every_agency(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    """More agencies than a page: the page shows PAGE_ROWS, most overdue first, with GOV.UK
    pagination; the CSV has them all; the query count does not grow with the agencies."""
    from sqlalchemy import event

    from sgreviews.services.dashboard.tables import PAGE_ROWS

    with app.app_context():
        partnership = factories.partnership(short_name="MANY")
        finding = factories.finding(factories.review(partnership, started_on=THIS_YEAR.start))
        for number in range(PAGE_ROWS + 5):
            agency = factories.agency(name=f"Agency {number:02d}")
            # Agency 24 has the most overdue actions, then 23, ...; agency 00 has none.
            for _overdue in range(number):
                factories.action(agency, finding, due_date=london_today() - timedelta(days=3))
            factories.action(agency, finding, due_date=london_today() + timedelta(days=30))
        db.session.commit()
    client = client_for(Role.CHAIR)
    statements: list[str] = []

    def listener(*args: object) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        first = client.get("/dashboard")
        first_count = len(statements)
        statements.clear()
        second = client.get("/dashboard?agency_page=2")
        second_count = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert first.status_code == second.status_code == 200
    assert first_count == second_count
    text = page_text(first)
    assert f"Agencies 1 to {PAGE_ROWS} of {PAGE_ROWS + 5}" in text
    table = text[text.index("Agencies 1 to") :]  # past the agency filter's options
    assert table.index("Agency 24") < table.index("Agency 23")
    assert "Agency 04" not in table  # on the second page
    html = first.get_data(as_text=True)
    assert 'class="govuk-pagination' in html and "agency_page=2#actions" in html
    second_text = page_text(second)
    second_table = second_text[second_text.index(f"Agencies {PAGE_ROWS + 1} to {PAGE_ROWS + 5}") :]
    assert "Agency 04" in second_table and "Agency 24" not in second_table
    csv_rows = list(
        csv.reader(io.StringIO(client.get("/dashboard/export/actions-by-agency.csv").text))
    )
    assert len(csv_rows) == 1 + PAGE_ROWS + 5


@pytest.fixture
def elsewhere(app: Flask, data: dict[str, int]) -> None:
    """A second partnership with a completed action, ELSE-1, beside the data's DASH-2."""
    with app.app_context():
        other = factories.partnership(short_name="ELSE")
        elsewhere = factories.agency(name="Elsewhere Police")
        factories.action(
            elsewhere,
            factories.finding(factories.review(other)),
            reference="ELSE-1",
            status=ActionStatus.COMPLETED,
        )
        db.session.commit()


@pytest.mark.usefixtures("elsewhere")
def test_chair_of_one_partnership_opens_on_its_figures(app: Flask, data: dict[str, int]) -> None:
    with app.app_context():
        chair = factories.user(Role.CHAIR)
        chair.partnerships = [db.session.get(Partnership, data["partnership"])]
        email = chair.email
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, email).status_code == 302

    # Completed actions not yet assured are listed by reference.
    opened = client.get("/dashboard")
    assert f'<option value="{data["partnership"]}" selected>' in opened.get_data(as_text=True)
    assert "DASH-2" in page_text(opened)
    assert "ELSE-1" not in page_text(opened)

    everything = page_text(client.get("/dashboard?partnership="))
    assert "ELSE-1" in everything
    assert "DASH-2" in everything


@pytest.mark.usefixtures("elsewhere")
def test_national_chair_opens_on_every_partnership(
    client_for: Callable[..., FlaskClient],
) -> None:
    text = page_text(client_for(Role.CHAIR).get("/dashboard"))
    assert "ELSE-1" in text
    assert "DASH-2" in text


def test_agency_filter_is_typed_nationally_and_chosen_within_a_partnership(
    app: Flask, data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    """For all partnerships the agency is a text input (no drop-down of every agency in the
    country); once a partnership is chosen, a drop-down of the agencies owning its
    actions. The agency chosen in one carries over to the other."""
    with app.app_context():
        elsewhere = factories.agency(name="Farshire Health")  # owns actions elsewhere only
        factories.action(elsewhere, reference="FAR-1", due_date=london_today() - timedelta(days=3))
        db.session.commit()
    client = client_for(Role.CHAIR)

    national = client.get("/dashboard?partnership=")
    html = national.get_data(as_text=True)
    assert 'id="agency_name" name="agency_name" type="text"' in html
    assert 'id="agency"' not in html
    assert "Farshire Health" in page_text(national)  # in the national figures

    # Typed in any case: the figures are that agency's; the field keeps the name.
    typed = client.get("/dashboard?partnership=&agency_name=  dashshire POLICE ")
    text = page_text(typed)
    assert "DASH-2" in text and "Farshire Health" not in text
    assert 'value="Dashshire Police"' in typed.get_data(as_text=True)
    csv_text = client.get(
        "/dashboard/export/actions-by-agency.csv?partnership=&agency_name=dashshire police"
    ).get_data(as_text=True)
    assert "Dashshire Police" in csv_text and "Farshire Health" not in csv_text

    # A name that matches no agency: an error beside the field, linked from the summary,
    # and the figures for every agency.
    wrong = client.get("/dashboard?partnership=&agency_name=Dashshire Polise")
    assert wrong.status_code == 200
    html = wrong.get_data(as_text=True)
    assert "govuk-error-summary" in html and 'href="#agency_name"' in html
    assert "No agency is called Dashshire Polise" in page_text(wrong)
    assert "Farshire Health" in page_text(wrong)

    # Within the partnership: a drop-down of its agencies only, the chosen one selected.
    scoped = client.get(
        f"/dashboard?partnership={data['partnership']}&agency_name=Dashshire Police"
    ).get_data(as_text=True)
    assert 'id="agency_name"' not in scoped
    assert f'<option value="{data["agency"]}" selected>Dashshire Police</option>' in scoped
    assert "Farshire Health" not in scoped
    # And back to all partnerships with the agency kept, as the name.
    back = client.get(f"/dashboard?partnership=&agency={data['agency']}").get_data(as_text=True)
    assert 'value="Dashshire Police"' in back


def test_an_ended_year_is_shown_as_at_its_end(
    data: dict[str, int], client_for: Callable[..., FlaskClient]
) -> None:
    """Issue 18: last year's page says its figures are as at its end, and the scorecard of
    that year does not count this year's actions."""
    last_year = BusinessYear(THIS_YEAR.start_year - 1)
    client = client_for(Role.CHAIR)
    query = f"partnership={data['partnership']}&year={last_year.start_year}"
    text = page_text(client.get(f"/dashboard?{query}"))
    assert f"figures are as at {last_year.end.day} {last_year.end:%B %Y}" in text
    scorecard = page_text(client.get(f"/dashboard/scorecard?{query}"))
    assert f"as they stood on {last_year.end.day} {last_year.end:%B %Y}" in scorecard
    # Its actions were added this year: none in last year's table (the name is still in
    # the agency filter's choices, before the table).
    assert "None in this selection" in scorecard
    now = page_text(client.get(f"/dashboard/scorecard?partnership={data['partnership']}"))
    assert "None in this selection" not in now
