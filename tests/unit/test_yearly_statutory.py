"""The yearly report's statutory sections (issue 18, item 5), against a hand-computed year.

Business year 2021/22 (1 April 2021 to 31 March 2022), as at 31 March 2022. Two
partnerships: a children's partnership (STAT-C) and a safeguarding adults board (STAT-A).
Every figure below was counted by hand from the fixture; "later" means after 31 March 2022,
so outside the year, and the report must not see it.

Reviews and decisions (decisions on reviews and their reasons)
  STAT-C RR-2021-01  rapid review started 1 Apr 2021; decided 31 Mar 2022: commission an
                     LCSPR, signed off by the lead safeguarding partner      -> in the year
  STAT-C RR-2021-02  started 10 Mar 2022; decided 1 Apr 2022 (later)         -> awaiting
  STAT-C RR-2020-09  started 1 Feb 2021; decided 15 Apr 2021: no further review,
                     no sign-off recorded                                     -> in the year
  STAT-C RR-2020-08  started 1 Jan 2021; decided 31 Mar 2021                 -> before
  STAT-C LCSPR-2021-01 started 1 Jun 2021; its outcome "Report published" recorded
                     1 Mar 2022: an outcome, not a decision on a review       -> not counted
  STAT-C SIN-2021-01 notification started 25 Mar 2022
  STAT-A SAR-2021-01 started 1 May 2021; decided 20 May 2021: mandatory SAR
  STAT-A SAR-2021-02 started 1 Jun 2021; decided 15 Jun 2021: no SAR
So STAT-C: two decisions, one not to review; all partnerships: four, two not to review.

Deadlines (STAT-C; timeliness against each clock)
  RR-2021-01  Send to the Panel, due 22 Apr 2021, met 20 Apr 2021          -> on time
  RR-2021-02  Send to the Panel, due 30 Mar 2022, met 5 Apr 2022 (later)   -> missed, open
  RR-2020-09  Send to the Panel, due 20 Feb 2021                            -> not in the year
  LCSPR-2021-01 Complete and publish, due 1 Dec 2021, met 10 Jan 2022       -> met late
  SIN-2021-01 Notify the national Panel, due 31 Mar 2022, unmet             -> not yet due
So four deadlines: one on time, one late, one missed and still open, one not yet due.

Actions (STAT-C, answering LCSPR-2021-01's findings: F fathers and male carers, S
information sharing; areas of little or no progress)
  S1 Police, F, due 31 Dec 2021, in progress (update 1 Jul 2021)   -> overdue: stalled
  S2 Health, F and S, due 30 Jun 2022, no update                   -> no progress: stalled
  S3 Police, S, due 30 Jun 2022, progress update 1 Mar 2022        -> progressing
  S4 Police, S, due 30 Jun 2022, progress update 1 Apr 2022 (later) -> no progress: stalled
  S5 Police, F, completed 1 Feb 2022                               -> finished
  S6 Police, F, closed not implemented 10 Mar 2022                 -> general section only
So three stalled: one overdue, two with no update; fathers and male carers two (S1, S2),
information sharing two (S2, S4).

Actions (STAT-A, answering SAR-2021-01's finding; SAR findings not implemented)
  C1 closed not implemented 1 Mar 2022, "The provider closed; the service was re-tendered"
  C2 closed not implemented 5 Apr 2022 (later); C3 closed 31 Mar 2021 (before)
So one.

Family involvement log (feedback from children and families), reviews of STAT-C
  LCSPR-2021-01 Mother of Child Q   invited 1 Jul 2021, consent given, views used
                Father of Child Q   invited 1 Jul 2021, consent withheld
                Child Q             invited 31 Mar 2022, awaiting a reply
                Grandmother ...     invited 1 Apr 2022 (later)             -> not counted
                Aunt ...            not invited, not asked                 -> not counted
  RR-2021-01    Mother of Child Q   invited 1 May 2021, consent given, views used
So four invited to two reviews: two gave consent, one withheld it, one not yet replied;
the views of two were used.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    Finding,
    Partnership,
    PartnershipKind,
    Review,
    Theme,
)
from sgreviews.models.action import UpdateKind
from sgreviews.models.review import Consent, FamilyInvolvement, ReviewDeadline, ReviewDecision
from sgreviews.review_types import ReviewTypeConfigError, load_review_types, parse_review_types
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports import formats as report_formats
from sgreviews.services.reports.yearly import build_yearly_report
from sgreviews.settings import PROJECT_ROOT
from tests import factories

TYPES = load_review_types(PROJECT_ROOT / "config" / "review_types.toml")
YEAR = BusinessYear(2021)
AFTER = date(2022, 4, 20)
SAR_TITLE = "Safeguarding Adults Review findings not implemented (Care Act 2014 section 44)"


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 11, tzinfo=UTC)


def decide(review: Review, on: date, outcome: str, rationale: str, **extra: object) -> None:
    review.decisions.append(
        ReviewDecision(decided_on=on, outcome=outcome, rationale=rationale, **extra)
    )


def deadline(review: Review, key: str, name: str, due: date, met: date | None = None) -> None:
    review.deadlines.append(
        ReviewDeadline(
            clock_key=key, name=name, start_on=due, due_on=due, met_on=met,
            rule="fixture", calendar="ENG",
        )
    )  # fmt: skip


def update(
    action: Action,
    when: datetime,
    status: ActionStatus,
    previous: ActionStatus,
    kind: UpdateKind = UpdateKind.PROGRESS,
    note: str = "Progress",
) -> None:
    action.updates.append(
        ActionUpdate(created_at=when, status=status, previous_status=previous, kind=kind, note=note)
    )
    action.status = status


def new_action(agency: Agency, finding: Finding, reference: str, due: date) -> Action:
    return factories.action(
        agency, finding, reference=reference, created_at=at(2021, 6, 1),
        updated_at=at(2021, 6, 1), due_date=due, action_text=f"Action {reference}",
    )  # fmt: skip


def family(review: Review, person: str, invited: date | None, consent: Consent, used: str) -> None:
    review.family_log.append(
        FamilyInvolvement(person=person, invited_on=invited, consent=consent, views_used=used)
    )


class Made:
    children: Partnership
    adults: Partnership


@pytest.fixture
def made(ctx: None) -> Made:
    result = Made()
    children = result.children = factories.partnership(short_name="STAT-C")
    adults = result.adults = factories.partnership(
        short_name="STAT-A", name="Testshire Safeguarding Adults Board", kind=PartnershipKind.ADULTS
    )

    def review(where: Partnership, reference: str, review_type: str, started: date) -> Review:
        return factories.review(
            where, reference=reference, review_type=review_type, started_on=started,
            subject_label="Child Q",
        )  # fmt: skip

    rapid = review(children, "RR-2021-01", "rapid_review", date(2021, 4, 1))
    decide(
        rapid, date(2022, 3, 31), "lcspr", "Agencies did not share what they knew",
        signed_off_by_role="lead", signed_off_by_name="Sam Partner",
    )  # fmt: skip
    deadline(rapid, "rapid_review", "Send the rapid review to the Panel", date(2021, 4, 22),
             date(2021, 4, 20))  # fmt: skip
    awaiting = review(children, "RR-2021-02", "rapid_review", date(2022, 3, 10))
    decide(awaiting, date(2022, 4, 1), "no_further_review", "Decided after the year")
    deadline(awaiting, "rapid_review", "Send the rapid review to the Panel", date(2022, 3, 30),
             date(2022, 4, 5))  # fmt: skip
    older = review(children, "RR-2020-09", "rapid_review", date(2021, 2, 1))
    decide(older, date(2021, 4, 15), "no_further_review", "Single-agency learning only")
    deadline(older, "rapid_review", "Send the rapid review to the Panel", date(2021, 2, 20))
    oldest = review(children, "RR-2020-08", "rapid_review", date(2021, 1, 1))
    decide(oldest, date(2021, 3, 31), "lcspr", "Decided before the year")
    lcspr = review(children, "LCSPR-2021-01", "lcspr", date(2021, 6, 1))
    decide(lcspr, date(2022, 3, 1), "published", "An outcome, not a decision")
    deadline(lcspr, "completion", "Complete and publish", date(2021, 12, 1), date(2022, 1, 10))
    notification = review(
        children, "SIN-2021-01", "serious_incident_notification", date(2022, 3, 25)
    )
    deadline(notification, "notification", "Notify the national Panel", date(2022, 3, 31))
    sar = review(adults, "SAR-2021-01", "sar", date(2021, 5, 1))
    decide(sar, date(2021, 5, 20), "mandatory_sar", "Adult S died; agencies' work a concern")
    declined = review(adults, "SAR-2021-02", "sar", date(2021, 6, 1))
    decide(declined, date(2021, 6, 15), "no_sar", "No concern about how agencies worked")

    fathers = Theme(key="stat_fathers", name="Fathers and male carers")
    sharing = Theme(key="stat_sharing", name="Information sharing")
    on_fathers = factories.finding(lcspr, themes=[fathers], position=1)
    on_sharing = factories.finding(lcspr, themes=[sharing], position=2)
    police = factories.agency(name="Testshire Police")
    health = factories.agency(name="Testshire Health")
    s1 = new_action(police, on_fathers, "STAT-S1", date(2021, 12, 31))
    update(s1, at(2021, 7, 1), ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED)
    s2 = new_action(health, on_fathers, "STAT-S2", date(2022, 6, 30))
    s2.findings.append(on_sharing)
    s3 = new_action(police, on_sharing, "STAT-S3", date(2022, 6, 30))
    update(s3, at(2022, 3, 1), ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED)
    s4 = new_action(police, on_sharing, "STAT-S4", date(2022, 6, 30))
    update(s4, at(2022, 4, 1), ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED)
    s5 = new_action(police, on_fathers, "STAT-S5", date(2022, 1, 31))
    update(s5, at(2022, 2, 1), ActionStatus.COMPLETED, ActionStatus.NOT_STARTED)
    s6 = new_action(police, on_fathers, "STAT-S6", date(2022, 6, 30))
    update(
        s6, at(2022, 3, 10), ActionStatus.CLOSED_NOT_IMPLEMENTED, ActionStatus.NOT_STARTED,
        UpdateKind.CLOSED, "Superseded by the regional procedure",
    )  # fmt: skip

    on_sar = factories.finding(sar, position=1)
    for reference, closed, reason in (
        ("STAT-C1", at(2022, 3, 1), "The provider closed; the service was re-tendered"),
        ("STAT-C2", at(2022, 4, 5), "Closed after the year"),
        ("STAT-C3", at(2021, 3, 31), "Closed before the year"),
    ):
        closing = factories.action(
            police, on_sar, reference=reference, created_at=at(2021, 1, 5),
            updated_at=at(2021, 1, 5), due_date=date(2022, 12, 31),
            action_text=f"Action {reference}",
        )  # fmt: skip
        update(
            closing, closed, ActionStatus.CLOSED_NOT_IMPLEMENTED, ActionStatus.NOT_STARTED,
            UpdateKind.CLOSED, reason,
        )  # fmt: skip

    family(lcspr, "Mother of Child Q", date(2021, 7, 1), Consent.GIVEN, "Framed the chronology")
    family(lcspr, "Father of Child Q", date(2021, 7, 1), Consent.WITHHELD, "")
    family(lcspr, "Child Q", date(2022, 3, 31), Consent.AWAITED, "")
    family(lcspr, "Grandmother of Child Q", date(2022, 4, 1), Consent.GIVEN, "Later")
    family(lcspr, "Aunt of Child Q", None, Consent.NOT_ASKED, "")
    family(rapid, "Mother of Child Q", date(2021, 5, 1), Consent.GIVEN, "Her account was used")
    db.session.flush()
    return result


def report_text(partnership: Partnership | None, today: date = AFTER, public: bool = False) -> str:
    return report_formats.to_markdown(
        build_yearly_report(YEAR, TYPES, partnership=partnership, public=public, today=today)
    )


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n")[1].split("\n## ")[0]


def titles(text: str) -> list[str]:
    return [line[3:] for line in text.splitlines() if line.startswith("## ")]


def test_sections_in_the_statutory_order(made: Made) -> None:
    common = [
        "Reviews undertaken",
        "Decisions on reviews and their reasons",
        "Reviews carried over",
        "Reviews completed",
        "Reviews published",
        "Timeliness against each clock",
        "What we learned",
        "Good practice",
        "Learning that recurred",
        "National reviews tabled",
        "Action plans and evidence of impact",
        "Areas of little or no progress",
        "Findings not implemented",
    ]
    tail = ["How learning was shared and its reach", "Feedback from children and families"]
    # A children's partnership runs no Safeguarding Adults Reviews: no Care Act section.
    assert titles(report_text(made.children)) == [*common, *tail]
    assert titles(report_text(made.adults)) == [*common, SAR_TITLE, *tail]
    assert titles(report_text(None)) == [*common, SAR_TITLE, *tail]


def test_decisions_of_the_year_with_reasons(made: Made) -> None:
    text = section(report_text(made.children), "Decisions on reviews and their reasons")
    assert (
        "Between 1 April 2021 and 31 March 2022 the partnership recorded two decisions on "
        "whether to hold a review (rapid reviews: two)." in text
    )
    assert (
        "One was a decision not to review (no further review). The reasons recorded for each "
        "decision are below." in text
    )
    assert (
        "| RR-2020-09 | Rapid review | 15 April 2021 | No further review | "
        "Single-agency learning only | Not recorded |" in text
    )
    assert (
        "| RR-2021-01 | Rapid review | 31 March 2022 | Commission a local child safeguarding "
        "practice review | Agencies did not share what they knew | "
        "Sam Partner (the lead safeguarding partner) |" in text
    )
    # 1 April 2022 and 31 March 2021 are outside the year; an LCSPR's outcome is no decision.
    for outside in ("RR-2021-02", "RR-2020-08", "LCSPR-2021-01"):
        assert outside not in text
    everyone = section(report_text(None), "Decisions on reviews and their reasons")
    assert (
        "recorded four decisions on whether to hold a review (rapid reviews: two; SARs: two)"
        in (everyone)
    )
    assert (
        "Two were decisions not to review (criteria not met: no SAR; no further review)."
        in everyone
    )


def test_undertaken_reads_what_each_deciding_type_led_to(made: Made) -> None:
    text = section(report_text(made.children), "Reviews undertaken")
    assert (
        "the partnership undertook two rapid reviews, one LCSPR and one serious incident "
        "notification; one is awaiting a decision; in one of them, an LCSPR was "
        "commissioned." in text
    )
    everyone = section(report_text(None), "Reviews undertaken")
    assert (
        "undertook two rapid reviews, two SARs, one LCSPR and one serious incident "
        "notification; one rapid review is awaiting a decision; in one of the rapid reviews, "
        "an LCSPR was commissioned; in one of the SARs, the decision was: mandatory SAR; in "
        "one of the SARs, the decision was: criteria not met: no SAR." in everyone
    )


def test_timeliness_against_each_clock(made: Made) -> None:
    text = section(report_text(made.children), "Timeliness against each clock")
    assert (
        "Four statutory deadlines fell due in the year. On 31 March 2022, one was met on "
        "time, one late, and one was missed and still open; one was not yet due or paused "
        "for proceedings." in text
    )
    assert (
        "The clocks most often met late or missed were: Complete and publish (LCSPRs) and "
        "Send the rapid review to the Panel (rapid reviews)." in text
    )
    assert "| LCSPR | Complete and publish | 1 | 0 | 1 | 0 | 0 |" in text
    # RR-2021-02 was met on 5 April 2022: on 31 March it was missed and still open.
    assert "| Rapid review | Send the rapid review to the Panel | 2 | 1 | 0 | 1 | 0 |" in text
    assert "| Serious incident notification | Notify the national Panel | 1 | 0 | 0 | 0 | 1 |" in (
        text
    )


def test_areas_of_little_or_no_progress(made: Made) -> None:
    text = section(report_text(made.children), "Areas of little or no progress")
    assert (
        "On 31 March 2022, three open actions of the year had made little or no progress: "
        "one past the due date, and two with no progress update recorded in the year (an "
        "action can be both)." in text
    )
    assert (
        "The themes with most such actions were fathers and male carers (two) and "
        "information sharing (two)." in text
    )
    for row in (
        "| Fathers and male carers | Testshire Health | 1 | 0 | 1 |",
        "| Fathers and male carers | Testshire Police | 1 | 1 | 0 |",
        "| Information sharing | Testshire Health | 1 | 0 | 1 |",
        "| Information sharing | Testshire Police | 1 | 0 | 1 |",
    ):
        assert row in text
    public = section(report_text(made.children, public=True), "Areas of little or no progress")
    assert "| Theme | Actions | Past the due date | No progress update in the year |" in public
    assert "| Fathers and male carers | fewer than 5 | fewer than 5 | fewer than 5 |" in public
    assert "Testshire" not in public


def test_sar_findings_not_implemented(made: Made) -> None:
    text = report_text(made.adults)
    care_act = section(text, SAR_TITLE)
    assert (
        "One action answering findings of the SARs was closed without being implemented in "
        "the year." in care_act
    )
    assert (
        "| SAR-2021-01 | STAT-C1 | Action STAT-C1 | "
        "The provider closed; the service was re-tendered |" in care_act
    )
    assert "STAT-C2" not in care_act and "STAT-C3" not in care_act
    # The general section keeps every closure of the year.
    assert "STAT-C1" in section(text, "Findings not implemented")
    assert "STAT-S6" not in section(report_text(None), SAR_TITLE)
    public = section(report_text(made.adults, public=True), SAR_TITLE)
    assert "SAR-2021-01" not in public and "| STAT-C1 |" not in public
    assert "| Action STAT-C1 | The provider closed; the service was re-tendered |" in public


def test_feedback_from_children_and_families(made: Made) -> None:
    text = section(report_text(made.children), "Feedback from children and families")
    assert (
        "Between 1 April 2021 and 31 March 2022 four children, adults or family members "
        "were invited to contribute to two reviews: two gave consent, one withheld it and "
        "one had not yet replied." in text
    )
    assert "The views of two of them were used in the reviews." in text
    assert "| LCSPR-2021-01 | 3 | 1 | 1 | 1 | 0 | 1 |" in text
    assert "| RR-2021-01 | 1 | 1 | 0 | 0 | 0 | 1 |" in text
    public = section(report_text(made.children, public=True), "Feedback from children and families")
    assert "fewer than 5 children, adults or family members were invited to contribute" in public
    assert "| Consent given | fewer than 5 |" in public
    for version in (text, public):
        for identifying in ("Mother", "Father", "Child Q", "Grandmother", "Aunt"):
            assert identifying not in version
    assert "LCSPR-2021-01" not in public


def test_public_version_counts_decisions_only(made: Made) -> None:
    text = report_text(None, public=True)
    decisions = section(text, "Decisions on reviews and their reasons")
    assert (
        "the partnership recorded fewer than 5 decisions on whether to hold a review "
        "(rapid reviews: fewer than 5; SARs: fewer than 5)." in decisions
    )
    assert "| Rapid review | No further review | fewer than 5 |" in decisions
    for private in ("RR-2020-09", "Single-agency", "Sam Partner", "Adult S", "Child Q"):
        assert private not in text
    timeliness = section(text, "Timeliness against each clock")
    assert "| Rapid review | Send the rapid review to the Panel | fewer than 5 |" in timeliness


def test_the_year_reads_the_same_when_reopened_later(made: Made) -> None:
    for partnership in (made.children, made.adults, None):
        for public in (False, True):
            assert report_text(partnership, date(2027, 6, 1), public) == report_text(
                partnership, AFTER, public
            )


def test_no_review_flag_is_validated() -> None:
    table = {
        "types": {
            "x": {
                "name": "X",
                "stages": ["a"],
                "outcomes": [{"key": "o", "label": "O", "no_review": "yes"}],
            }
        }
    }
    with pytest.raises(ReviewTypeConfigError, match=r"outcomes\[0\].no_review must be true"):
        parse_review_types(table, "t.toml")
    table["types"]["x"]["outcomes"][0]["no_review"] = True
    assert parse_review_types(table, "t.toml")["x"].outcomes[0].no_review
    assert TYPES["sar"].reports_findings_not_implemented
    assert not TYPES["lcspr"].reports_findings_not_implemented
