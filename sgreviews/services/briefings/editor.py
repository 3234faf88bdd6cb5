"""Briefings: writing them (from scratch or from a review), the workflow from draft to
archived, the personal-data check, the library, reading and team use, and reach.

Every function flushes; the view commits once. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    Agency,
    Briefing,
    BriefingKind,
    BriefingRead,
    BriefingTeamUse,
    BriefingVersion,
    Finding,
    FindingKind,
    Partnership,
    PartnershipBriefingSettings,
    PersonalDataOverride,
    Review,
    Theme,
    User,
    VersionStatus,
)
from sgreviews.services import audit
from sgreviews.services.briefings import personal_data, search
from sgreviews.services.briefings.reading import ReadingBriefing
from sgreviews.services.briefings.sections import section_label, sections_for

DEFAULT_REVIEW_MONTHS = 12


class BriefingError(ValueError):
    """A change that cannot be made; ``field_errors`` maps form fields to messages."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field_errors = field_errors or {}


class StaleEdit(BriefingError):
    """Someone else saved the draft since this editor was opened."""


def default_review_by(today: date | None = None) -> date:
    today = today or london_today()
    return today + timedelta(days=365 * DEFAULT_REVIEW_MONTHS // 12)


def _now() -> datetime:
    return datetime.now(UTC)


def _snapshot(version: BriefingVersion) -> dict[str, object]:
    return {
        "number": version.number,
        "status": version.status,
        "title": version.title,
        "sections": dict(version.sections or {}),
    }


# --- creating -------------------------------------------------------------------------------


def create_briefing(
    *,
    actor: User,
    partnership: Partnership,
    kind: BriefingKind,
    title: str,
    review_by: date,
    sections: dict[str, str] | None = None,
) -> Briefing:
    briefing = Briefing(partnership=partnership, kind=kind, author=actor, review_by=review_by)
    version = BriefingVersion(
        number=1,
        status=VersionStatus.DRAFT,
        title=title.strip(),
        sections={s.key: (sections or {}).get(s.key, "") for s in sections_for(kind)},
        created_by=actor,
    )
    briefing.versions.append(version)
    db.session.add(briefing)
    db.session.flush()
    audit.record(actor, "briefing", briefing.id, "create", None, _snapshot(version))
    return briefing


def prefill_from_review(review: Review, kind: BriefingKind) -> tuple[str, dict[str, str]]:
    """A title and sections drafted from a review's findings and strengths."""
    learning = [f for f in review.findings if f.kind is not FindingKind.STRENGTH]
    strengths = [f for f in review.findings if f.kind is FindingKind.STRENGTH]
    title = f"Learning from {review.reference} ({review.subject_label})"
    background = (
        f"This briefing shares the learning from review {review.reference} "
        f"about {review.subject_label}."
    )
    learning_list = "\n".join(f"- {f.text}" for f in learning)
    strengths_list = "\n".join(f"- {f.text}" for f in strengths)
    if kind is BriefingKind.SEVEN_MINUTE:
        points = [f.text for f in learning[:3]]
        points += [""] * (3 - len(points))
        notes = f"What worked well:\n\n{strengths_list}" if strengths else ""
        extra = learning[3:]
        if extra:
            more = "\n".join(f"- {f.text}" for f in extra)
            notes = f"{notes}\n\nThe review also found:\n\n{more}".strip()
        return title, {
            "background": background,
            "why_it_matters": "",
            "key_point_1": points[0],
            "key_point_2": points[1],
            "key_point_3": points[2],
            "things_to_note": notes,
            "what_to_do": "",
            "reflective_questions": "",
        }
    if kind is BriefingKind.ONE_MINUTE_GUIDE:
        return title, {
            "what_it_is": background,
            "why_it_matters": learning_list,
            "what_to_do": "",
            "find_out_more": strengths_list,
        }
    article = learning_list
    if strengths:
        article += f"\n\nWhat worked well:\n\n{strengths_list}"
    return title, {"summary": background, "article": article.strip(), "further_reading": ""}


def create_from_review(
    *, actor: User, review: Review, kind: BriefingKind, review_by: date
) -> Briefing:
    title, sections = prefill_from_review(review, kind)
    briefing = create_briefing(
        actor=actor,
        partnership=review.partnership,
        kind=kind,
        title=title,
        review_by=review_by,
        sections=sections,
    )
    briefing.reviews.append(review)
    briefing.findings.extend(review.findings)
    themes: dict[int, Theme] = {}
    for finding in review.findings:
        for theme in finding.themes:
            themes[theme.id] = theme
    briefing.themes.extend(themes.values())
    db.session.flush()
    return briefing


# --- editing and the workflow ---------------------------------------------------------------


def update_open_version(
    briefing: Briefing,
    *,
    actor: User,
    expected_lock_version: int,
    title: str,
    sections: dict[str, str],
    review_by: date,
) -> BriefingVersion:
    """Save the draft or in-review version in place; a stale editor is refused."""
    version = briefing.open_version
    if version is None:
        raise BriefingError("This version is published; start a new version to edit it.")
    if version.lock_version != expected_lock_version:
        raise StaleEdit(
            "Someone else saved this briefing after you opened it. Your changes were not "
            "saved: copy them, reload the page and make them again."
        )
    before = _snapshot(version)
    version.title = title.strip()
    version.sections = {s.key: sections.get(s.key, "").strip() for s in sections_for(briefing.kind)}
    briefing.review_by = review_by
    db.session.flush()
    audit.record(actor, "briefing", briefing.id, "update", before, _snapshot(version))
    return version


def new_version(briefing: Briefing, *, actor: User) -> BriefingVersion:
    """Start editing a published (or archived) briefing: a new draft copied from the
    latest version. The published version stays as it is until the new one is published."""
    if briefing.open_version is not None:
        return briefing.open_version
    latest = briefing.latest
    version = BriefingVersion(
        number=latest.number + 1,
        status=VersionStatus.DRAFT,
        title=latest.title,
        sections=dict(latest.sections or {}),
        created_by=actor,
    )
    # Overrides carry over: the same text was already judged safe to publish.
    version.overrides = [
        PersonalDataOverride(
            flag_kind=o.flag_kind,
            matched_text=o.matched_text,
            reason=o.reason,
            created_by_id=o.created_by_id,
        )
        for o in latest.overrides
    ]
    briefing.versions.append(version)
    db.session.flush()
    audit.record(actor, "briefing", briefing.id, "new_version", None, _snapshot(version))
    return version


def submit_for_review(briefing: Briefing, *, actor: User) -> None:
    version = briefing.open_version
    if version is None or version.status is not VersionStatus.DRAFT:
        raise BriefingError("Only a draft can be sent for review.")
    version.status = VersionStatus.IN_REVIEW
    db.session.flush()
    audit.record(
        actor, "briefing", briefing.id, "submit", {"status": "draft"}, {"status": "in_review"}
    )


def return_to_draft(briefing: Briefing, *, actor: User) -> None:
    version = briefing.open_version
    if version is None or version.status is not VersionStatus.IN_REVIEW:
        raise BriefingError("Only a version in review can go back to draft.")
    version.status = VersionStatus.DRAFT
    db.session.flush()
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "return_to_draft",
        {"status": "in_review"},
        {"status": "draft"},
    )


