"""Writing briefings and moving them from draft to archived: creating (from scratch or
drafted from a review), saving the open version, new versions, review, publishing,
and archiving.

(The links to reviews, findings and themes: links.py.)

Every function flushes; the view commits once. Every change is audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Briefing,
    BriefingKind,
    BriefingVersion,
    FindingKind,
    Partnership,
    PersonalDataOverride,
    Review,
    Theme,
    User,
    VersionStatus,
)
from sgreviews.services import audit
from sgreviews.services.briefings import pdf_cache, search
from sgreviews.services.briefings.errors import BriefingError, StaleEdit
from sgreviews.services.briefings.flags import publication_problems
from sgreviews.services.briefings.sections import sections_for

DEFAULT_REVIEW_MONTHS = 12


def default_review_by(today: date | None = None) -> date:
    today = today or london_today()
    return today + timedelta(days=365 * DEFAULT_REVIEW_MONTHS // 12)


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


def publish(briefing: Briefing, *, actor: User) -> BriefingVersion:
    version = briefing.open_version
    if version is None or version.status is not VersionStatus.IN_REVIEW:
        raise BriefingError("Send the briefing for review before publishing it.")
    problems = publication_problems(briefing, version)
    if problems:
        raise BriefingError("The briefing cannot be published yet", problems)
    now = utcnow()
    previous = briefing.published
    if previous is not None:
        previous.status = VersionStatus.ARCHIVED
        previous.archived_at = now
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    briefing.search_document = search.search_document(briefing, version)
    db.session.flush()
    search.index_briefing(briefing)
    pdf_cache.invalidate(briefing.id)
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
    version.archived_at = utcnow()
    briefing.search_document = ""
    db.session.flush()
    search.index_briefing(briefing)
    pdf_cache.invalidate(briefing.id)
    audit.record(
        actor,
        "briefing",
        briefing.id,
        "archive",
        {"status": "published", "version": version.number},
        {"status": "archived"},
    )
