"""Issue 18's "Done when", in a real browser: a past business year (2021/22) entered by
hand for a new fictional partnership, marked as history, the reminder run proven silent
about it, the chair's yearly report checked against hand-computed figures and signed
off, then later years' data entered and the signed report and the re-computed 2021/22
figures proven unchanged. Everything is entered through the pages; the database is only
read (and the daily reminder run started in-process) to prove that nobody was reminded.

The year, as a person would enter it from a published report (Wexcombe Safeguarding
Children Partnership, fictional; go-live 1 April 2026):

- Child F, an LCSPR decided and started 7 September 2020: in progress 1 October 2020,
  draft report 1 February 2021, final report 15 March 2021, so at the final report
  stage on 31 March 2021; published 28 June 2021 (which completes it).
- Child G, an LCSPR decided and started 2 November 2020: in progress 1 December 2020,
  draft report 1 March 2021 (at the draft report stage on 31 March 2021), final report
  10 January 2022 (still not completed: entering a stage never completes a review).
- Child H: the local authority became aware 5 May 2021 and notified the Panel 7 May
  2021; rapid review started 10 May 2021; decision on 24 May 2021 to commission an
  LCSPR (sent to the Panel 25 May, reply 8 June); the LCSPR (started on the decision
  day) commissioned 14 June 2021, in progress from 1 July 2021.
- Child L: aware 6 October 2021, notified 8 October 2021; rapid review started 11
  October 2021; decision 27 October 2021 to commission an LCSPR, commissioned 15
  November 2021.
- Child F's findings: two learning points (professional curiosity; fathers and male
  carers) and a strength (voice and lived experience of the child).
- Three actions, all added to the plan on 1 July 2021: A1 (police, due 31 December
  2021) in progress 1 September 2021, completed with evidence 15 December 2021, assured
  20 January 2022; A2 (ICB, due 28 February 2022) in progress 1 November 2021; A3
  (children's social care, due 31 January 2022) closed not implemented 10 February 2022.

Hand-computed figures of the 2021/22 report (as at 31 March 2022):

- undertaken: six reviews started in the year: two LCSPRs (Child H's and Child L's,
  started on their decisions), two rapid reviews and two serious incident
  notifications; both rapid reviews commissioned an LCSPR;
- carried over: two (Child F's and Child G's LCSPRs), one at the draft report stage
  and one at the final report stage on 31 March 2021;
- completed: one (Child F's, by its publication on 28 June 2021); Child G's reached
  final report but is not completed; published: one;
- learning: fathers and male carers, and professional curiosity (one finding each);
  the strength is reported as good practice (one strength, voice and lived experience
  of the child), never as learning;
- actions: three live in the year, three added, three falling due, one completed with
  evidence, one assured; on 31 March 2022 one open (A2), one of them past its due
  date; no evidence of impact; one closed not implemented (A3) with its reason.

Later years entered after the sign-off: an LCSPR started 15 May 2023 (Child M); a new
action on Child F's first finding added 20 April 2023; A2 completed with evidence
effective 10 May 2023 and assured effective 1 June 2023; Child H's LCSPR moved to draft
report effective 3 July 2023. None of these may change the signed report (its page, its
Markdown file byte for byte, its PDF's text) nor the live 2021/22 figures.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import ActionUpdate, Notification, OutboxMessage, ReminderLedgerEntry
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.demo import core as demo
from tests.conftest import make_test_app
from tests.databases import fresh_database
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.helpers import axe_violations, sign_in

PARTNERSHIP = "Wexcombe Safeguarding Children Partnership"
SECRETARIAT = "secretariat@sgreviews.example"
CHAIR = "chair@sgreviews.example"
ADMIN = "admin@sgreviews.example"
GO_LIVE = date(2026, 4, 1)
SHOTS = ARTIFACTS / "past-year"
YEAR_LINE = "1 April 2021 to 31 March 2022."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    """The demo on a database of its own (signing off changes what other modules read),
    with the app at hand to start the reminder run and read what it produced."""
    instance = tmp_path_factory.mktemp("e2e-pastyear-instance")
    url = fresh_database(tmp_path_factory.mktemp("e2e-pastyear-db"), suffix="_e2e_pastyear")
    app = make_test_app(url, instance, WTF_CSRF_ENABLED="1")
    with app.app_context():
        upgrade()
        demo.load_demo(app.extensions["sgreviews.settings"].config_dir)
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", app
    http.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def page(browser: Browser, server: tuple[str, Flask]) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server[0], viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    yield context.new_page()
    context.close()


# Steps ---------------------------------------------------------------------------------


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, f"past-year/{name}")


def _date(page: Page, field: str, day: date) -> None:
    page.fill(f"#{field}-day", str(day.day))
    page.fill(f"#{field}-month", str(day.month))
    page.fill(f"#{field}-year", str(day.year))


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def _id_in(url: str, kind: str) -> int:
    found = re.search(rf"/{kind}/(\d+)", url)
    assert found is not None, url
    return int(found.group(1))


def _reference(page: Page) -> str:
    """The review's reference, from its page's heading ("LCSPR-2020-01: Child F")."""
    return page.get_by_role("heading", level=1).inner_text().split(":")[0].strip()


def _new_lcspr(page: Page, subject: str, started: date) -> tuple[int, str]:
    page.goto("/reviews/new")
    page.get_by_label("Type of review").select_option(
        label="Local Child Safeguarding Practice Review"
    )
    page.get_by_label("Partnership", exact=True).select_option(label=PARTNERSHIP)
    page.get_by_label("Subject (pseudonymised)").fill(subject)
    _date(page, "started_on", started)
    _date(page, "decision_on", started)
    page.get_by_role("button", name="Create the review").click()
    expect(page.get_by_text("Review created.")).to_be_visible()
    return _id_in(page.url, "reviews"), _reference(page)


def _move(page: Page, review_id: int, stage: str, day: date) -> None:
    page.goto(f"/reviews/{review_id}/stage")
    page.get_by_label(stage, exact=True).check()
    _date(page, "moved_on", day)
    page.get_by_role("button", name="Move the review").click()
    expect(page.locator("p").filter(has_text="Stage:")).to_contain_text(stage)


def _commission(page: Page, day: date) -> None:
    """From the commissioning form the decision led to."""
    expect(page.get_by_role("heading", level=1, name="Commission the review")).to_be_visible()
    _date(page, "commissioned_on", day)
    page.get_by_label("Reviewer or author").fill("Independent reviewer (fictional)")
    page.get_by_label("Systems / Learning Together").check()
    page.get_by_role("button", name="Save commissioning").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LCSPR-2021-")


def _notification_to_lcspr(
    page: Page, subject: str, aware: date, notified: date, started: date, decided: date
) -> list[tuple[int, str]]:
    """A notification, its rapid review and the decision commissioning an LCSPR; the
    three reviews' ids and references, in that order."""
    page.goto("/reviews/new-notification")
    page.get_by_label("Partnership").select_option(label=PARTNERSHIP)
    page.get_by_label("Subject (pseudonymised)").fill(subject)
    _date(page, "aware_on", aware)
    _date(page, "notified_on", notified)
    page.get_by_role("button", name="Log the notification").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SIN-2021-")
    made = [(_id_in(page.url, "reviews"), _reference(page))]
    page.get_by_role("link", name="Start the rapid review").click()
    _date(page, "started_on", started)
    page.get_by_role("button", name="Start the rapid review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RR-2021-")
    made.append((_id_in(page.url, "reviews"), _reference(page)))
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Commission a local child safeguarding practice review").check()
    _date(page, "decided_on", decided)
    page.get_by_label("Rationale").fill("Criteria met: learning about multi-agency working.")
    _date(page, "sent_to_panel_on", date(decided.year, decided.month, decided.day + 1))
    page.get_by_label("A delegated safeguarding partner").check()
    page.get_by_label("Name of the partner who signed it off").fill("Director Q (fictional)")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Start the local child safeguarding")).click()
    made.append((_id_in(page.url, "reviews"), ""))
    return made