def allow_list() -> frozenset[str]:
    config_dir: Path = current_app.extensions["sgreviews.settings"].config_dir
    return personal_data.load_allow_list(config_dir / "personal_data.toml") | frozenset(
        personal_data.organisation_words()
    )


def flags_for(version: BriefingVersion) -> list[personal_data.Flag]:
    texts = {"title": version.title, **{k: version.section(k) for k in version.sections or {}}}
    return personal_data.scan(texts, allow_list())


@dataclass
class FlagStatus:
    flag: personal_data.Flag
    section_label: str
    override: PersonalDataOverride | None

    @property
    def resolved(self) -> bool:
        return self.override is not None


def flag_statuses(briefing: Briefing, version: BriefingVersion) -> list[FlagStatus]:
    overrides = {(o.flag_kind, o.matched_text): o for o in version.overrides}
    result = []
    for flag in flags_for(version):
        label = (
            "Title"
            if flag.section_key == "title"
            else section_label(briefing.kind, flag.section_key)
        )
        result.append(FlagStatus(flag, label, overrides.get(flag.identity)))
    return result


def override_flag(
    briefing: Briefing, *, actor: User, flag_kind: str, matched_text: str, reason: str
) -> PersonalDataOverride:
    version = briefing.open_version
    if version is None:
        raise BriefingError("Only a draft or a version in review can be changed.")
    if not reason.strip():
        raise BriefingError(
            "Enter why this can be published", {"reason": "Enter why this can be published"}
        )
    if not any(f.identity == (flag_kind, matched_text) for f in flags_for(version)):
        raise BriefingError("That flag is no longer in the text.")
    existing = next(
        (
            o
            for o in version.overrides
            if (o.flag_kind, o.matched_text) == (flag_kind, matched_text)
        ),
        None,
    )
    if existing is None:
        existing = PersonalDataOverride(
            flag_kind=flag_kind, matched_text=matched_text, reason=reason.strip(), created_by=actor
        )
        version.overrides.append(existing)
    else:
        existing.reason = reason.strip()
    db.session.flush()
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "personal_data_override",
        None,
        {"version": version.number, "kind": flag_kind, "text": matched_text, "reason": reason},
    )
    return existing


