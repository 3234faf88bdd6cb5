"""Generated, fictional data at scale for benchmarks: ``sgreviews demo generate``.

Scales: ``s`` one area (60 reviews, 1,500 actions), ``l`` a region (2,000 reviews, 40,000
actions), ``xl`` national (20,000 reviews, 400,000 actions, 2,000,000 updates, 50,000
users). Rows go in with bulk Core inserts (executemany in batches) of the core columns,
with ids assigned here so nothing has to be read back; every generated user shares one
precomputed argon2 hash. Names are invented ("Area 17"), subjects pseudonymous.

Users: two administrators and a handful of national secretariat and chair users (linked
to no partnership: a national business office, told about partnerships nobody serves),
then one secretariat and one chair user linked to each partnership (three partnerships
per area), all within the scale's user total; the rest are agency leads (up to three per
agency) and practitioners. Escalations and review-clock reminders go to the secretariat
and chair of the subject's partnership, as they would in a real deployment.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, text

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    Finding,
    FindingKind,
    ImpactStatus,
    Partnership,
    PartnershipKind,
    Review,
    Role,
    Sector,
    SubjectKind,
    User,
)
from sgreviews.models.action import action_finding
from sgreviews.models.finding import finding_theme
from sgreviews.models.user import user_partnership
from sgreviews.services.accounts import users
from sgreviews.services.actions.plan_tally import rebuild_plan_tally
from sgreviews.services.actions.tallies import rebuild_action_tallies
from sgreviews.services.themes import sync_themes

GENERATED_PASSWORD = "generated-password-for-sgreviews"
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    areas: int
    reviews: int
    actions: int
    updates: int
    users: int


SCALES = {
    "s": Scale(areas=1, reviews=60, actions=1_500, updates=4_500, users=150),
    "l": Scale(areas=20, reviews=2_000, actions=40_000, updates=200_000, users=5_000),
    "xl": Scale(areas=150, reviews=20_000, actions=400_000, updates=2_000_000, users=50_000),
}

AGENCY_KINDS: list[tuple[str, Sector, bool]] = [
    ("Police", Sector.POLICE, True),
    ("Integrated Care Board", Sector.HEALTH, True),
    ("Children's Social Care", Sector.LOCAL_AUTHORITY, True),
    ("Adult Social Care", Sector.LOCAL_AUTHORITY, True),
    ("Education Services", Sector.EDUCATION, False),
    ("Housing Services", Sector.LOCAL_AUTHORITY, False),
    ("Hospitals NHS Trust", Sector.HEALTH, False),
    ("Mental Health NHS Trust", Sector.HEALTH, False),
    ("GP Practices", Sector.HEALTH, False),
    ("Probation Service", Sector.PROBATION, False),
    ("Youth Justice Service", Sector.JUSTICE, False),
    ("Fire and Rescue Service", Sector.FIRE, False),
    ("Domestic Abuse Support", Sector.VOLUNTARY, False),
]
REVIEW_TYPES = [
    ("lcspr", "LCSPR", SubjectKind.CHILD, "Child"),
    ("sar", "SAR", SubjectKind.ADULT, "Adult"),
    ("dhr", "DHR", SubjectKind.ADULT, "Adult"),
    ("silp", "SILP", SubjectKind.CHILD, "Child"),
    ("learning_review", "LR", SubjectKind.CHILD, "Child"),
]
STATUSES = [
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.IN_PROGRESS,
    ActionStatus.COMPLETED,
    ActionStatus.ASSURED,
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.CLOSED_NOT_IMPLEMENTED,
    ActionStatus.SUPERSEDED,
    ActionStatus.COMPLETED,
]
ACTION_TEXTS = [
    "Add a prompt to strategy-discussion records",
    "Update the pre-birth assessment procedure",
    "Deliver a briefing on this learning to every team",
    "Re-audit practice six months after the change",
    "Update single-agency training to include this learning",
    "Share the chronology across agencies at every transfer",
]
FINDING_TEXTS = [
    "Practitioners did not test the account against the history.",
    "Information was not shared when the family moved.",
    "The voice of the child was not recorded.",
    "Escalation between agencies was slow.",
]


@dataclass
class GenerateReport:
    counts: dict[str, int]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _insert_batches(table: Table, rows: Iterator[dict[str, Any]], counts: dict[str, int]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            db.session.execute(insert(table), batch)
            counts[table.name] = counts.get(table.name, 0) + len(batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
        counts[table.name] = counts.get(table.name, 0) + len(batch)


def generate(
    scale_name: str,
    config_dir: Path,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateReport:
    """Fill an empty database with generated data at the given scale (the caller commits;
    this commits after each table so memory stays flat)."""
    scale = SCALES[scale_name]
    today = today or london_today()
    say = progress or (lambda _message: None)
    rng = random.Random(20261121)
    now = utcnow()
    counts: dict[str, int] = {}
    themes = [theme.id for theme in sync_themes(config_dir / "themes.toml").values()]
    db.session.commit()

    # Partnerships: three per area (children, adults, community safety).
    kinds = list(PartnershipKind)
    partnership_ids: list[int] = []
    partnership_rows = []
    for area in range(scale.areas):
        for index, kind in enumerate(kinds):
            number = area * len(kinds) + index + 1
            partnership_ids.append(number)
            partnership_rows.append(
                {
                    "id": number,
                    "name": f"Area {area + 1} {kind.label}",
                    "short_name": f"A{area + 1}{'CAS'[index]}",
                    "kind": kind.value,
                }
            )
    _insert_batches(_table(Partnership), iter(partnership_rows), counts)

    agency_rows = []
    agencies_by_area: list[list[int]] = []
    for area in range(scale.areas):
        ids = []
        for index, (name, sector, statutory) in enumerate(AGENCY_KINDS):
            number = area * len(AGENCY_KINDS) + index + 1
            ids.append(number)
            agency_rows.append(
                {
                    "id": number,
                    "name": f"Area {area + 1} {name}",
                    "sector": sector.value,
                    "is_statutory_partner": statutory,
                    "is_active": True,
                }
            )
        agencies_by_area.append(ids)
    _insert_batches(_table(Agency), iter(agency_rows), counts)
    db.session.commit()
    say(f"{len(partnership_rows)} partnerships, {len(agency_rows)} agencies")

    # Users: administrators and a small national office (unlinked), one secretariat and
    # one chair per partnership (linked), then agency leads and practitioners.
    password_hash = users.hash_password(GENERATED_PASSWORD)
    all_agencies = [agency for area in agencies_by_area for agency in area]
    national = [Role.ADMINISTRATOR] * 2 + [Role.SECRETARIAT] * 2 + [Role.CHAIR] * 2
    office = national + [Role.SECRETARIAT, Role.CHAIR] * len(partnership_ids)
    if len(office) >= scale.users:
        raise ValueError(f"scale {scale_name}: {scale.users} users cannot staff the office")
    link_rows = [
        {"user_id": number, "partnership_id": partnership_ids[(number - len(national) - 1) // 2]}
        for number in range(len(national) + 1, len(office) + 1)
    ]
    leads_by_agency: dict[int, list[int]] = {agency: [] for agency in all_agencies}

    def user_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, scale.users + 1):
            if number <= len(office):
                role, agency = office[number - 1], None
            else:
                agency = all_agencies[number % len(all_agencies)]
                lead = len(leads_by_agency[agency]) < 3
                role = Role.AGENCY_LEAD if lead else Role.PRACTITIONER
                if lead:
                    leads_by_agency[agency].append(number)
            yield {
                "id": number,
                "email": f"user{number}@generated.example",
                "display_name": f"Generated {role.label} {number}",
                "role": role.value,
                "agency_id": agency,
                "is_active": True,
                "password_hash": password_hash,
                "created_at": now,
            }

    _insert_batches(_table(User), user_rows(), counts)
    _insert_batches(user_partnership, iter(link_rows), counts)
    db.session.commit()
    say(f"{scale.users} users")

    # Reviews, spread over the areas' partnerships.
    per_review = max(scale.actions // scale.reviews, 1)
    review_areas: list[int] = []

    def review_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, scale.reviews + 1):
            area = number % scale.areas
            review_type, short, subject_kind, word = REVIEW_TYPES[number % len(REVIEW_TYPES)]
            partnership = partnership_ids[area * len(kinds) + (0 if word == "Child" else 1)]
            started = today - timedelta(days=rng.randint(60, 2000))
            review_areas.append(area)
            yield {
                "id": number,
                "partnership_id": partnership,
                "reference": f"{short}-{started.year}-{number:05d}",
                "review_type": review_type,
                "subject_label": f"{word} {chr(65 + number % 26)}{number % 97}",
                "subject_kind": subject_kind.value,
                "stage": "action_plan",
                "notified_on": started - timedelta(days=3),
                "started_on": started,
                "completed_on": started + timedelta(days=180),
                "published_on": started + timedelta(days=200),
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }

    _insert_batches(_table(Review), review_rows(), counts)
    db.session.commit()
    say(f"{scale.reviews} reviews")

    # Findings: about one per four actions, each tagged with one or two themes.
    findings_per_review = max(per_review // 4, 1)
    finding_count = scale.reviews * findings_per_review

    def finding_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, finding_count + 1):
            review = (number - 1) // findings_per_review + 1
            yield {
                "id": number,
                "review_id": review,
                "position": (number - 1) % findings_per_review + 1,
                "kind": FindingKind.LEARNING_POINT.value,
                "text": FINDING_TEXTS[number % len(FINDING_TEXTS)],
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }

    def finding_theme_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, finding_count + 1):
            first = themes[number % len(themes)]
            yield {"finding_id": number, "theme_id": first}
            second = themes[(number * 7 + 3) % len(themes)]
            if number % 2 and second != first:
                yield {"finding_id": number, "theme_id": second}

    _insert_batches(_table(Finding), finding_rows(), counts)
    _insert_batches(finding_theme, finding_theme_rows(), counts)
    db.session.commit()
    say(f"{finding_count} findings")

    # Actions: owned by an agency of the review's area, led by one of its leads.
    def action_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, scale.actions + 1):
            review = min((number - 1) // per_review + 1, scale.reviews)
            area = review_areas[review - 1]
            agency = agencies_by_area[area][number % len(AGENCY_KINDS)]
            leads = leads_by_agency[agency]
            due = today + timedelta(days=rng.randint(-400, 365))
            extended = number % 9 == 0
            status = STATUSES[number % len(STATUSES)]
            yield {
                "id": number,
                "reference": f"G{number:07d}",
                "outcome_sought": "Practice changes as the review found it must",
                "action_text": ACTION_TEXTS[number % len(ACTION_TEXTS)],
                "measure_of_success": "Audit shows the change in at least 80% of cases",
                "owning_agency_id": agency,
                "lead_user_id": leads[number % len(leads)] if leads and number % 5 else None,
                "lead_name": None if leads and number % 5 else "Named officer (no account)",
                "due_date": due,
                "original_due_date": due - timedelta(days=60) if extended else due,
                "status": status.value,
                "impact_status": ImpactStatus.NOT_ASSESSED.value,
                "created_at": now,
                "updated_at": now,
                "version": 1,
                # Each generated action answers one finding (action_finding_rows below);
                # rebuild_plan_tally checks it and corrects any that differ.
                "review_count": 1,
            }

    def action_finding_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, scale.actions + 1):
            review = min((number - 1) // per_review + 1, scale.reviews)
            finding = (review - 1) * findings_per_review + number % findings_per_review + 1
            yield {"action_id": number, "finding_id": finding}

    _insert_batches(_table(Action), action_rows(), counts)
    db.session.commit()
    _insert_batches(action_finding, action_finding_rows(), counts)
    db.session.commit()
    say(f"{scale.actions} actions")

    per_action = max(scale.updates // scale.actions, 1)

    def update_rows() -> Iterator[dict[str, Any]]:
        number = 0
        for action in range(1, scale.actions + 1):
            for step in range(per_action):
                number += 1
                yield {
                    "id": number,
                    "action_id": action,
                    "author_id": None,
                    "created_at": now - timedelta(days=30 * (per_action - step)),
                    "status": ActionStatus.IN_PROGRESS.value,
                    "note": "Progress reviewed at the subgroup; work continues.",
                }

    _insert_batches(_table(ActionUpdate), update_rows(), counts)
    db.session.commit()
    say(f"{counts.get('action_update', 0)} action updates")
    # Planner statistics first, on both databases: without them PostgreSQL planned the plan
    # tally's per-action recount badly (over 20 minutes at xl; 25 s after ANALYZE), and
    # SQLite has none at all (migrations ANALYZE empty tables), so it read the dashboard's
    # overdue actions through the wrong index (docs/performance-history.md).
    db.session.execute(text("ANALYZE"))
    # The bulk inserts bypassed the ORM hooks that keep the dashboard's tallies.
    rebuild_action_tallies(db.session.connection())
    rebuild_plan_tally(db.session.connection())
    db.session.commit()
    _reset_sequences()
    db.session.execute(text("ANALYZE"))  # and for the tallies just rebuilt
    db.session.commit()
    return GenerateReport(counts)


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the data."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("partnership", "agency", "user_account", "review", "finding", "action",
                  "action_update"):  # fmt: skip
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
    db.session.commit()
