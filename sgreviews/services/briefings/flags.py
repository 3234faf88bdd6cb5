"""The personal-data check of a briefing version: the possible personal data it flags, the
overrides that keep a flagged text with a reason, and what blocks publishing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from sgreviews.extensions import db
from sgreviews.models import Briefing, BriefingVersion, PersonalDataOverride, User
from sgreviews.services import audit
from sgreviews.services.briefings import personal_data
from sgreviews.services.briefings.errors import BriefingError
from sgreviews.services.briefings.sections import section_label, sections_for


def allow_list() -> frozenset[str]:
    config_dir: Path = current_app.extensions["sgreviews.settings"].config_dir
    return personal_data.load_allow_list(config_dir / "personal_data.toml") | frozenset(
        personal_data.organisation_words()
    )


def forenames() -> personal_data.Forenames:
    config_dir: Path = current_app.extensions["sgreviews.settings"].config_dir
    return personal_data.load_forenames(config_dir / "forenames.toml")


def second_pass_status() -> str:
    """Whether the Presidio second pass ran, and why not when it did not."""
    return personal_data.second_pass().reason


def flags_for(version: BriefingVersion) -> list[personal_data.Flag]:
    texts = {"title": version.title, **{k: version.section(k) for k in version.sections or {}}}
    return personal_data.scan(texts, allow_list(), forenames(), personal_data.second_pass())


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