def _finding(page: Page, review_id: int, kind: str, text: str, theme: str) -> None:
    page.goto(f"/reviews/{review_id}/findings/new")
    page.get_by_label(kind).check()
    page.get_by_label("Finding", exact=True).fill(text)
    page.get_by_label(theme).check()
    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_text("added.")).to_be_visible()


def _action(
    page: Page, review_id: int, finding: int, agency: str, action: str, due: date, added: date
) -> int:
    page.goto(f"/reviews/{review_id}/findings")
    page.get_by_role("link", name=f"Add an action to finding {finding}").click()
    page.get_by_label("Outcome we want").fill("Practice changes for children like this one.")
    page.get_by_label("Action we will take").fill(action)
    page.get_by_label("How we will measure it").fill("A multi-agency audit of 20 cases.")
    page.get_by_label("Owning agency").select_option(label=agency)
    _date(page, "due_date", due)
    _date(page, "added_on", added)
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Action "))).to_be_visible()
    return _id_in(page.url, "actions")


def _progress(
    page: Page, action_id: int, status: str, note: str, day: date, evidence: Path | None = None
) -> None:
    page.goto(f"/actions/{action_id}/progress")
    page.get_by_label(status).check()
    page.get_by_label("What has happened since the last update").fill(note)
    if evidence is not None:
        page.get_by_label("Evidence files (optional)").set_input_files(str(evidence))
    _date(page, "effective_on", day)
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Progress update saved.")).to_be_visible()
    expect(page.locator(".app-history__entry", has_text=note)).to_contain_text(
        f"Effective on {day.day} {day:%B %Y}"
    )


