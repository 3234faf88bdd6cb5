"""Every route that takes an object id, for a user of the owning agency (or partnership)
and of another: briefings (their versions, reads, PDF and public pages), evidence
downloads, extension requests, the challenge log, signed-off yearly reports, snoozes,
calendar feed tokens, import previews, password links, users, agencies and closure days.
Routes that take only a review, finding or action are covered by ``test_object_access.py``.

The routes are read from the URL map: a route that takes an id and has no entry in
``CASES`` (or in ``test_object_access``) fails ``test_every_object_route_is_covered``, so
a new route cannot slip past. Budgets, notifications and audit entries have no route
that takes an id (they are found by year, by user and by filter), so nothing here names
them; the day one gets such a route, this test asks for its case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sgreviews.extensions import db
from sgreviews.models import (
    ActionSnooze,
    ApiScope,
    Challenge,
    ExtensionRequest,
    PartnershipBriefingSettings,
    Role,
    SignedReport,
    User,
)
from sgreviews.models.review import ExtraClosureDay
from sgreviews.services import submissions
from sgreviews.services.accounts import api_tokens
from sgreviews.services.accounts import tokens as account_tokens
from sgreviews.services.actions import evidence
from sgreviews.services.national_reviews import register as national_reviews
from sgreviews.services.notifications import preferences
from tests import factories
from tests.briefing_helpers import draft_briefing, published_briefing
from tests.integration.test_object_access import OBJECT_ARGUMENTS

# URL arguments that name a kind of file or report, not an object.
NOT_OBJECT_ARGUMENTS = {"filename", "file_type", "format", "key"}

# Who asks. "lead" and "practitioner" belong to the agency that owns the "own" objects.
LEAD, PRACTITIONER, SECRETARIAT, CHAIR, ADMIN, VISITOR = (
    "lead",
    "practitioner",
    "secretariat",
    "chair",
    "administrator",
    "visitor",
)
EVERYONE_SIGNED_IN = (LEAD, PRACTITIONER, SECRETARIAT, CHAIR, ADMIN)


@dataclass(frozen=True)
class Check:
    """``who`` asks for the object set ``whose`` ("own", "other", or "mixed": an own
    parent with another's child) by ``method``; ``reach`` says whether they get it."""

    who: str
    whose: str
    reach: bool
    method: str = "GET"


@dataclass(frozen=True)
class Case:
    arguments: Callable[[dict[str, object]], dict[str, object]]
    checks: tuple[Check, ...]
    # For token routes: text that must be on the owner's page and never on another's.
    marker: str | None = None


def refused(
    *who: str, whose: tuple[str, ...] = ("own", "other"), method: str = "GET"
) -> list[Check]:
    return [Check(person, side, False, method) for person in who for side in whose]


def reached(
    *who: str, whose: tuple[str, ...] = ("own", "other"), method: str = "GET"
) -> list[Check]:
    return [Check(person, side, True, method) for person in who for side in whose]


def _action_child(child: str) -> Callable[[dict[str, object]], dict[str, object]]:
    return lambda ids: {"action_id": ids["action_id"], child: ids[child]}


def _one(name: str, key: str | None = None) -> Callable[[dict[str, object]], dict[str, object]]:
    return lambda ids: {name: ids[key or name]}


NOT_STAFF = (LEAD, PRACTITIONER, ADMIN)
# Published briefings are a shared library: every signed-in role reads every partnership's.
READ_PUBLISHED = (
    reached(*EVERYONE_SIGNED_IN)
    + refused(LEAD, PRACTITIONER, ADMIN, CHAIR, whose=("draft",))
    + reached(SECRETARIAT, whose=("draft",))
)
SECRETARIAT_ONLY_BRIEFING = refused(
    LEAD, PRACTITIONER, ADMIN, CHAIR, whose=("own", "draft")
) + reached(SECRETARIAT, whose=("own", "draft"))
ADMIN_ONLY_USER = refused(LEAD, PRACTITIONER, SECRETARIAT, CHAIR) + reached(ADMIN)

CASES: dict[str, Case] = {
    # Agency-owned children of an action: the owning agency's lead reaches them, another
    # agency's lead does not, and a child never answers under another action's address.
    "actions.download_evidence": Case(
        _action_child("evidence_id"),
        (
            *reached(LEAD, whose=("own",)),
            *refused(LEAD, whose=("other", "mixed")),
            *refused(PRACTITIONER, ADMIN),
            *reached(SECRETARIAT, CHAIR),
            *refused(SECRETARIAT, whose=("mixed",)),
        ),
    ),
    # Corrections (issue 20): removing evidence and correcting a note are updates of the
    # action (its agency's lead, the secretariat), never under another action's address.
    "actions.remove_evidence": Case(
        _action_child("evidence_id"),
        (
            *reached(LEAD, whose=("own",)),
            *refused(LEAD, whose=("other", "mixed")),
            *refused(PRACTITIONER, CHAIR, ADMIN),
            *reached(SECRETARIAT),
            *refused(SECRETARIAT, whose=("mixed",)),
        ),
    ),
    "actions.correct_update": Case(
        _action_child("update_id"),
        (
            *reached(LEAD, whose=("own",)),
            *refused(LEAD, whose=("other", "mixed")),
            *refused(PRACTITIONER, CHAIR, ADMIN),
            *reached(SECRETARIAT),
            *refused(SECRETARIAT, whose=("mixed",)),
        ),
    ),
    # A removed file: administrators only (during the retention period), whoever owned it.
    "actions.download_removed_evidence": Case(
        _one("evidence_id", "removed_evidence_id"),
        (*refused(LEAD, PRACTITIONER, SECRETARIAT, CHAIR), *reached(ADMIN)),
    ),
    "actions.decide_extension": Case(
        _action_child("request_id"),
        (
            *refused(LEAD, PRACTITIONER, CHAIR, ADMIN),
            *refused(LEAD, SECRETARIAT, whose=("mixed",), method="POST"),
            *refused(SECRETARIAT, whose=("mixed",)),
            *reached(SECRETARIAT),
        ),
    ),
    # The chair's log of challenge: the chair and secretariat (partnership-wide roles);
    # never the agency the challenge was put to.
    "dashboard.challenge_edit": Case(
        _one("challenge_id"),
        (*refused(*NOT_STAFF), *refused(*NOT_STAFF, method="POST"), *reached(CHAIR, SECRETARIAT)),
    ),
    # Signed-off yearly reports (issue 18): the chair and secretariat read every
    # partnership's (partnership-wide roles); never an agency's staff or the administrator.
    "dashboard.signed_report": Case(
        _one("signed_id"), (*refused(*NOT_STAFF), *reached(CHAIR, SECRETARIAT))
    ),
    "dashboard.signed_report_changes": Case(
        _one("signed_id"), (*refused(*NOT_STAFF), *reached(CHAIR, SECRETARIAT))
    ),
    "dashboard.signed_report_file": Case(
        lambda ids: {"signed_id": ids["signed_id"], "file_type": "md"},
        (*refused(*NOT_STAFF), *reached(CHAIR, SECRETARIAT)),
    ),
    # Snoozes of an action's reminders: the secretariat only, never the owning agency.
    "notifications.end_snooze": Case(
        _one("snooze_id"),
        (
            *refused(LEAD, PRACTITIONER, CHAIR, ADMIN, method="POST"),
            *reached(SECRETARIAT, method="POST"),
        ),
    ),
    # Briefings: published ones are read by everyone; drafts and management by the secretariat.
    "briefings.read": Case(_one("briefing_id"), tuple(READ_PUBLISHED)),
    "briefings.pdf": Case(_one("briefing_id"), tuple(READ_PUBLISHED)),
    "briefings.version": Case(
        lambda ids: {"briefing_id": ids["briefing_id"], "number": 1},
        tuple(SECRETARIAT_ONLY_BRIEFING),
    ),
    "briefings.history": Case(_one("briefing_id"), tuple(SECRETARIAT_ONLY_BRIEFING)),
    "briefings.edit": Case(_one("briefing_id"), tuple(SECRETARIAT_ONLY_BRIEFING)),
    # The personal-data check is of the version being written: a draft.
    "briefings.check": Case(
        _one("briefing_id"),
        (
            *refused(LEAD, PRACTITIONER, ADMIN, CHAIR, whose=("own", "draft")),
            *reached(SECRETARIAT, whose=("draft",)),
        ),
    ),
    "briefings.links": Case(_one("briefing_id"), tuple(SECRETARIAT_ONLY_BRIEFING)),
    "briefings.start_new_version": Case(
        _one("briefing_id"),
        tuple(refused(LEAD, PRACTITIONER, ADMIN, CHAIR, whose=("own", "draft"), method="POST")),
    ),
    "briefings.archive": Case(
        _one("briefing_id"),
        tuple(refused(LEAD, PRACTITIONER, ADMIN, CHAIR, whose=("own", "draft"), method="POST")),
    ),
    "briefings.reach": Case(
        _one("briefing_id"),
        (*refused(LEAD, PRACTITIONER, ADMIN), *reached(SECRETARIAT, CHAIR)),
    ),
    "briefings.team_use": Case(
        _one("briefing_id"),
        (
            *reached(LEAD, PRACTITIONER),
            *refused(LEAD, PRACTITIONER, whose=("draft",)),
            *refused(ADMIN),
        ),
    ),
    # Without signing in: only a partnership that publishes its briefings ("own" does,
    # "other" does not), and never a draft.
    "briefings.public_read": Case(
        _one("briefing_id"),
        (*reached(VISITOR, whose=("own",)), *refused(VISITOR, whose=("other", "draft"))),
    ),
    "briefings.public_pdf": Case(
        _one("briefing_id"),
        (*reached(VISITOR, whose=("own",)), *refused(VISITOR, whose=("other", "draft"))),
    ),
    "briefings.public_library": Case(
        _one("short_name"),
        (*reached(VISITOR, whose=("own",)), *refused(VISITOR, whose=("other",))),
    ),
    # Secrets in the address: the owner's secret shows the owner's actions only; an
    # unknown secret is refused without a hint.
    "notifications.calendar_feed": Case(
        _one("token", "calendar_token"),
        (*reached(VISITOR), *refused(VISITOR, whose=("unknown",))),
        marker="action_reference",
    ),
    "auth.set_password_from_link": Case(
        _one("token", "password_token"),
        (*reached(VISITOR), *refused(VISITOR, whose=("unknown",))),
        marker="user_email",
    ),
    "plan.import_preview": Case(
        _one("token", "import_token"),
        (*refused(LEAD, PRACTITIONER, CHAIR, ADMIN, whose=("own",)),),
    ),
    "plan.import_rejected": Case(
        lambda ids: {"token": ids["import_token"], "format": "csv"},
        (*refused(LEAD, PRACTITIONER, CHAIR, ADMIN, whose=("own",)),),
    ),
    # Submissions to external bodies (issue 22): the secretariat records them and their
    # replies; nobody else, and never under another review's address.
    **{
        endpoint: Case(
            lambda ids: {"review_id": ids["review_id"], "submission_id": ids["submission_id"]},
            (
                *refused(LEAD, PRACTITIONER, CHAIR, ADMIN),
                *refused(LEAD, PRACTITIONER, CHAIR, ADMIN, method="POST"),
                *refused(SECRETARIAT, whose=("mixed",)),
                *reached(SECRETARIAT),
            ),
        )
        for endpoint in ("reviews.submission_reply", "reviews.resubmit")
    },
    # Administrators' screens: never another role, whoever owns the record.
    "admin.edit_user": Case(_one("user_id"), tuple(ADMIN_ONLY_USER)),
    "admin.set_password": Case(_one("user_id"), tuple(ADMIN_ONLY_USER)),
    **{
        endpoint: Case(
            _one("user_id"),
            tuple(refused(LEAD, PRACTITIONER, SECRETARIAT, CHAIR, method="POST")),
        )
        for endpoint in (
            "admin.set_user_active",
            "admin.reset_two_factor",
            "admin.set_password_link",
            "admin.email_password_link",
        )
    },
    "admin.edit_agency": Case(_one("agency_id"), tuple(ADMIN_ONLY_USER)),
    "admin.edit_partnership": Case(_one("partnership_id"), tuple(ADMIN_ONLY_USER)),
    "admin.set_agency_active": Case(
        _one("agency_id"), tuple(refused(LEAD, PRACTITIONER, SECRETARIAT, CHAIR, method="POST"))
    ),
    # Issue 21: revoking an API token: only its owner; anyone else's attempt is a 404.
    "api_tokens.revoke": Case(
        _one("token_id", "api_token_id"),
        (
            *reached(LEAD, whose=("own",), method="POST"),
            *refused(LEAD, whose=("other",), method="POST"),
            *refused(PRACTITIONER, SECRETARIAT, CHAIR, ADMIN, method="POST"),
        ),
    ),
    # National reviews tabled (issue 18, item 5): the secretariat (serving every
    # partnership here) and the administrator keep the register; the chair reads it;
    # agencies' staff never see it; an entry never answers under another partnership.
    "national_reviews.register_of": Case(
        _one("partnership_id"),
        (*refused(LEAD, PRACTITIONER), *reached(SECRETARIAT, CHAIR, ADMIN)),
    ),
    "national_reviews.new_entry": Case(
        _one("partnership_id"),
        (
            *refused(LEAD, PRACTITIONER, CHAIR),
            *refused(LEAD, PRACTITIONER, CHAIR, method="POST"),
            *reached(SECRETARIAT, ADMIN),
        ),
    ),
    **{
        endpoint: Case(
            lambda ids: {"partnership_id": ids["partnership_id"], "entry_id": ids["tabled_id"]},
            (
                *refused(LEAD, PRACTITIONER, CHAIR),
                *refused(LEAD, PRACTITIONER, CHAIR, method="POST"),
                *refused(SECRETARIAT, ADMIN, whose=("mixed",)),
                *refused(SECRETARIAT, whose=("mixed",), method="POST"),
                *reached(SECRETARIAT, ADMIN),
            ),
        )
        for endpoint in ("national_reviews.edit_entry", "national_reviews.delete_entry")
    },
    "calendar.delete": Case(
        _one("closure_id"),
        tuple(refused(LEAD, PRACTITIONER, SECRETARIAT, CHAIR, whose=("own",), method="POST")),
    ),
}


def id_rules(app: Flask) -> dict[str, frozenset[str]]:
    """Every endpoint whose address takes something that names an object."""
    rules = {}
    for rule in app.url_map.iter_rules():
        arguments = frozenset(rule.arguments) - NOT_OBJECT_ARGUMENTS
        if arguments:
            rules[rule.endpoint] = arguments
    return rules


def test_every_object_route_is_covered(app: Flask) -> None:
    uncovered = [
        f"{endpoint} ({', '.join(sorted(arguments))})"
        for endpoint, arguments in sorted(id_rules(app).items())
        if endpoint not in CASES and not arguments <= OBJECT_ARGUMENTS
    ]
    assert not uncovered, (
        "routes that take an id with no isolation case in test_object_routes.CASES: "
        + "; ".join(uncovered)
    )
    stale = sorted(set(CASES) - set(id_rules(app)))
    assert not stale, f"cases for routes that no longer take an id: {stale}"


def _store_evidence(app: Flask, user: User, action_id: int, name: str) -> int:
    from sgreviews.models import Action

    action = db.session.get(Action, action_id)
    assert action is not None
    record = evidence.store(
        actor=user,
        action=action,
        update=None,
        upload=evidence.Upload(filename=f"{name}.txt", data=f"Evidence of {name}\n".encode()),
        files=app.extensions["sgreviews.storage"].evidence,
        max_bytes=1_000_000,
    )
    return record.id


def _removed_evidence(app: Flask, user: User, action_id: int, name: str) -> int:
    evidence_id = _store_evidence(app, user, action_id, f"removed-{name}")
    record = evidence.get(evidence_id)
    assert record is not None
    evidence.remove(actor=user, record=record, reason="Uploaded by mistake")
    return evidence_id


def _progress_note(user: User, action_id: int) -> int:
    from sgreviews.models import Action, ActionStatus
    from sgreviews.services.actions import writes

    action = db.session.get(Action, action_id)
    assert action is not None
    return writes.record_progress(
        actor=user, action=action, status=ActionStatus.IN_PROGRESS, note="Audit under way"
    ).id


@pytest.fixture
def world(app: Flask) -> dict[str, dict[str, object]]:
    """Two agencies, each in its own partnership, each with a review, finding, action,
    evidence, extension request, challenge, snooze, two signed-off report versions and
    briefings; the "own" partnership
    publishes its briefings, the "other" does not."""
    result: dict[str, dict[str, object]] = {}
    with app.app_context():
        secretariat = factories.user(Role.SECRETARIAT)
        for side in ("own", "other"):
            partnership = factories.partnership()
            agency = factories.agency(name=f"Route isolation agency {side}")
            review = factories.review(partnership)
            finding = factories.finding(review)
            action = factories.action(agency, finding)
            lead = factories.user(Role.AGENCY_LEAD, agency)
            practitioner = factories.user(Role.PRACTITIONER, agency)
            request = ExtensionRequest(
                action=action,
                requested_by_id=lead.id,
                due_date_at_request=action.due_date,
                requested_due_date=date(2031, 1, 1),
                reason="More time for the audit",
            )
            challenge = Challenge(
                partnership_id=partnership.id,
                raised_on=date(2025, 6, 1),
                agency_id=agency.id,
                raised_with="Designated lead",
                issue="Why was the strategy discussion late?",
            )
            snooze = ActionSnooze(
                action_id=action.id,
                snoozed_until=date(2031, 1, 1),
                reason="Agency restructure",
                created_by_id=secretariat.id,
            )
            signed = [
                SignedReport(
                    scope=f"partnership-{partnership.id}",
                    partnership_id=partnership.id,
                    year_start=2025,
                    number=number,
                    report={
                        "title": "Yearly report 2025/26",
                        "year": {"start_year": 2025},
                        "partnership": partnership.name,
                        "public": False,
                        "sections": [],
                    },
                    public_report={},
                    html="<p>Report</p>",
                    public_html="<p>Report</p>",
                    markdown=f"# Yearly report 2025/26\n\nVersion {number}",
                    note="",
                    signed_by_id=secretariat.id,
                )
                for number in (1, 2)
            ]
            db.session.add_all([request, challenge, snooze, *signed])
            db.session.add(
                PartnershipBriefingSettings(
                    partnership_id=partnership.id, public_briefings=side == "own"
                )
            )
            briefing = published_briefing(secretariat, partnership)
            submission = submissions.record_submission(
                None,
                review,
                body_key="panel",
                sent_on=date(2025, 3, 3),
                what_was_sent="The rapid review.",
                today=date(2025, 3, 3),
            )
            tabled = national_reviews.add_entry(
                None,
                partnership,
                national_reviews.Entry(
                    title=f"National review {side} (fictional)",
                    published_by="Child Safeguarding Practice Review Panel",
                    published_on=None,
                    tabled_on=date(2025, 6, 12),
                    tabled_at="Partnership board",
                    what_was_done="Briefing issued.",
                ),
                today=date(2025, 6, 12),
            )
            db.session.flush()
            result[side] = {
                "agency_id": agency.id,
                "agency": agency,
                "partnership_id": partnership.id,
                "short_name": partnership.short_name,
                "review_id": review.id,
                "finding_id": finding.id,
                "action_id": action.id,
                "action_reference": action.reference,
                "evidence_id": _store_evidence(app, lead, action.id, side),
                "removed_evidence_id": _removed_evidence(app, lead, action.id, side),
                "update_id": _progress_note(lead, action.id),
                "request_id": request.id,
                "challenge_id": challenge.id,
                "snooze_id": snooze.id,
                "signed_id": signed[1].id,
                "briefing_id": briefing.id,
                "submission_id": submission.id,
                "tabled_id": tabled.id,
                "user_id": lead.id,
                "user_email": lead.email,
                "calendar_token": preferences.enable_calendar(lead),
                "password_token": account_tokens.issue(lead, "password_reset", actor=None),
                "api_token_id": api_tokens.create(
                    user=lead, name="Report", scope=ApiScope.READ, days=30, max_days=365
                )[0].id,
                "lead_email": lead.email,
                "practitioner_email": practitioner.email,
            }
        draft = draft_briefing(secretariat)
        closure = ExtraClosureDay(day=date(2030, 12, 27), jurisdiction=None, reason="Closure")
        db.session.add(closure)
        db.session.flush()
        result["own"]["closure_id"] = closure.id
        result["own"]["import_token"] = "0" * 32 + ".csv"
        result["draft"] = {"briefing_id": draft.id}
        result["unknown"] = {
            "calendar_token": "not-a-token",
            "password_token": "not-a-token",
        }
        # Mixed: the own action's address with the other action's child.
        result["mixed"] = {
            **result["own"],
            "evidence_id": result["other"]["evidence_id"],
            "request_id": result["other"]["request_id"],
            "update_id": result["other"]["update_id"],
            "submission_id": result["other"]["submission_id"],
            "tabled_id": result["other"]["tabled_id"],
        }
        result["secretariat"] = {"email": secretariat.email}
        db.session.commit()
    for side in ("own", "other"):
        result[side].pop("agency")
    return result


@pytest.fixture
def clients(
    app: Flask, world: dict[str, dict[str, object]], client_for: Callable[..., FlaskClient]
) -> dict[str, FlaskClient]:
    from tests.conftest import sign_in

    made = {}
    for who, email in (
        (LEAD, world["own"]["lead_email"]),
        (PRACTITIONER, world["own"]["practitioner_email"]),
        (SECRETARIAT, world["secretariat"]["email"]),
    ):
        client = app.test_client()
        assert sign_in(client, str(email)).status_code == 302
        made[who] = client
    made[CHAIR] = client_for(Role.CHAIR)
    made[ADMIN] = client_for(Role.ADMINISTRATOR)
    made[VISITOR] = app.test_client()
    return made


def _reached(response: TestResponse) -> bool:
    if response.status_code in (401, 403, 404) or response.status_code >= 500:
        return False
    return not (
        response.status_code in (302, 303) and "/sign-in" in response.headers.get("Location", "")
    )


def test_object_routes_reach_only_whom_they_should(
    app: Flask,
    world: dict[str, dict[str, object]],
    clients: dict[str, FlaskClient],
) -> None:
    """One world for every route (signing in is slow): every refusal of every route
    first, then every reach, so a reach that changes something (ending a snooze) cannot
    turn a later refusal into a 404 for the wrong reason."""
    planned: list[tuple[str, Check]] = []
    for endpoint, case in sorted(CASES.items()):
        checks = list(case.checks)
        assert checks, endpoint
        if not any(check.who == VISITOR for check in checks):
            # Not public: a visitor is sent to sign in, whatever the method.
            methods = {check.method for check in checks}
            checks += [Check(VISITOR, "own", False, method) for method in sorted(methods)]
        planned += [(endpoint, check) for check in checks]
    planned.sort(key=lambda item: (item[1].reach, item[1].method == "POST"))
    wrong = []
    for endpoint, check in planned:
        case = CASES[endpoint]
        with app.test_request_context():
            path = url_for(endpoint, **case.arguments(world[check.whose]))
        response = clients[check.who].open(path, method=check.method, data={})
        label = f"{endpoint}: {check.who} {check.method} {check.whose} {path}"
        assert response.status_code < 500, f"{label}: {response.status_code}"
        if _reached(response) != check.reach:
            wrong.append(f"{label}: {response.status_code}")
        elif case.marker and check.reach and check.whose in ("own", "other"):
            body = response.get_data(as_text=True)
            theirs = "other" if check.whose == "own" else "own"
            assert str(world[check.whose][case.marker]) in body, label
            assert str(world[theirs][case.marker]) not in body, f"{label} shows another's"
    assert not wrong, "\n".join(["reached when it should not be, or the reverse:", *wrong])


def test_lead_reads_their_own_evidence_and_not_anothers(
    world: dict[str, dict[str, object]], clients: dict[str, FlaskClient]
) -> None:
    own, other = world["own"], world["other"]
    lead = clients[LEAD]
    response = lead.get(f"/actions/{own['action_id']}/evidence/{own['evidence_id']}")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Evidence of own\n"
    for path in (
        f"/actions/{other['action_id']}/evidence/{other['evidence_id']}",
        f"/actions/{own['action_id']}/evidence/{other['evidence_id']}",
    ):
        assert lead.get(path).status_code in (403, 404), path