def publication_problems(briefing: Briefing, version: BriefingVersion) -> dict[str, str]:
    """Field name -> message for everything that blocks publishing this version."""
    problems: dict[str, str] = {}
    if not version.title.strip():
        problems["title"] = "Enter a title"
    for section in sections_for(briefing.kind):
        if section.required and not version.section(section.key).strip():
            problems[section.key] = f"Enter the {section.label.lower()} before publishing"
    for status in flag_statuses(briefing, version):
        if status.resolved:
            continue
        key = status.flag.section_key
        message = (
            f"{status.section_label} contains possible personal data "
            f"({status.flag.label.lower()}: \u201c{status.flag.text}\u201d): edit it out, "
            "or override it with a reason on the personal-data check"
        )
        problems.setdefault(key, message)
    return problems


def publish(briefing: Briefing, *, actor: User) -> BriefingVersion:
    version = briefing.open_version
    if version is None or version.status is not VersionStatus.IN_REVIEW:
        raise BriefingError("Send the briefing for review before publishing it.")
    problems = publication_problems(briefing, version)
    if problems:
        raise BriefingError("The briefing cannot be published yet", problems)
    now = _now()
    previous = briefing.published
    if previous is not None:
        previous.status = VersionStatus.ARCHIVED
        previous.archived_at = now
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    briefing.search_document = search_document(briefing, version)
    db.session.flush()
    search.index_briefing(briefing)
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "publish",
        {"status": "in_review"},
        {"status": "published", "version": version.number},
    )
    return version


def archive(briefing: Briefing, *, actor: User) -> None:
    """Withdraw the published version from the library."""
    version = briefing.published
    if version is None:
        raise BriefingError("Only a published briefing can be archived.")
    version.status = VersionStatus.ARCHIVED
    version.archived_at = _now()
    briefing.search_document = ""
    db.session.flush()
    search.index_briefing(briefing)
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "archive",
        {"status": "published", "version": version.number},
        {"status": "archived"},
    )


def search_document(briefing: Briefing, version: BriefingVersion) -> str:
    parts = [version.title, briefing.kind.label]
    parts += [version.section(s.key) for s in sections_for(briefing.kind)]
    parts += [theme.name for theme in briefing.themes]
    parts += [f"{r.reference} {r.subject_label}" for r in briefing.reviews]
    return "\n".join(part for part in parts if part)


# --- reading --------------------------------------------------------------------------------