def _decide(page: Page, action_id: int, decision: str, note: str, day: date) -> None:
    page.goto(f"/actions/{action_id}/assurance")
    page.get_by_label(decision).check()
    page.get_by_label("Note or reason").fill(note)
    _date(page, "effective_on", day)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(note).first).to_be_visible()


def _open_report(page: Page) -> None:
    page.goto("/dashboard/yearly-report")
    page.get_by_label("Partnership").select_option(label=PARTNERSHIP)
    page.get_by_label("Business year").select_option("2021")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yearly report 2021/22")


def _body(page: Page) -> str:
    """The report itself (from the line naming the year to the end), without the page's
    banners and links around it."""
    text = page.locator("main").inner_text()
    assert YEAR_LINE in text, text[:500]
    return text[text.index(YEAR_LINE) :]


def _section(page: Page, title: str) -> str:
    """The text under one of the report's headings, up to the next heading."""
    found = page.evaluate(
        """(title) => {
            const heading = [...document.querySelectorAll('main h2')]
                .find((h) => h.textContent.trim() === title);
            if (!heading) return null;
            const parts = [];
            for (let n = heading.nextElementSibling; n && n.tagName !== 'H2';
                 n = n.nextElementSibling) parts.push(n.innerText);
            return parts.join('\\n');
        }""",
        title,
    )
    assert found is not None, f"no section {title!r}"
    return str(found)