_BRIEFING = (
    select(Briefing)
    .where(Briefing.id == bindparam("briefing_id"))
    .options(
        joinedload(Briefing.partnership),
        joinedload(Briefing.author),
        selectinload(Briefing.versions).selectinload(BriefingVersion.overrides),
        selectinload(Briefing.themes),
        selectinload(Briefing.reviews),
        selectinload(Briefing.findings),
    )
)


def get_briefing(briefing_id: int) -> Briefing | None:
    """A briefing with what the business office's pages show and change. (The reading
    pages read plain values instead: services/briefings/reading.py.)"""
    return db.session.scalars(_BRIEFING, {"briefing_id": briefing_id}).unique().one_or_none()


@dataclass
class LibraryFilters:
    query: str = ""
    theme_id: int | None = None
    kind: BriefingKind | None = None
    review_type: str | None = None
    year: int | None = None
    partnership_id: int | None = None


@dataclass
class LibraryEntry:
    briefing: Briefing
    version: BriefingVersion
    read_by_me: bool = False


def library(filters: LibraryFilters, reader: User | None = None) -> list[LibraryEntry]:
    """Published briefings matching the filters, newest first (a fixed number of queries)."""
    statement = (
        select(Briefing, BriefingVersion)
        .join(BriefingVersion, BriefingVersion.briefing_id == Briefing.id)
        .where(BriefingVersion.status == VersionStatus.PUBLISHED)
        .options(selectinload(Briefing.themes), joinedload(Briefing.partnership))
        .order_by(BriefingVersion.published_at.desc(), Briefing.id.desc())
    )
    if filters.query.strip():
        statement = statement.where(search.matches(filters.query))
    if filters.kind is not None:
        statement = statement.where(Briefing.kind == filters.kind)
    if filters.partnership_id is not None:
        statement = statement.where(Briefing.partnership_id == filters.partnership_id)
    if filters.theme_id is not None:
        statement = statement.where(
            Briefing.themes.any(
                or_(Theme.id == filters.theme_id, Theme.parent_id == filters.theme_id)
            )
        )
    if filters.review_type:
        statement = statement.where(Briefing.reviews.any(Review.review_type == filters.review_type))
    if filters.year is not None:
        start = datetime(filters.year, 1, 1, tzinfo=UTC)
        statement = statement.where(
            BriefingVersion.published_at >= start,
            BriefingVersion.published_at < start.replace(year=filters.year + 1),
        )
    entries = [LibraryEntry(b, v) for b, v in db.session.execute(statement).all()]
    if reader is not None and entries:
        read = set(
            db.session.scalars(
                select(BriefingRead.briefing_id).where(
                    BriefingRead.user_id == reader.id,
                    BriefingRead.briefing_id.in_([e.briefing.id for e in entries]),
                )
            )
        )
        for entry in entries:
            entry.read_by_me = entry.briefing.id in read
    return entries


def publication_years() -> list[int]:
    low, high = db.session.execute(
        select(
            func.min(BriefingVersion.published_at), func.max(BriefingVersion.published_at)
        ).where(BriefingVersion.status == VersionStatus.PUBLISHED)
    ).one()
    if low is None or high is None:
        return []
    return list(range(high.year, low.year - 1, -1))


def all_briefings() -> list[Briefing]:
    """Every briefing for the secretariat's list, newest first."""
    return list(
        db.session.scalars(
            select(Briefing)
            .options(selectinload(Briefing.versions), joinedload(Briefing.partnership))
            .order_by(Briefing.created_at.desc(), Briefing.id.desc())
        )
    )


def is_public(partnership_id: int) -> bool:
    settings = db.session.get(PartnershipBriefingSettings, partnership_id)
    return settings is not None and settings.public_briefings


def public_settings() -> list[tuple[Partnership, bool]]:
    rows = db.session.execute(
        select(Partnership, PartnershipBriefingSettings.public_briefings)
        .outerjoin(
            PartnershipBriefingSettings,
            PartnershipBriefingSettings.partnership_id == Partnership.id,
        )
        .order_by(Partnership.name)
    ).all()
    return [(partnership, bool(public)) for partnership, public in rows]


def set_public(partnership: Partnership, public: bool, *, actor: User) -> None:
    settings = db.session.get(PartnershipBriefingSettings, partnership.id)
    before = settings.public_briefings if settings is not None else False
    if settings is None:
        settings = PartnershipBriefingSettings(partnership_id=partnership.id)
        db.session.add(settings)
    settings.public_briefings = public
    db.session.flush()
    if before != public:
        audit.record(
            actor,
            "partnership",
            partnership.id,
            "briefings_public",
            {"public_briefings": before},
            {"public_briefings": public},
        )


# --- reach ----------------------------------------------------------------------------------


def record_read(
    briefing: Briefing | ReadingBriefing, *, reader: User, reflection: str
) -> BriefingRead:
    version = briefing.published
    if version is None:
        raise BriefingError("Only a published briefing can be confirmed as read.")
    existing = db.session.scalar(
        select(BriefingRead).where(
            BriefingRead.briefing_id == briefing.id, BriefingRead.user_id == reader.id
        )
    )
    if existing is None:
        existing = BriefingRead(
            briefing_id=briefing.id,
            user_id=reader.id,
            agency_id=reader.agency_id,
            version_id=version.id,
        )
        db.session.add(existing)
    existing.version_id = version.id
    existing.read_at = _now()
    if reflection.strip():
        existing.reflection = reflection.strip()
    db.session.flush()
    return existing


def record_team_use(
    briefing: Briefing | ReadingBriefing,
    *,
    actor: User,
    used_on: date,
    team: str,
    agency: Agency,
    staff_count: int,
    notes: str,
) -> BriefingTeamUse:
    if briefing.published is None:
        raise BriefingError("Team use is recorded for published briefings only.")
    use = BriefingTeamUse(
        briefing_id=briefing.id,
        used_on=used_on,
        team=team.strip(),
        agency=agency,
        staff_count=staff_count,
        notes=notes.strip(),
        recorded_by=actor,
    )
    db.session.add(use)
    db.session.flush()
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "team_use",
        None,
        {"used_on": used_on, "team": use.team, "agency": agency.name, "staff": staff_count},
    )
    return use


@dataclass
class AgencyReach:
    agency: str
    reads: int = 0
    team_uses: int = 0
    staff_reached: int = 0


@dataclass
class BriefingReach:
    reads: int
    reflections: list[BriefingRead]
    team_uses: list[BriefingTeamUse]
    by_agency: list[AgencyReach] = field(default_factory=list)

    @property
    def staff_reached(self) -> int:
        return sum(use.staff_count for use in self.team_uses)


def _agency_rows(briefing_id: int | None) -> list[AgencyReach]:
    reads = (
        select(func.coalesce(Agency.name, "No agency").label("agency"), func.count(BriefingRead.id))
        .select_from(BriefingRead)
        .outerjoin(Agency, Agency.id == BriefingRead.agency_id)
    )
    uses = (
        select(Agency.name, func.count(BriefingTeamUse.id), func.sum(BriefingTeamUse.staff_count))
        .select_from(BriefingTeamUse)
        .join(Agency, Agency.id == BriefingTeamUse.agency_id)
    )
    if briefing_id is not None:
        reads = reads.where(BriefingRead.briefing_id == briefing_id)
        uses = uses.where(BriefingTeamUse.briefing_id == briefing_id)
    rows: dict[str, AgencyReach] = {}
    for name, count in db.session.execute(reads.group_by(Agency.name)).all():
        rows.setdefault(name, AgencyReach(name)).reads = count
    for name, count, staff in db.session.execute(uses.group_by(Agency.name)).all():
        row = rows.setdefault(name, AgencyReach(name))
        row.team_uses = count
        row.staff_reached = int(staff or 0)
    return sorted(rows.values(), key=lambda row: row.agency)