def _download(page: Page, link: str, path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link, exact=True).click()
    info.value.save_as(path)
    return path.read_bytes()


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _check_figures(page: Page, refs: dict[str, str]) -> None:
    """The 2021/22 figures against the hand-computed ones of the module's docstring."""
    undertaken = _section(page, "Reviews undertaken")
    assert (
        "Between 1 April 2021 and 31 March 2022 the partnership undertook two LCSPRs, two "
        "rapid reviews and two serious incident notifications; in both, an LCSPR was "
        "commissioned." in undertaken
    ), undertaken
    for key in ("sin1", "rr1", "lcspr_h", "sin2", "rr2", "lcspr_l"):
        assert refs[key] in undertaken, key
    assert refs["lcspr_f"] not in undertaken and refs["lcspr_g"] not in undertaken

    carried = _section(page, "Reviews carried over")
    assert (
        "Two reviews started before 1 April 2021 continued into the year: one at the draft "
        "report stage and one at the final report stage." in carried
    ), carried
    assert f"{refs['lcspr_f']}\t7 September 2020\tFinal report" in carried, carried
    assert f"{refs['lcspr_g']}\t2 November 2020\tDraft report" in carried, carried

    completed = _section(page, "Reviews completed")
    assert "One review was completed." in completed, completed
    assert f"{refs['lcspr_f']}\tLCSPR\t28 June 2021" in completed, completed
    assert refs["lcspr_g"] not in completed  # final report is not completion
    published = _section(page, "Reviews published")
    assert "One review report was published." in published, published

    learned = _section(page, "What we learned")
    assert (
        "The learning of the year's reviews was most often about fathers and "
        "male carers and professional curiosity." in learned
    ), learned
    assert "Voice and lived experience" not in learned  # a strength is not learning
    good = _section(page, "Good practice")
    assert (
        "The year's reviews recorded one strength (good practice to repeat), most often "
        "about voice and lived experience of the child." in good
    ), good

    plan = _section(page, "Action plans and evidence of impact")
    assert (
        "Three actions of the partnership's action plans were live in the year: three added, "
        "three falling due, one completed with evidence and one assured by the partnership. "
        "On 31 March 2022, one action was open, of which one was past the due date. Evidence "
        "that the change made a difference was recorded for no actions." in plan
    ), plan
    for status, count in (("Assured", 1), ("In progress", 1), ("Closed, not implemented", 1)):
        assert re.search(rf"^{status}\t{count}$", plan, re.MULTILINE), (status, plan)
    closed = _section(page, "Findings not implemented")
    assert "One action was closed without being implemented in the year." in closed, closed
    assert "The regional pre-birth protocol replaced this action." in closed, closed


# The flow --------------------------------------------------------------------------------