def briefing_reach(briefing: Briefing) -> BriefingReach:
    reads = db.session.scalar(
        select(func.count())
        .select_from(BriefingRead)
        .where(BriefingRead.briefing_id == briefing.id)
    )
    reflections = list(
        db.session.scalars(
            select(BriefingRead)
            .where(BriefingRead.briefing_id == briefing.id, BriefingRead.reflection != "")
            .options(joinedload(BriefingRead.agency))
            .order_by(BriefingRead.read_at.desc())
        )
    )
    uses = list(
        db.session.scalars(
            select(BriefingTeamUse)
            .where(BriefingTeamUse.briefing_id == briefing.id)
            .options(joinedload(BriefingTeamUse.agency))
            .order_by(BriefingTeamUse.used_on.desc())
        )
    )
    return BriefingReach(reads or 0, reflections, uses, _agency_rows(briefing.id))


def agency_reach() -> list[AgencyReach]:
    """Reads, team uses and staff reached per agency, across every briefing."""
    return _agency_rows(None)


@dataclass
class BriefingTotals:
    briefing: Briefing
    version: BriefingVersion
    reads: int
    team_uses: int
    staff_reached: int


def reach_by_briefing() -> list[BriefingTotals]:
    """Every published briefing with its reach, in three queries."""
    entries = library(LibraryFilters())
    ids = [entry.briefing.id for entry in entries]
    reads = dict(
        db.session.execute(
            select(BriefingRead.briefing_id, func.count())
            .where(BriefingRead.briefing_id.in_(ids))
            .group_by(BriefingRead.briefing_id)
        ).all()
    )
    uses = {
        briefing_id: (count, int(staff or 0))
        for briefing_id, count, staff in db.session.execute(
            select(
                BriefingTeamUse.briefing_id,
                func.count(),
                func.sum(BriefingTeamUse.staff_count),
            )
            .where(BriefingTeamUse.briefing_id.in_(ids))
            .group_by(BriefingTeamUse.briefing_id)
        ).all()
    }
    return [
        BriefingTotals(
            e.briefing,
            e.version,
            reads.get(e.briefing.id, 0),
            uses.get(e.briefing.id, (0, 0))[0],
            uses.get(e.briefing.id, (0, 0))[1],
        )
        for e in entries
    ]


# --- reminders ------------------------------------------------------------------------------


def briefings_due_for_review(on: date) -> list[tuple[Briefing, User | None, date]]:
    """Published briefings whose review-by date is on or before ``on``, with the author to
    remind: a source for the reminders engine (which keeps each reminder to once)."""
    rows = db.session.scalars(
        select(Briefing)
        .join(BriefingVersion, BriefingVersion.briefing_id == Briefing.id)
        .where(BriefingVersion.status == VersionStatus.PUBLISHED, Briefing.review_by <= on)
        .options(joinedload(Briefing.author), selectinload(Briefing.versions))
        .order_by(Briefing.review_by, Briefing.id)
    ).unique()
    return [(briefing, briefing.author, briefing.review_by) for briefing in rows]


# --- links ----------------------------------------------------------------------------------


def set_links(
    briefing: Briefing,
    *,
    actor: User,
    reviews: list[Review],
    findings: list[Finding],
    themes: list[Theme],
) -> None:
    """Replace the reviews, findings and themes the briefing links to. A finding is kept
    only when its review is linked too."""
    review_ids = {review.id for review in reviews}
    before = {
        "reviews": [r.reference for r in briefing.reviews],
        "findings": [f.id for f in briefing.findings],
        "themes": [t.key for t in briefing.themes],
    }
    briefing.reviews = list(reviews)
    briefing.findings = [f for f in findings if f.review_id in review_ids]
    briefing.themes = list(themes)
    db.session.flush()
    published = briefing.published
    if published is not None:
        briefing.search_document = search_document(briefing, published)
        search.index_briefing(briefing)
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "links",
        before,
        {
            "reviews": [r.reference for r in briefing.reviews],
            "findings": [f.id for f in briefing.findings],
            "themes": [t.key for t in briefing.themes],
        },
    )