def test_a_past_year_entered_signed_off_and_left_unchanged(
    page: Page, server: tuple[str, Flask], tmp_path: Path
) -> None:
    _url, app = server
    today = london_today()
    assert today > GO_LIVE

    # The administrator adds the partnership with its go-live date and links the business
    # office's secretariat and chair to it (so reminders would have someone to reach).
    sign_in(page, ADMIN)
    page.goto("/admin/partnerships/new")
    page.get_by_label("Name", exact=True).fill(PARTNERSHIP)
    page.get_by_label("Short name").fill("WSCP")
    page.get_by_label("Safeguarding children partnership").check()
    page.get_by_label("Jurisdiction").select_option(label="England")
    _date(page, "go_live_on", GO_LIVE)
    _shot(page, "01-partnership-form")
    page.get_by_role("button", name="Save partnership").click()
    expect(page.get_by_text(f"{PARTNERSHIP} saved.")).to_be_visible()
    for person in ("Sam Secretariat", "Chris Chair"):
        page.goto("/admin/users")
        page.get_by_role("link", name=person).first.click()
        page.get_by_label(PARTNERSHIP).check()
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    _sign_out(page)

    # The secretariat enters the year.
    sign_in(page, SECRETARIAT)
    refs: dict[str, str] = {}
    ids: dict[str, int] = {}
    ids["lcspr_f"], refs["lcspr_f"] = _new_lcspr(page, "Child F", date(2020, 9, 7))
    _move(page, ids["lcspr_f"], "In progress", date(2020, 10, 1))
    _move(page, ids["lcspr_f"], "Draft report", date(2021, 2, 1))
    _move(page, ids["lcspr_f"], "Final report", date(2021, 3, 15))
    page.goto(f"/reviews/{ids['lcspr_f']}/publication")
    _date(page, "final_report_sent_on", date(2021, 6, 14))
    _date(page, "published_on", date(2021, 6, 28))
    page.get_by_label("Link to the published report").fill("https://example.org/child-f")
    page.get_by_label("I confirm the published report is anonymised").check()
    page.get_by_role("button", name="Record publication").click()
    expect(page.locator("p").filter(has_text="Stage:")).to_contain_text("Published")

    ids["lcspr_g"], refs["lcspr_g"] = _new_lcspr(page, "Child G", date(2020, 11, 2))
    _move(page, ids["lcspr_g"], "In progress", date(2020, 12, 1))
    _move(page, ids["lcspr_g"], "Draft report", date(2021, 3, 1))
    _move(page, ids["lcspr_g"], "Final report", date(2022, 1, 10))
    _shot(page, "02-carried-over-lcspr")

    (ids["sin1"], refs["sin1"]), (ids["rr1"], refs["rr1"]), (ids["lcspr_h"], _) = (
        _notification_to_lcspr(
            page,
            "Child H",
            date(2021, 5, 5),
            date(2021, 5, 7),
            date(2021, 5, 10),
            date(2021, 5, 24),
        )
    )
    _commission(page, date(2021, 6, 14))
    refs["lcspr_h"] = _reference(page)
    _move(page, ids["lcspr_h"], "In progress", date(2021, 7, 1))
    (ids["sin2"], refs["sin2"]), (ids["rr2"], refs["rr2"]), (ids["lcspr_l"], _) = (
        _notification_to_lcspr(
            page,
            "Child L",
            date(2021, 10, 6),
            date(2021, 10, 8),
            date(2021, 10, 11),
            date(2021, 10, 27),
        )
    )
    _commission(page, date(2021, 11, 15))
    refs["lcspr_l"] = _reference(page)
    _shot(page, "03-commissioned-lcspr")

    _finding(
        page,
        ids["lcspr_f"],
        "Learning point",
        "Practitioners accepted the teenager's account at face value.",
        "Professional curiosity",
    )
    _finding(
        page,
        ids["lcspr_f"],
        "Learning point",
        "The baby's father was never seen or assessed though he lived in the home.",
        "Fathers and male carers",
    )
    _finding(
        page,
        ids["lcspr_f"],
        "Strength / good practice",
        "The child was seen alone at school and spoke freely.",
        "Voice and lived experience of the child",
    )
    added = date(2021, 7, 1)
    a1 = _action(
        page,
        ids["lcspr_f"],
        1,
        "Northshire Police",
        "Add a prompt to strategy-discussion records.",
        date(2021, 12, 31),
        added,
    )
    a2 = _action(
        page,
        ids["lcspr_f"],
        2,
        "Northshire Integrated Care Board",
        "Health visitors see the father or male carer at the birth visit.",
        date(2022, 2, 28),
        added,
    )
    a3 = _action(
        page,
        ids["lcspr_f"],
        2,
        "Northshire Children's Social Care",
        "Pre-birth assessments record the father's history.",
        date(2022, 1, 31),
        added,
    )
    evidence = tmp_path / "Strategy discussion audit.txt"
    evidence.write_text("Audit of 20 strategy discussions (fictional).\n")
    _progress(page, a1, "In progress", "Prompt drafted with the police.", date(2021, 9, 1))
    _progress(
        page,
        a1,
        "Completed with evidence",
        "Prompt live; audit attached.",
        date(2021, 12, 15),
        evidence,
    )
    _decide(
        page,
        a1,
        "Assure: the evidence shows the action is done",
        "Audit seen at the case review subgroup.",
        date(2022, 1, 20),
    )
    # The summary says the day the assurance took effect, and when it was recorded.
    expect(
        page.get_by_text(
            re.compile(r"Assured by Sam Secretariat on 20 January 2022 \(recorded on ")
        )
    ).to_be_visible()
    _shot(page, "04-action-assured")
    _progress(page, a2, "In progress", "Training planned for health visitors.", date(2021, 11, 1))
    _decide(
        page,
        a3,
        "Close, not implemented",
        "The regional pre-birth protocol replaced this action.",
        date(2022, 2, 10),
    )
    _shot(page, "05-action-closed")

    # Every review of the year is a historical record.
    for key in ("lcspr_f", "lcspr_g", "sin1", "rr1", "lcspr_h", "sin2", "rr2", "lcspr_l"):
        page.goto(f"/reviews/{ids[key]}")
        page.get_by_role("button", name=re.compile("Mark as a historical record")).click()
        expect(page.locator("#historical-record")).to_contain_text("Historical record")
    _shot(page, "06-historical-record")
    assert axe_violations(page) == []

    # The daily reminder run: reminders for the live demo work, none for the past year.
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output + repr(result.exception)
    actions = {a1, a2, a3}
    with app.app_context():
        reviews = set(ids.values())
        deadlines = set(
            db.session.scalars(
                select(ReviewDeadline.id).where(ReviewDeadline.review_id.in_(reviews))
            )
        )
        updates = set(
            db.session.scalars(select(ActionUpdate.id).where(ActionUpdate.action_id.in_(actions)))
        )
        assert deadlines and updates
        ledger = db.session.execute(
            select(ReminderLedgerEntry.subject_type, ReminderLedgerEntry.subject_id)
        ).all()
        assert ledger, "the run reminded nothing at all: it cannot prove silence"
        ours = {
            "action": actions,
            "action_decision": updates,
            "impact_assessment": actions,
            "review_deadline": deadlines,
            "review_prepublication": reviews,
            "submission_reply": set(),
        }
        fired = [(kind, id_) for kind, id_ in ledger if id_ in ours.get(kind, set())]
        assert fired == []
        said = [
            f"{n.headline} {n.detail} {n.link_path}"
            for n in db.session.scalars(select(Notification))
        ] + [m.body_text for m in db.session.scalars(select(OutboxMessage))]
        assert said, "the run told nobody anything: it cannot prove silence"
        for text in said:
            for reference in refs.values():
                assert reference not in text, (reference, text)
            for action_id in actions:
                assert f"/actions/{action_id}" not in text
        db.session.remove()
    _sign_out(page)

    # The chair opens the year's report, checks it, signs it off.
    sign_in(page, CHAIR)
    _open_report(page)
    _check_figures(page, refs)
    live_before = _body(page)
    _shot(page, "07-report-live")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Sign off this report").click()
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.locator("#signed-off-banner")).to_contain_text("Version 1 of 1")
    signed_url = page.url
    signed_before = _body(page)
    assert signed_before == live_before
    _check_figures(page, refs)
    _shot(page, "08-report-signed")
    assert axe_violations(page) == []
    markdown_before = _download(page, "Markdown", tmp_path / "signed-before.md")
    pdf_before = tmp_path / "signed-before.pdf"
    _download(page, "PDF", pdf_before)
    info = subprocess.run(
        ["pdfinfo", str(pdf_before)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    for old in SHOTS.glob("signed-pdf-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf_before), str(SHOTS / "signed-pdf")], check=True
    )
    assert list(SHOTS.glob("signed-pdf-*.png"))
    pdf_text_before = _pdf_text(pdf_before)
    assert refs["lcspr_f"] in pdf_text_before
    _sign_out(page)

    # Later years, entered after the sign-off.
    sign_in(page, SECRETARIAT)
    _new_lcspr(page, "Child M", date(2023, 5, 15))
    new_action = _action(
        page,
        ids["lcspr_f"],
        1,
        "Northshire Police",
        "Repeat the strategy-discussion audit across the region.",
        date(2024, 3, 31),
        date(2023, 4, 20),
    )
    assert new_action not in actions
    _progress(
        page,
        a2,
        "Completed with evidence",
        "Every birth visit now records the father.",
        date(2023, 5, 10),
        evidence,
    )
    _decide(
        page,
        a2,
        "Assure: the evidence shows the action is done",
        "Re-audit seen at the subgroup in 2023.",
        date(2023, 6, 1),
    )
    _move(page, ids["lcspr_h"], "Draft report", date(2023, 7, 3))
    _shot(page, "09-later-year-action")
    _sign_out(page)

    # The signed report is as it was; so are the re-computed 2021/22 figures.
    sign_in(page, CHAIR)
    _open_report(page)  # a signed-off year opens on its signed-off version
    assert page.url.split("?")[0] == signed_url.split("?")[0]
    assert _body(page) == signed_before
    assert _download(page, "Markdown", tmp_path / "signed-after.md") == markdown_before
    pdf_after = tmp_path / "signed-after.pdf"
    _download(page, "PDF", pdf_after)
    assert _pdf_text(pdf_after) == pdf_text_before
    page.get_by_role("link", name="See the live figures worked out from today").click()
    expect(page.get_by_text("This report was signed off on")).to_be_visible()
    _check_figures(page, refs)
    assert _body(page) == live_before
    _shot(page, "10-report-live-after-later-years")
    assert axe_violations(page) == []
